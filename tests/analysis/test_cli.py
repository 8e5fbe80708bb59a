import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, model_dir, check=True):
    env = dict(os.environ, INNSPILL_MODEL_DIR=str(model_dir), PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check and proc.returncode != 0:
        raise AssertionError(proc.stderr)
    return proc


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, heldout):
    d = tmp_path_factory.mktemp("cli")
    rows = heldout[:30]
    jsonl = d / "in.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"id": f"x{i}", "text": r["text"]}, ensure_ascii=False) + "\n"
            for i, r in enumerate(rows)
        ),
        encoding="utf-8",
    )
    csv_path = d / "in.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        for i, r in enumerate(rows):
            w.writerow([f"c{i}", r["text"]])
    labelled = d / "labelled.jsonl"
    labelled.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return {"dir": d, "jsonl": jsonl, "csv": csv_path, "labelled": labelled}


def test_tag_jsonl_and_csv(inputs, model_dir, default_tagger, areas):
    out = inputs["dir"] / "tags.jsonl"
    run_cli("tag", inputs["jsonl"], "-o", out, model_dir=model_dir)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [f"x{i}" for i in range(30)]
    keys = {a.key for a in areas}
    assert all(set(x["scores"]) == keys and set(x["focus_areas"]) <= keys for x in lines)

    proc = run_cli("tag", inputs["csv"], model_dir=model_dir)
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert lines[0]["id"] == "c0" and len(lines) == 30


def test_cluster_prints_themes(inputs, model_dir):
    out = inputs["dir"] / "themes.jsonl"
    proc = run_cli("cluster", inputs["csv"], "-o", out, "--themes", 4, model_dir=model_dir)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 30 and {x["theme"] for x in lines} <= {0, 1, 2, 3}
    assert "4 themes" in proc.stdout and "theme" in proc.stdout


def test_evaluate(inputs, model_dir, default_tagger):
    proc = run_cli("evaluate", inputs["labelled"], model_dir=model_dir)
    assert "micro F1" in proc.stdout and "macro F1" in proc.stdout
    assert "reindeer_herding" in proc.stdout
    proc = run_cli("evaluate", inputs["labelled"], "--json", model_dir=model_dir)
    assert 0 <= json.loads(proc.stdout)["f1_micro"] <= 1


def test_bad_input_gives_clear_error(inputs, model_dir):
    bad = inputs["dir"] / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    proc = run_cli("tag", bad, model_dir=model_dir, check=False)
    assert proc.returncode != 0 and "text" in proc.stderr
    proc = run_cli("tag", inputs["dir"] / "missing.jsonl", model_dir=model_dir, check=False)
    assert proc.returncode != 0 and "no such file" in proc.stderr


def test_evaluate_themes(tmp_path, examples, model_dir, default_tagger):
    path = tmp_path / "labelled.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in examples[:90]), encoding="utf-8"
    )
    out = run_cli("evaluate-themes", path, "--rounds", "1", model_dir=model_dir).stdout
    for figure in (
        "adjusted Rand index",
        "NMI",
        "purity",
        "Nynorsk share",
        "written-form themes",
        "filler",
        "stability",
        "number of themes",
    ):
        assert figure in out, out
    report = json.loads(
        run_cli("evaluate-themes", path, "--rounds", "1", "--json", model_dir=model_dir).stdout
    )
    assert -1 <= report["ari"] <= 1 and 0 <= report["purity"] <= 1
    assert report["names"]["filler_leading"] == 0
    assert 0 <= report["stability"]["share_matched"] <= 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no labels"}\n', encoding="utf-8")
    proc = run_cli("evaluate-themes", bad, model_dir=model_dir, check=False)
    assert proc.returncode != 0 and "focus_areas" in proc.stderr


def test_cluster_one_focus_area(inputs, model_dir, default_tagger):
    proc = run_cli("cluster", inputs["jsonl"], "--focus-area", "tourism", model_dir=model_dir)
    assert "tourism" in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert rows and all("theme" in r for r in rows)
    proc = run_cli(
        "cluster", inputs["jsonl"], "--focus-area", "nope", model_dir=model_dir, check=False
    )
    assert proc.returncode != 0 and "nope" in proc.stderr
