"""Fixtures for the analysis package. No Flask here: the package must stand alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.focus_areas import FocusAreaSpec, load_default_focus_areas
from analysis.persistence import get_or_train_tagger

DATA = Path(__file__).resolve().parents[2] / "analysis" / "data"


@pytest.fixture(scope="session")
def areas() -> list[FocusAreaSpec]:
    return load_default_focus_areas()


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def default_tagger(areas, model_dir):
    """The default tagger, trained once per test session and cached in ``model_dir``."""
    tagger, _ = get_or_train_tagger(areas, model_dir=model_dir)
    return tagger


@pytest.fixture(scope="session")
def heldout() -> list[dict]:
    with open(DATA / "heldout.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def examples() -> list[dict]:
    with open(DATA / "examples.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def make_small_areas() -> list[FocusAreaSpec]:
    """Three made-up areas: labels are data, not code."""
    return [
        FocusAreaSpec(
            key="fish",
            names={"nb": "Fisk"},
            descriptions={"nb": "Fiske, fiskebåter og fiskemottak langs kysten."},
            seed_terms=("fisk", "fiske", "fiskebåt", "fiskemottak", "torsk", "kvote"),
        ),
        FocusAreaSpec(
            key="roads",
            names={"nb": "Veier"},
            descriptions={"nb": "Veier, bruer, tunneler og rassikring."},
            seed_terms=("vei", "veg", "fylkesvei", "bru", "tunnel", "rassikring"),
        ),
        FocusAreaSpec(
            key="housing",
            names={"nb": "Bolig"},
            descriptions={"nb": "Boliger og utleieboliger for nye innbyggere."},
            seed_terms=("bolig", "boliger", "bustad", "utleiebolig", "tomt", "husleie"),
        ),
    ]


SMALL_EXAMPLES = [
    {"text": "Fiskebåtene trenger et nytt fiskemottak ved kaia.", "focus_areas": ["fish"]},
    {"text": "Kystfiskerne må få større kvoter på torsk.", "focus_areas": ["fish"]},
    {"text": "Fisken må landes og foredles lokalt.", "focus_areas": ["fish"]},
    {"text": "Fiskarane treng betre hamn og mottak.", "focus_areas": ["fish"]},
    {"text": "Fylkesveien er full av hull og må asfalteres.", "focus_areas": ["roads"]},
    {"text": "Ny bru over sundet og rassikring av tunnelen.", "focus_areas": ["roads"]},
    {"text": "Vegen over fjellet er stengd kvar vinter.", "focus_areas": ["roads"]},
    {"text": "Veiene er for smale for lastebilene.", "focus_areas": ["roads"]},
    {"text": "Det finnes ingen utleieboliger for nye innbyggere.", "focus_areas": ["housing"]},
    {"text": "Kommunen må bygge flere boliger og selge tomter billig.", "focus_areas": ["housing"]},
    {"text": "Unge finn ikkje bustad å leige i bygda.", "focus_areas": ["housing"]},
    {"text": "Husleia er for høy og det er kø for bolig.", "focus_areas": ["housing"]},
    {"text": "Fiskebilene sliter på den smale fylkesveien.", "focus_areas": ["fish", "roads"]},
    {"text": "Takk for et fint møte i går.", "focus_areas": []},
    {"text": "Når kommer referatet?", "focus_areas": []},
    {"text": "Planen er for lang og vanskelig å lese.", "focus_areas": []},
]


def generate_inputs(n: int, seed: int = 0) -> list[str]:
    """``n`` varied inputs made from the bundled examples: one to three sentences of
    different examples, and copy-paste campaigns whose copies differ by a word or two
    (some just above, some just below the near-duplicate threshold)."""
    import random
    import re

    from analysis.tagging import load_examples

    rng = random.Random(seed)
    sentences = [
        s
        for ex in load_examples()
        for s in re.split(r"(?<=[.!?])\s+", ex["text"])
        if len(s.split()) >= 4
    ]
    campaigns = [" ".join(rng.sample(sentences, 3)).split() for _ in range(max(2, n // 150))]
    out = []
    for _ in range(n):
        if rng.random() < 0.15:
            words = list(rng.choice(campaigns))
            for _ in range(rng.choice([0, 1, 2, 3, 4])):
                words[rng.randrange(len(words))] = rng.choice(["kommunen", "fylket", "bygda"])
            out.append(" ".join(words))
        else:
            out.append(" ".join(rng.sample(sentences, rng.choice([1, 1, 2, 3]))))
    return out
