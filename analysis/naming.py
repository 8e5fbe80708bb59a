"""Theme names in phrases people wrote: "kortreist mat", "kai og havn", "grønn industri".

Candidates are taken from each input's own text, inside one clause (punctuation ends a
phrase): single content words, pairs of adjacent content words and "X og Y" / "X i Y"
triples. A content word is no stopword, no mask, no generic consultation word
("strategien", "kommunen", ``data/generic_words_no.txt``) and no filler word by the
frequency background (:mod:`analysis.background`): so "faktisk", "igjen", "gir", "står",
"nesten" never start or end a phrase. Each candidate is keyed by the stems of its words written
as Bokmål (:func:`analysis.text.to_bokmal`), so "kortreist mat" and "kortreiste maten",
or "vegar" and "veier", are one candidate, shown in the surface form written most often.

A theme's phrases are ranked by how many of its inputs use them (coverage), how much
more often than in the whole run (lift), and how rare their words are in general
Norwegian (:func:`analysis.background.background_weight`); phrases of two or three words
get a small bonus, and a phrase that repeats a word of a better one is skipped.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator

from .background import background_weight, is_filler
from .text import (
    _EMAIL_RE,
    _NUMBER_RE,
    _URL_RE,
    MASKS,
    STOPWORDS,
    load_generic_words,
    stem,
    to_bokmal,
)

__all__ = ["phrase_candidates", "ThemeNamer", "JOINERS"]

# Words that may join two content words inside a phrase ("kai og havn", "mat i skolen").
JOINERS = frozenset({"og", "eller", "i", "på", "for", "til", "av", "fra", "frå", "med"})
_CLAUSE_RE = re.compile(r"[.,;:!?()\[\]{}\"«»“”„/|…–—•*]+|\s-\s|\n")
_WORD_RE = re.compile(r"[^\W\d_]+")


def _is_content(lower: str) -> bool:
    return (
        len(lower) >= 3
        and lower not in STOPWORDS
        and lower not in MASKS
        and lower not in load_generic_words()
        and not is_filler(lower)
    )


def _key(word: str) -> str:
    return stem(to_bokmal(word))


_WORD_INFO: dict[str, tuple[bool, str]] = {}


def _word_info(lower: str) -> tuple[bool, str]:
    """(is a content word, its key), cached: large runs repeat words a lot."""
    info = _WORD_INFO.get(lower)
    if info is None:
        content = _is_content(lower)
        info = (content, _key(lower) if content else "")
        if len(_WORD_INFO) < 500_000:
            _WORD_INFO[lower] = info
    return info


def phrase_candidates(text: str, *, max_words: int = 3) -> list[tuple[str, str]]:
    """Candidate phrases of one text as ``(key, surface)`` pairs, in order of appearance.

    ``key`` is the space-joined Bokmål stems (joining words kept as written in Bokmål),
    ``surface`` the words as written, lower case unless capitalised inside a clause (a
    place name such as "Lofoten").

    >>> [s for _, s in phrase_candidates("Vi vil ha kortreist mat, og ny kai og havn i Vardø.")]
    ['kortreist', 'kortreist mat', 'mat', 'kai', 'kai og havn', 'havn', 'havn i Vardø', 'Vardø']
    """
    out: list[tuple[str, str]] = []
    # URLs, e-mail addresses and numbers end a clause (the case of the rest is kept).
    raw = unicodedata.normalize("NFKC", str(text or "")).replace("\u00ad", "")
    if "http" in raw or "www." in raw:
        raw = _URL_RE.sub(" . ", raw)
    if "@" in raw:
        raw = _EMAIL_RE.sub(" . ", raw)
    raw = _NUMBER_RE.sub(" . ", raw)
    for clause in _CLAUSE_RE.split(raw):
        words = _WORD_RE.findall(clause)
        if not words:
            continue
        lower = [w.lower() for w in words]
        infos = [_word_info(w) for w in lower]
        content = [c for c, _ in infos]
        shown = [
            w if (i > 0 and w[:1].isupper() and not w.isupper()) else lw
            for i, (w, lw) in enumerate(zip(words, lower, strict=True))
        ]
        keys = [k for _, k in infos]
        for i in range(len(words)):
            if not content[i]:
                continue
            out.append((keys[i], shown[i]))
            if max_words >= 2 and i + 1 < len(words) and content[i + 1]:
                out.append((f"{keys[i]} {keys[i + 1]}", f"{shown[i]} {shown[i + 1]}"))
            if max_words >= 3 and i + 2 < len(words) and lower[i + 1] in JOINERS and content[i + 2]:
                joiner = to_bokmal(lower[i + 1])
                out.append(
                    (
                        f"{keys[i]} {joiner} {keys[i + 2]}",
                        f"{shown[i]} {lower[i + 1]} {shown[i + 2]}",
                    )
                )
    return out


def _part_of(a: str, b: str) -> bool:
    """One stem is the start or end of the other ("lokal" / "lokalmat", "økonomi" /
    "bioøkonomi"): a name needs only one of them."""
    if len(a) < 4 or len(b) < 4 or a == b:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return long.startswith(short) or long.endswith(short)


class ThemeNamer(BaseEstimator):
    """Name each theme by two to four distinctive phrases of its inputs.

    Parameters
    ----------
    n_phrases : int, default=4
        Most phrases per name.
    min_phrases : int, default=2
        Fewer phrases than this are filled up with weaker candidates (rarer, or words
        general Norwegian uses often), so small themes still get a name.
    relative_cutoff : float, default=0.3
        Phrases scoring below this share of the theme's best phrase are left out (down
        to ``min_phrases``).
    max_inputs_per_theme : int, default=600
        Inputs read per theme (a fixed, content-defined sample of larger themes).
    phrase_bonus : float, default=2.0
        Score factor for phrases of two or three words.

    Attributes
    ----------
    names_ : list of list of str
        Phrases per theme, most distinctive first (surface forms).
    keys_ : list of list of str
        The phrases' keys (Bokmål stems).
    scores_ : list of list of float
    """

    def __init__(
        self,
        *,
        n_phrases: int = 4,
        min_phrases: int = 2,
        relative_cutoff: float = 0.3,
        max_inputs_per_theme: int = 600,
        phrase_bonus: float = 2.0,
    ) -> None:
        self.n_phrases = n_phrases
        self.min_phrases = min_phrases
        self.relative_cutoff = relative_cutoff
        self.max_inputs_per_theme = max_inputs_per_theme
        self.phrase_bonus = phrase_bonus

    def fit(self, X, y, sample_weight=None):
        """Name the themes of texts ``X`` with theme indices ``y`` (0 .. k-1).

        ``X`` are raw texts (or token lists, whose tokens are then the words).
        """
        texts = [" ".join(x) if isinstance(x, list | tuple) else str(x or "") for x in X]
        labels = np.asarray(y, dtype=np.int64)
        if len(texts) != len(labels):
            raise ValueError("X and y have different lengths")
        k = int(labels.max()) + 1 if len(labels) else 0
        chosen = self._sample(labels, k)
        docs: dict[int, dict[str, str]] = {}
        # Surface forms per theme: a theme shows the words its own inputs used.
        surfaces: list[dict[str, Counter]] = [defaultdict(Counter) for _ in range(k)]
        df_all: Counter = Counter()
        df_theme: list[Counter] = [Counter() for _ in range(k)]
        n_theme = np.zeros(k, dtype=np.int64)
        for i in chosen:
            cands = phrase_candidates(texts[i])
            seen = {}
            for key, surface in cands:
                surfaces[labels[i]][key][surface] += 1
                seen.setdefault(key, surface)
            docs[i] = seen
            df_all.update(seen.keys())
            df_theme[labels[i]].update(seen.keys())
            n_theme[labels[i]] += 1
        n_all = max(1, int(n_theme.sum()))
        self.names_, self.keys_, self.scores_ = [], [], []
        for c in range(k):
            keys, scores = self._rank(df_theme[c], int(n_theme[c]), df_all, n_all)
            self.keys_.append(keys)
            self.scores_.append(scores)
            self.names_.append([self._surface(surfaces[c][key]) for key in keys])
        return self

    def _sample(self, labels: np.ndarray, k: int) -> list[int]:
        out: list[int] = []
        cap = self.max_inputs_per_theme
        for c in range(k):
            members = np.flatnonzero(labels == c)
            if cap and len(members) > cap:
                # Evenly spaced over the members (their order is content-defined).
                members = members[np.linspace(0, len(members) - 1, cap).astype(np.int64)]
            out.extend(int(i) for i in members)
        return out

    @staticmethod
    def _surface(counts: Counter) -> str:
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    def _rank(
        self, df_c: Counter, n_c: int, df_all: Counter, n_all: int
    ) -> tuple[list[str], list[float]]:
        if not df_c or n_c == 0:
            return [], []
        min_df = max(2, math.ceil(0.05 * n_c)) if n_c >= 4 else 1
        scored = []
        for key, d in df_c.items():
            coverage = d / n_c
            lift = coverage / (df_all[key] / n_all)
            words = [w for w in key.split() if w not in JOINERS]
            bg = float(np.mean([background_weight(w) for w in words]))
            score = coverage * math.log2(1.0 + lift) * bg
            if len(words) > 1:
                score *= self.phrase_bonus
            scored.append((score, d, key))
        scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
        strong = [t for t in scored if t[1] >= min_df]
        keys, scores = self._pick(strong, self.n_phrases)
        if len(keys) < self.min_phrases:  # small themes: rarer phrases too
            more, more_scores = self._pick(
                [t for t in scored if t[2] not in keys], self.min_phrases - len(keys), keys
            )
            keys += more
            scores += more_scores
        return keys, scores

    def _pick(self, scored, limit: int, taken: Sequence[str] = ()) -> tuple[list[str], list[float]]:
        keys: list[str] = []
        scores: list[float] = []
        used = {w for key in taken for w in key.split() if w not in JOINERS}
        best = scored[0][0] if scored else 0.0
        for score, _d, key in scored:
            if len(keys) >= limit:
                break
            if keys and len(keys) >= self.min_phrases and score < self.relative_cutoff * best:
                break
            words = {w for w in key.split() if w not in JOINERS}
            if words & used or any(_part_of(w, u) for w in words for u in used):
                continue
            keys.append(key)
            scores.append(round(float(score), 4))
            used |= words
        return keys, scores
