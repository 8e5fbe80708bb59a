"""Redaction measured on a hand-written corpus: the library-based code against the
hand-written code it replaced (kept in ``benchmarks/redaction_legacy.py``).

    .venv/bin/python benchmarks/redaction_eval.py [CORPUS.jsonl]

The corpus (default ``tests/inputs/data/redaction_corpus.jsonl``) holds one text per
line, in Bokmål or Nynorsk, with the personal data it contains. A finding counts as a
hit when its text is one the line lists (whatever kind it was given); anything else it
finds is a false alarm. Prints, per implementation: hits per kind, misses, false
alarms, and the items the old code caught that the new code misses (must be none).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import redaction_legacy  # noqa: E402
from participation.inputs import redaction  # noqa: E402

DEFAULT_CORPUS = ROOT / "tests" / "inputs" / "data" / "redaction_corpus.jsonl"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def score(rows: list[dict], find) -> dict:
    hits: Counter = Counter()
    expected: Counter = Counter()
    caught: set[tuple[int, str]] = set()
    false_alarms: list[tuple[str, str]] = []
    for number, row in enumerate(rows):
        wanted = {item["text"]: item["kind"] for item in row["personal_data"]}
        expected.update(wanted.values())
        for finding in find(row["text"]):
            if finding.text in wanted:
                hits[wanted[finding.text]] += 1
                caught.add((number, finding.text))
            else:
                false_alarms.append((row["form"], finding.text))
    return {
        "hits": hits,
        "expected": expected,
        "caught": caught,
        "false_alarms": false_alarms,
    }


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_CORPUS
    rows = load(path)
    forms = Counter(row["form"] for row in rows)
    with_data = sum(1 for row in rows if row["personal_data"])
    print(
        f"corpus: {len(rows)} texts ({forms['nb']} Bokmål, {forms['nn']} Nynorsk), "
        f"{with_data} with personal data, {len(rows) - with_data} without"
    )
    old = score(rows, redaction_legacy.find_personal_data)
    new = score(rows, redaction.find_personal_data)
    kinds = sorted(new["expected"])
    print(f"{'kind':<12} {'items':>5} {'old caught':>10} {'new caught':>10}")
    for kind in kinds:
        print(
            f"{kind:<12} {new['expected'][kind]:>5} {old['hits'][kind]:>10} {new['hits'][kind]:>10}"
        )
    total = sum(new["expected"].values())
    print(f"{'all':<12} {total:>5} {sum(old['hits'].values()):>10} {sum(new['hits'].values()):>10}")
    print(f"false alarms: old {len(old['false_alarms'])}, new {len(new['false_alarms'])}")
    for label, result in (("old", old), ("new", new)):
        for form, text in result["false_alarms"]:
            print(f"  {label} false alarm ({form}): {text!r}")
    lost = old["caught"] - new["caught"]
    print(f"caught by the old code, missed by the new: {len(lost)}")
    for number, text in sorted(lost):
        print(f"  line {number + 1}: {text!r}")
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
