"""General Norwegian word frequencies: the background theme names are chosen against.

The frequencies are the Norwegian Bokmål list of the ``wordfreq`` package (Robyn Speer
et al., Apache-2.0; data from Wikipedia, subtitles, news, books, web text and more),
bundled with the package, so nothing is downloaded. Nynorsk words are first written as
Bokmål (:func:`analysis.text.to_bokmal`), so "ikkje" is as frequent as "ikke".

A *filler* word is one that general Norwegian uses so often that it says nothing about a
theme ("faktisk", "igjen", "gir", "står", "nesten", "gjerne"): a stopword, or a word at or
above :data:`FILLER_ZIPF` on the Zipf scale (log10 of occurrences per billion words; 5.5
is about one word in 3 000). Filler words never start or end a phrase of a theme name.
"""

from __future__ import annotations

from functools import lru_cache

from .text import STOPWORDS, bokmal_zipf, to_bokmal

__all__ = ["FILLER_ZIPF", "zipf", "is_filler", "background_weight"]

FILLER_ZIPF = 5.5


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """Zipf frequency (0 = unknown, about 7 for the commonest words) of ``word`` in general
    Norwegian, Nynorsk forms read as their Bokmål equivalents."""
    w = str(word).lower()
    return max(bokmal_zipf(w), bokmal_zipf(to_bokmal(w)))


def is_filler(word: str) -> bool:
    """A stopword or a word general Norwegian uses at least :data:`FILLER_ZIPF` often."""
    w = str(word).lower()
    return w in STOPWORDS or to_bokmal(w) in STOPWORDS or zipf(w) >= FILLER_ZIPF


def background_weight(word: str) -> float:
    """How much a word can say about a theme, from its general frequency: 1 for rare
    words (Zipf up to 3.5), falling linearly to 0.1 at :data:`FILLER_ZIPF` and above."""
    z = zipf(word)
    return float(min(1.0, max(0.1, 1.0 - 0.9 * (z - 3.5) / (FILLER_ZIPF - 3.5))))
