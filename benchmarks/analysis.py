"""Benchmark the analysis: time and peak memory per stage for 1 000 to 100 000 inputs.

    python benchmarks/analysis.py                     # sizes 1000 10000 100000
    python benchmarks/analysis.py --sizes 1000 10000

Inputs are generated from the bundled examples with variation (sentences from different
examples combined, typos, greetings, place names, some copy-paste campaigns). Each size
runs in its own subprocess so peak memory (ru_maxrss) belongs to that run alone, and each
is run twice: Innspill's service (``run_analysis``) and a bare scikit-learn pipeline of the
same steps (TF-IDF word + char_wb -> logistic regression; TF-IDF -> TruncatedSVD ->
Normalizer -> MiniBatchKMeans) as the floor. Model training is done once beforehand and
not timed (the service caches the model).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PLACES = [
    "Finnsnes",
    "Harstad",
    "Tromsø",
    "Nordreisa",
    "Kongsvinger",
    "Oppdal",
    "Røros",
    "Voss",
    "Sogndal",
    "Lillehammer",
    "Mo i Rana",
    "Hammerfest",
    "Alta",
    "Bodø",
    "Namsos",
    "Elverum",
]
OPENERS = ["", "", "", "Hei! ", "Innspill: ", "Til prosjektgruppa: ", "Kort sagt: ", "Hei. "]
CLOSERS = ["", "", "", " Takk.", " Mvh innbygger.", " Helsing frå {p}.", " Hilsen fra {p}."]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.random()
    if op < 0.4:
        return word[:i] + word[i + 1 :]
    if op < 0.8:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def generate_inputs(n: int, seed: int = 0) -> list[str]:
    """``n`` realistic inputs made from the bundled examples."""
    from analysis.tagging import load_examples

    rng = random.Random(seed)
    sentences = []
    for ex in load_examples():
        for s in re.split(r"(?<=[.!?])\s+", ex["text"]):
            if len(s) > 15:
                sentences.append(s)
    campaigns = [" ".join(rng.sample(sentences, 3)) for _ in range(max(1, n // 2000))]
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.03:  # copy-paste campaign, sometimes signed
            text = rng.choice(campaigns) + rng.choice(["", " Hilsen Kari.", " Mvh Ola."])
        else:
            k = rng.choice([1, 1, 2, 2, 3, 4])
            text = " ".join(rng.sample(sentences, k))
            words = text.split(" ")
            for _ in range(rng.choice([0, 0, 1, 2])):
                j = rng.randrange(len(words))
                words[j] = _typo(words[j], rng)
            text = " ".join(words)
            if rng.random() < 0.3:
                text = text.replace("regionen", rng.choice(PLACES), 1)
            p = rng.choice(PLACES)
            text = rng.choice(OPENERS) + text + rng.choice(CLOSERS).format(p=p)
        out.append(text)
    return out


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def worker_ours(n: int, model_dir: str) -> dict:
    from analysis.focus_areas import load_default_focus_areas
    from analysis.service import InputRecord, run_analysis

    texts = generate_inputs(n)
    areas = load_default_focus_areas()
    regions = ["Nord", "Midt", "Sør", "Tromsø"]
    records = [
        InputRecord(id=i, text=t, metadata={"region": regions[i % 4]}) for i, t in enumerate(texts)
    ]
    base = _rss_mb()
    cpu0 = _cpu_s()
    t0 = time.perf_counter()
    res = run_analysis(records, areas, model_dir=model_dir)
    total = time.perf_counter() - t0
    return {
        "n": n,
        "total_s": total,
        "cpu_s": _cpu_s() - cpu0,
        "stages_s": {k: v for k, v in res.timings.items() if k != "total"},
        "peak_rss_mb": _rss_mb(),
        "rss_before_mb": base,
        "n_themes": res.parameters["n_themes"],
        "n_unique": res.metrics["n_unique"],
    }


def worker_bare(n: int) -> dict:
    """The same steps with plain scikit-learn, no Norwegian preprocessing: the floor."""
    import numpy as np
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import MultiLabelBinarizer, Normalizer

    from analysis.focus_areas import load_default_focus_areas
    from analysis.tagging import load_examples

    ex = load_examples()
    keys = [a.key for a in load_default_focus_areas()]
    Y = MultiLabelBinarizer(classes=keys).fit_transform([e["focus_areas"] for e in ex])
    feats = make_union(
        TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), dtype=np.float32),
        TfidfVectorizer(
            sublinear_tf=True,
            analyzer="char_wb",
            ngram_range=(3, 5),
            min_df=2,
            dtype=np.float32,
        ),
    )
    clf = make_pipeline(
        feats, OneVsRestClassifier(LogisticRegression(C=8, class_weight="balanced"))
    )
    clf.fit([e["text"] for e in ex], Y)
    texts = generate_inputs(n)
    base = _rss_mb()
    cpu0 = _cpu_s()
    stages = {}
    t0 = time.perf_counter()
    Xf = clf[0].transform(texts)
    stages["features"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    clf[-1].predict_proba(Xf)
    stages["tagging"] = time.perf_counter() - t0
    del Xf
    t0 = time.perf_counter()
    lsa = make_pipeline(
        TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.5, max_features=50_000),
        TruncatedSVD(100, random_state=0),
        Normalizer(copy=False),
    )
    Z = lsa.fit_transform(texts)
    stages["lsa"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    MiniBatchKMeans(12, random_state=0, n_init=1, batch_size=4096).fit(Z)
    stages["kmeans"] = time.perf_counter() - t0
    return {
        "n": n,
        "total_s": sum(stages.values()),
        "cpu_s": _cpu_s() - cpu0,
        "stages_s": stages,
        "peak_rss_mb": _rss_mb(),
        "rss_before_mb": base,
    }


def _run_worker(mode: str, n: int, model_dir: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", mode, "--n", str(n), "--model-dir", model_dir],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--model-dir", default=None, help="model cache (default: a temp dir)")
    ap.add_argument("--worker", choices=["ours", "bare"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="print all results as JSON")
    args = ap.parse_args()

    if args.worker:
        import numpy  # noqa: F401  (load the native libraries before limiting them)
        import scipy.linalg  # noqa: F401
        import sklearn.cluster  # noqa: F401
        from threadpoolctl import threadpool_limits

        # Both sides single-threaded in native code, as the service's clustering is: on a
        # shared 2-core machine threads mostly fight other processes.
        with threadpool_limits(limits=1):
            if args.worker == "ours":
                res = worker_ours(args.n, args.model_dir)
            else:
                res = worker_bare(args.n)
        print(json.dumps(res))
        return 0

    model_dir = args.model_dir or tempfile.mkdtemp(prefix="innspill-bench-")
    from analysis.focus_areas import load_default_focus_areas
    from analysis.persistence import get_or_train_tagger

    t0 = time.perf_counter()
    get_or_train_tagger(load_default_focus_areas(), model_dir=model_dir)
    print(f"model ready in {time.perf_counter() - t0:.1f} s (not part of the figures)")
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    results = []
    for n in args.sizes:
        for mode in ("ours", "bare"):
            r = _run_worker(mode, n, model_dir)
            r["mode"] = mode
            results.append(r)
            stages = "  ".join(f"{k} {v:.2f}" for k, v in r["stages_s"].items())
            if r.get("n_themes"):
                stages += f"  | {r['n_themes']} themes"
            print(
                f"{mode:>5} n={n:>7}: total {r['total_s']:6.2f} s (CPU {r['cpu_s']:6.2f} s), peak RSS "
                f"{r['peak_rss_mb']:7.0f} MB | {stages}",
                flush=True,
            )
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
