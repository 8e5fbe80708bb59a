"""Norwegian text preprocessing and compound-aware features.

Everything here works offline: the stopwords are bundled in ``analysis/data`` and NLTK's
Snowball stemmer for Norwegian needs no corpus download.

Pipeline shape (see :func:`make_feature_union`)::

    raw text --NorwegianTokenizer--> token lists --+--StemNgramTfidf--+--> sparse features
                                                   +--CharNgramTfidf--+

The tokenizer runs once; both feature branches read its token lists. Stemmed word
n-grams carry the vocabulary, character n-grams inside word boundaries (``char_wb``)
carry the parts of long compounds ("lokalmatprodusentene" shares "lokal", "matp", "produ"
with "lokalmat" and "matprodusent").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from itertools import repeat
from typing import Literal

import numpy as np
import scipy.sparse as sp
from nltk.stem.snowball import SnowballStemmer
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "URL_MASK",
    "EMAIL_MASK",
    "NUMBER_MASK",
    "STOPWORDS",
    "normalize",
    "tokenize",
    "stem",
    "stem_tokens",
    "load_stopwords",
    "load_generic_words",
    "load_written_form_table",
    "to_bokmal",
    "bokmal_zipf",
    "detect_written_form",
    "detect_register",
    "NorwegianTokenizer",
    "StemNgramTfidf",
    "CharNgramTfidf",
    "make_feature_union",
]

URL_MASK = "urlmask"
EMAIL_MASK = "epostmask"
NUMBER_MASK = "tallmask"
MASKS = frozenset({URL_MASK, EMAIL_MASK, NUMBER_MASK})

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Digits, with the separators Norwegian writes inside numbers (1 000, 1.000, 2,5, 12:00).
_NUMBER_RE = re.compile(r"\d+(?:[ .,:/-]\d+)*")
# Letters only (so masks and numbers never form tokens); hyphens split compounds such as
# "FoU-miljø" into their parts.
_TOKEN_RE = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def load_stopwords() -> frozenset[str]:
    """The bundled Bokmål + Nynorsk stopword list (see ``data/stopwords_no.txt``)."""
    text = resources.files("analysis").joinpath("data/stopwords_no.txt").read_text("utf-8")
    words = set()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(unicodedata.normalize("NFKC", line).lower())
    return frozenset(words)


STOPWORDS: frozenset[str] = load_stopwords()


@lru_cache(maxsize=1)
def load_generic_words() -> frozenset[str]:
    """Generic consultation words ("strategien", "trenger", "kommunen" ...).

    Dropped before clustering and theme naming only; see ``data/generic_words_no.txt``.
    """
    text = resources.files("analysis").joinpath("data/generic_words_no.txt").read_text("utf-8")
    return frozenset(
        unicodedata.normalize("NFKC", line.strip()).lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


@lru_cache(maxsize=1)
def _bokmal_frequencies() -> dict[str, float]:
    # wordfreq's Norwegian Bokmål list, bundled with the package (no download).
    from wordfreq import get_frequency_dict

    return get_frequency_dict("nb", wordlist="large")


def bokmal_zipf(word: str) -> float:
    """Zipf frequency of ``word`` (lower case) in wordfreq's Bokmål list; 0 if unknown.

    The Zipf scale is log10 of occurrences per billion words: about 7 for "og", 5 for
    "kommunen", 3 for "reiseliv".
    """
    f = _bokmal_frequencies().get(word, 0.0)
    return round(math.log10(f * 1e9), 2) if f > 0 else 0.0


@lru_cache(maxsize=1)
def load_written_form_table() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """The Nynorsk -> Bokmål table (``data/nynorsk_bokmal.txt``): word forms and endings.

    Returns ``(words, endings)``: a dict of Nynorsk form to Bokmål form, and the ending
    rewrites ``(nn, nb)``, longest first.
    """
    text = resources.files("analysis").joinpath("data/nynorsk_bokmal.txt").read_text("utf-8")
    words: dict[str, str] = {}
    endings: list[tuple[str, str]] = []
    section = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = unicodedata.normalize("NFKC", raw.split("#", 1)[0]).strip().lower()
        if not line:
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        left, sep, right = line.partition("=")
        nn, nb = left.split(), right.split()
        if not sep or not nn or len(nn) != len(nb):
            raise ValueError(f"nynorsk_bokmal.txt:{n}: forms on both sides must pair up")
        if section == "words":
            words.update(zip(nn, nb, strict=True))
        elif section == "endings" and len(nn) == 1:
            endings.append((nn[0], nb[0]))
        else:
            raise ValueError(f"nynorsk_bokmal.txt:{n}: outside [words] / [endings]")
    endings.sort(key=lambda e: -len(e[0]))
    return words, tuple(endings)


_BOKMAL_CACHE: dict[str, str] = {}


def _rewrite_ending(word: str, endings: Sequence[tuple[str, str]]) -> str:
    for nn, nb in endings:
        if not word.endswith(nn) or len(word) < len(nn) + 3:
            continue
        cand = word[: len(word) - len(nn)] + nb
        z_cand, z_word = bokmal_zipf(cand), bokmal_zipf(word)
        if z_cand >= 1.5 and z_cand > z_word + 0.5:
            return cand
        # Compounds ("lokalmatprodusentar"): the last part decides.
        for i in range(3, len(word) - len(nn) - 3):
            tail_c, tail_w = cand[i:], word[i:]
            z_tail = bokmal_zipf(tail_c)
            if z_tail >= 3.0 and z_tail > bokmal_zipf(tail_w) + 1.0:
                return cand
        return word  # only the longest matching ending is tried
    return word


def to_bokmal(word: str) -> str:
    """The Bokmål form of a lower-case Nynorsk word form, or the word itself.

    Listed forms first (``vegar`` -> ``veier``, ``kome`` -> ``komme``, ``bustad`` ->
    ``bolig``), then ending rewrites (``-ar`` -> ``-er``, ``-ane`` -> ``-ene``, ``-leg``
    -> ``-lig``, ``-heit`` -> ``-het`` ...) kept only when they give a clearly more
    frequent Bokmål word. Bokmål words come back unchanged. See
    ``data/nynorsk_bokmal.txt`` for the table and its source.

    >>> [to_bokmal(w) for w in ["vegar", "ikkje", "byggje", "utfordringar", "fisk"]]
    ['veier', 'ikke', 'bygge', 'utfordringer', 'fisk']
    """
    out = _BOKMAL_CACHE.get(word)
    if out is None:
        words, endings = load_written_form_table()
        out = words.get(word)
        if out is None:
            out = _rewrite_ending(word, endings) if len(word) >= 5 else word
        if len(_BOKMAL_CACHE) < _STEM_CACHE_MAX:
            _BOKMAL_CACHE[word] = out
    return out


_STEMMER = SnowballStemmer("norwegian")
_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_MAX = 500_000


def stem(word: str) -> str:
    """Snowball 'norwegian' stem of a lower-case word (cached)."""
    s = _STEM_CACHE.get(word)
    if s is None:
        s = _STEMMER.stem(word)
        if len(_STEM_CACHE) < _STEM_CACHE_MAX:
            _STEM_CACHE[word] = s
    return s


def stem_tokens(tokens: Iterable[str]) -> list[str]:
    """Stems of ``tokens``, in order."""
    cache = _STEM_CACHE
    out = []
    for t in tokens:
        s = cache.get(t)
        if s is None:
            s = stem(t)
        out.append(s)
    return out


def normalize(text: str) -> str:
    """NFKC-normalise, lower-case and mask URLs, e-mail addresses and numbers.

    >>> normalize("Se www.troms.no eller skriv til Ola@Example.no før 12.03.2024!")
    'se urlmask eller skriv til epostmask før tallmask !'
    """
    text = unicodedata.normalize("NFKC", str(text)).lower()
    # Soft hyphens and zero-width characters break words in pasted text.
    if "\u00ad" in text or "\u200b" in text:
        text = text.replace("\u00ad", "").replace("\u200b", "")
    # Cheap substring checks first: most inputs have no URL or e-mail address.
    if "http" in text or "www." in text:
        text = _URL_RE.sub(f" {URL_MASK} ", text)
    if "@" in text:
        text = _EMAIL_RE.sub(f" {EMAIL_MASK} ", text)
    text = _NUMBER_RE.sub(f" {NUMBER_MASK} ", text)
    return " ".join(text.split())


def tokenize(
    text: str,
    *,
    remove_stopwords: bool = True,
    keep_masks: bool = False,
    min_length: int = 2,
    bokmal: bool = False,
) -> list[str]:
    """Normalised word tokens of ``text``.

    Stopwords (both written forms) and mask placeholders are dropped unless asked for.
    ``bokmal=True`` writes Nynorsk forms as Bokmål (:func:`to_bokmal`), so the two
    written forms of a word become one token.
    """
    tokens = _TOKEN_RE.findall(normalize(text))
    stop = STOPWORDS if remove_stopwords else frozenset()
    out = [
        t
        for t in tokens
        if len(t) >= min_length and t not in stop and (keep_masks or t not in MASKS)
    ]
    if bokmal:
        cache = _BOKMAL_CACHE
        out = [cache.get(t) or to_bokmal(t) for t in out]
        if remove_stopwords:
            out = [t for t in out if t not in stop]
    return out


# --- written form -------------------------------------------------------------------


# Words that are spelled differently in Nynorsk and Bokmål. Weight 2 for the most
# frequent, unambiguous pairs; 1 for the rest.
def _words(text: str) -> list[str]:
    return text.split()


_NN_MARKERS: dict[str, int] = {
    **dict.fromkeys(
        _words("ikkje eg kva korleis noko nokon frå berre vere ein eit meir mykje kvifor"), 2
    ),
    **dict.fromkeys(
        _words(
            "dei ho høyre kven kvar òg difor fleire heile sjølv vore medan sidan saman "
            "verksemd verksemder verksemda tenester teneste bustad bustader tilbod skule "
            "ynskjer ønskjer gjer gjere eigen eiga eigne dykk dykkar hjå annan anna nokre "
            "einskilde berekraft berekraftig næringane kommunane bedriftane mogleg "
            "moglegheit moglegheiter viktigaste særleg vanleg offentleg heim heime kjem "
            "kome vart vert verte treng meiner veit tek gjev seier desse utan kvarandre "
            "framleis tilsette byggje leggje liggje kjøt mjølk vatn ungdomen eigarar "
            "ynskje dagleg gjeve teke sett ikkje"
        ),
        1,
    ),
}
_NB_MARKERS: dict[str, int] = {
    **dict.fromkeys(_words("ikke jeg hva hvordan noe noen fra bare være en et mer mye hvorfor"), 2),
    **dict.fromkeys(
        _words(
            "de hun høre hvem hvor hver derfor flere hele selv vært mens siden sammen "
            "virksomhet virksomheter virksomheten tjenester tjeneste bolig boliger tilbud "
            "skole ønsker gjør gjøre egen egne hos annen annet enkelte bærekraft "
            "bærekraftig næringene mulig mulighet muligheter viktigste særlig vanlig "
            "offentlig hjem hjemme kommer komme ble tiden framtiden fremtiden trenger "
            "mener vet tar gir sier disse uten hverandre fortsatt ansatte bygge legge "
            "ligge kjøtt melk vann ungdommen eiere ønske daglig gitt tatt"
        ),
        1,
    ),
}

_EN_MARKERS = frozenset(
    _words(
        "the and of to is that we should would this are be have with our it not for you "
        "they their there which from more can will"
    )
)
_WORD_RE = re.compile(r"[^\W\d_]+")
_NN_ENDING_RE = re.compile(
    r"\b(?:[^\W\d_]{4,}(?:leg|ane|heit)|[^\W\d_]{3,}(?:lege|arar|heita)|[^\W\d_]{2,}heiter"
    r"|[^\W\d_]{5,}(?<!kl)(?<!v)(?<!b)(?<!p)ar)\b"
)
_NB_ENDING_RE = re.compile(
    r"\b(?:[^\W\d_]{4,}(?:lig|het)|[^\W\d_]{3,}(?:lige)|[^\W\d_]{2,}(?:heten|heter))\b"
)


# Northern Sami (davvisámegiella): its own letters, and common words that are not also
# Norwegian words ("man", "min", "du", "ja", "vel" are left out for that reason).
_SE_LETTERS_RE = re.compile(r"[čđŋšŧž]")
_SE_MARKERS = frozenset(
    _words(
        "ahte lea leat leai ledje ii eai in it mii mun don son dat dan dán dáid dain dahje "
        "galgá galget galgat galggašii galggaše sáhttá sáhttet sáhtášii maiddái dušše muhto "
        "danne ollu vai maid das dasa doppe dákko gos goas mo makkár olbmot olbmuid "
        "guovllu guovllus mis midjiide iežas eanet buorre buori ođđa ovdal maŋŋá "
        "bargu bargosajit ealáhus ealáhusat boazodoallu guolástus mátkeealáhus "
        "sámegiella sámegillii sámi sápmi giitu bures dearvvuođat mearrida gulahallat "
        "nuorat nuoraid mánát skuvla báikkálaš"
    )
)


def written_form_scores(text: str) -> dict[str, int]:
    """Evidence counts behind :func:`detect_written_form` (``nb``, ``nn``, ``en``, ``se``)."""
    words = _WORD_RE.findall(unicodedata.normalize("NFKC", str(text)).lower())
    zeros = repeat(0)
    nn = sum(map(_NN_MARKERS.get, words, zeros))
    nb = sum(map(_NB_MARKERS.get, words, zeros))
    en = len(_EN_MARKERS.intersection(words))
    # Endings that differ: -leg/-lig, -heit/-het, and Nynorsk plurals -ar/-ane (words of
    # seven letters or more).
    lowered = " ".join(words)
    nn += len(_NN_ENDING_RE.findall(lowered))
    nb += len(_NB_ENDING_RE.findall(lowered))
    # Northern Sami: marker words, and words with a letter only Sami uses (č đ ŋ š ŧ ž).
    se = sum(w in _SE_MARKERS or bool(_SE_LETTERS_RE.search(w)) for w in words)
    return {"nb": nb, "nn": nn, "en": en, "se": se}


def detect_written_form(text: str) -> Literal["nb", "nn", "se", "other"]:
    """Guess whether ``text`` is Bokmål (``"nb"``), Nynorsk (``"nn"``), Northern Sami
    (``"se"``) or neither.

    Marker-word based: words spelled differently in the two written forms (ikkje/ikke,
    eg/jeg, kva/hva, korleis/hvordan, frå/fra, berre/bare ...) and the endings -leg/-lig,
    -heit/-het. Northern Sami by its own letters (č đ ŋ š ŧ ž) and common words (ahte,
    lea, leat, dahje, galgá ...): at least three such words, and more of them than
    Norwegian markers, so a Norwegian text naming Sami places (Kárášjohka,
    Guovdageaidnu) stays Norwegian. ``"other"`` means English (or another language) or
    too little evidence.
    """
    s = written_form_scores(text)
    nb, nn, en = s["nb"], s["nn"], s["en"]
    if s["se"] >= 3 and s["se"] > nb + nn + en:
        return "se"
    if en >= 2 and en > nb + nn:
        return "other"
    if nn == nb:  # no markers at all, or as many of each
        return "other"
    return "nn" if nn > nb else "nb"


# --- register -------------------------------------------------------------------------

# Words of planning documents ("Regionen skal legge til rette for ...", "herunder",
# "virkemiddelapparatet"), in both written forms.
_OFFICIAL_MARKERS = frozenset(
    _words(
        "skal bidra tilrettelegge herunder samt satsingsområde satsingsområder "
        "satsingsområda målsetting målsetning delmål strategi strategien strategiar "
        "strategier virkemiddel virkemidler verkemiddel verkemidla virkemiddelapparatet "
        "verkemiddelapparatet fylkeskommunen regionen regionens næringslivet næringsliv "
        "verdiskaping prioritere prioriteres prioriterast styrke styrkes styrkje styrkjast "
        "sikre sikres sikrast aktører aktørar aktørene aktørane partnerskap partnarskap "
        "arbeide etablere etableres etablerast utvikle utvikles utviklast ivaretas gjennom"
    )
)
_FIRST_PERSON_SINGULAR = frozenset(_words("jeg eg meg mine min mitt"))


def detect_register(text: str) -> Literal["official", "citizen"]:
    """``"official"`` for the register of planning documents and formal responses (long
    sentences, planning words, no "jeg"/"eg"), else ``"citizen"``.

    A heuristic for reporting quality by register (``python -m analysis evaluate``): at
    least 8 words per sentence on average, at least 8 % of the words from a list of
    planning words ("skal", "bidra", "herunder", "verdiskaping", "virkemiddel" ...), and
    no first person singular.
    """
    words = _WORD_RE.findall(unicodedata.normalize("NFKC", str(text)).lower())
    if not words or _FIRST_PERSON_SINGULAR.intersection(words):
        return "citizen"
    sentences = [s for s in re.split(r"[.!?]+", str(text)) if s.strip()]
    per_sentence = len(words) / max(1, len(sentences))
    density = sum(w in _OFFICIAL_MARKERS for w in words) / len(words)
    return "official" if per_sentence >= 8 and density >= 0.08 else "citizen"


# --- transformers ---------------------------------------------------------------------


def _as_token_docs(X: Iterable[str] | Iterable[Sequence[str]]) -> list[list[str]]:
    docs = []
    for doc in X:
        if isinstance(doc, str):
            raise TypeError("expected token lists; put a NorwegianTokenizer first")
        docs.append(list(doc))
    return docs


class NorwegianTokenizer(TransformerMixin, BaseEstimator):
    """Turn raw Norwegian texts into lists of normalised word tokens.

    Stateless: normalisation (NFKC, lower case, URL/e-mail/number masking), regex
    tokenisation, removal of the bundled Bokmål + Nynorsk stopwords and Nynorsk forms
    written as Bokmål (so "vegar" and "veier" are one feature: topics, not written forms,
    drive the tags and themes). Documents that are already token lists pass through
    unchanged, so a caller can tokenise once and feed several pipelines.

    Parameters
    ----------
    remove_stopwords : bool, default=True
        Drop words from the bundled stopword list.
    min_length : int, default=2
        Shortest token kept.
    bokmal : bool, default=True
        Write Nynorsk word forms as Bokmål (:func:`to_bokmal`).

    Examples
    --------
    >>> NorwegianTokenizer().transform(["Vi treng fleire lokalmatprodusentar!"])
    [['trenger', 'lokalmatprodusenter']]
    """

    def __init__(
        self, *, remove_stopwords: bool = True, min_length: int = 2, bokmal: bool = True
    ) -> None:
        self.remove_stopwords = remove_stopwords
        self.min_length = min_length
        self.bokmal = bokmal

    def fit(self, X, y=None):
        """No-op; returns self."""
        return self

    def transform(self, X) -> list[list[str]]:
        """Token lists for ``X`` (an iterable of strings or of token lists)."""
        if isinstance(X, str):
            raise TypeError("X must be an iterable of documents, not a single string")
        intern: dict[str, str] = {}
        out = []
        for doc in X:
            if isinstance(doc, list | tuple):
                out.append(list(doc))
                continue
            if doc is None or (isinstance(doc, float) and doc != doc):
                doc = ""
            toks = tokenize(
                doc,
                remove_stopwords=self.remove_stopwords,
                min_length=self.min_length,
                bokmal=self.bokmal,
            )
            # Share one string object per distinct token: big corpora repeat words a lot.
            out.append([intern.setdefault(t, t) for t in toks])
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


class StemNgramTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF over n-grams of Snowball 'norwegian' stems.

    Input is token lists (from :class:`NorwegianTokenizer`); each token is stemmed, so
    "fiskeriene", "fiskeriet" and "fiskeri" count as one feature.

    Parameters
    ----------
    ngram_range : tuple of int, default=(1, 2)
        Word n-gram lengths.
    min_df, max_df : int or float
        Document-frequency cut-offs, as in :class:`~sklearn.feature_extraction.text.TfidfVectorizer`.
    max_features : int or None, default=None
        Keep only the most frequent n-grams (caps memory on large corpora).
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)``.
    dtype : numpy dtype, default=numpy.float32

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
        The fitted vectoriser over space-joined stems.
    vocabulary_ : dict
        Feature (stem n-gram) to column index.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        dtype=np.float32,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.dtype = dtype

    @staticmethod
    def _joined(X) -> list[str]:
        return [" ".join(stem_tokens(doc)) for doc in _as_token_docs(X)]

    def _make_vectorizer(self, n_docs: int) -> TfidfVectorizer:
        min_df, max_df = self.min_df, self.max_df
        # Tiny corpora (a handful of inputs) must not fail on the cut-offs.
        if isinstance(min_df, int) and min_df > max(1, n_docs // 2):
            min_df = 1
        if isinstance(max_df, float) and n_docs * max_df < 1:
            max_df = 1.0
        return TfidfVectorizer(
            analyzer="word",
            token_pattern=r"(?u)\S+",
            lowercase=False,
            ngram_range=tuple(self.ngram_range),
            min_df=min_df,
            max_df=max_df,
            max_features=self.max_features,
            sublinear_tf=self.sublinear_tf,
            dtype=self.dtype,
        )

    def fit(self, X, y=None):
        """Learn the stem n-gram vocabulary and IDF weights from token lists."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        docs = self._joined(X)
        self.vectorizer_ = self._make_vectorizer(len(docs))
        try:
            Xt = self.vectorizer_.fit_transform(docs)
        except ValueError:
            # Empty vocabulary (all stopwords): fall back to no cut-offs.
            self.vectorizer_.set_params(min_df=1, max_df=1.0)
            Xt = self.vectorizer_.fit_transform(docs + ["tomt"])[:-1]
        self.vocabulary_ = self.vectorizer_.vocabulary_
        self.n_features_out_ = len(self.vocabulary_)
        return Xt

    def transform(self, X):
        """Sparse TF-IDF matrix of shape (n_docs, n_features)."""
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_.transform(self._joined(X))

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "vectorizer_")
        return np.asarray(["stem:" + f for f in self.vectorizer_.get_feature_names_out()])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _char_wb_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    w = f" {word} "
    L = len(w)
    grams = []
    for n in range(min_n, max_n + 1):
        if n > L:
            break
        grams.extend(w[i : i + n] for i in range(L - n + 1))
    return grams


def _doc_word_matrix(docs: list[list[str]]) -> tuple[sp.csr_matrix, list[str]]:
    """Counts of each distinct word per document (CSR) and the words in column order."""
    index: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for doc in docs:
        for t in doc:
            j = index.get(t)
            if j is None:
                j = index[t] = len(index)
            indices.append(j)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    D = sp.csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(docs), len(index)),
    )
    D.sum_duplicates()
    return D, list(index)


class CharNgramTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF over character n-grams inside word boundaries (``char_wb``).

    Same features as ``TfidfVectorizer(analyzer="char_wb")`` over the tokens, computed
    once per distinct word and combined by a sparse product (documents x words) x
    (words x n-grams), which is much faster on large corpora than per-document n-gram
    loops. Parts of long compounds ("reinbeiteområdene", "næringsarealer") then match
    the simple words they are made of.

    Parameters
    ----------
    ngram_range : tuple of int, default=(3, 5)
        Character n-gram lengths (a space marks each word boundary).
    min_df : int, default=2
        Ignore n-grams found in fewer documents.
    max_df : float, default=1.0
        Ignore n-grams found in a larger share of documents.
    max_features : int or None, default=None
        Keep only the n-grams found in most documents.
    sublinear_tf : bool, default=True
    dtype : numpy dtype, default=numpy.float32

    Attributes
    ----------
    vocabulary_ : dict
        n-gram to column index.
    tfidf_ : TfidfTransformer
        Fitted IDF weights.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (3, 5),
        min_df: int = 2,
        max_df: float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        dtype=np.float32,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.dtype = dtype

    def _word_gram_matrix(self, words: list[str], vocab: dict[str, int] | None):
        """(words x n-grams) count matrix; with ``vocab=None`` builds a new vocabulary."""
        min_n, max_n = self.ngram_range
        grow = vocab is None
        if grow:
            vocab = {}
        indices: list[int] = []
        indptr = [0]
        for w in words:
            for g in _char_wb_ngrams(w, min_n, max_n):
                j = vocab.get(g)
                if j is None:
                    if not grow:
                        continue
                    j = vocab[g] = len(vocab)
                indices.append(j)
            indptr.append(len(indices))
        W = sp.csr_matrix(
            (
                np.ones(len(indices), dtype=np.float32),
                np.asarray(indices, dtype=np.int64),
                np.asarray(indptr, dtype=np.int64),
            ),
            shape=(len(words), len(vocab)),
        )
        W.sum_duplicates()
        return W, vocab

    def _counts(self, X, vocab):
        docs = _as_token_docs(X)
        D, words = _doc_word_matrix(docs)
        W, vocab = self._word_gram_matrix(words, vocab)
        C = (D @ W).tocsr()
        return C, vocab

    def fit(self, X, y=None):
        """Learn the n-gram vocabulary and IDF weights from token lists."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        C, vocab = self._counts(X, None)
        n_docs = C.shape[0]
        df = np.bincount(C.indices, minlength=C.shape[1])
        min_df = self.min_df if self.min_df <= max(1, n_docs // 2) else 1
        keep = df >= min_df
        if self.max_df < 1.0:
            keep &= df <= max(1, self.max_df * n_docs)
        if not keep.any():
            keep = df > 0
        cols = np.flatnonzero(keep)
        if self.max_features is not None and len(cols) > self.max_features:
            # Most frequent n-grams first; ties broken by index for determinism.
            order = np.lexsort((cols, -df[cols]))
            cols = np.sort(cols[order[: self.max_features]])
        names = np.empty(len(vocab), dtype=object)
        for g, j in vocab.items():
            names[j] = g
        kept_names = names[cols]
        self.vocabulary_ = {g: i for i, g in enumerate(kept_names)}
        C = C[:, cols]
        if not self.vocabulary_:
            # No words at all (only numbers or punctuation): one placeholder column that
            # no word can produce keeps the output shape valid.
            self.vocabulary_ = {"\x00": 0}
            C = sp.csr_matrix((n_docs, 1), dtype=np.float32)
        self.tfidf_ = TfidfTransformer(sublinear_tf=self.sublinear_tf)
        Xt = self.tfidf_.fit_transform(C)
        self.n_features_out_ = len(self.vocabulary_)
        return Xt.astype(self.dtype, copy=False)

    def transform(self, X):
        """Sparse TF-IDF matrix of shape (n_docs, n_features)."""
        check_is_fitted(self, ["vocabulary_", "tfidf_"])
        C, _ = self._counts(X, self.vocabulary_)
        return self.tfidf_.transform(C).astype(self.dtype, copy=False)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "vocabulary_")
        names = np.empty(len(self.vocabulary_), dtype=object)
        for g, j in self.vocabulary_.items():
            names[j] = "char:" + g
        return names

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def make_feature_union(
    *,
    word_ngram_range: tuple[int, int] = (1, 2),
    word_min_df: int | float = 1,
    word_max_df: int | float = 1.0,
    word_max_features: int | None = 200_000,
    char_ngram_range: tuple[int, int] = (3, 5),
    char_min_df: int = 2,
    char_max_features: int | None = 200_000,
    char_weight: float = 1.0,
) -> FeatureUnion:
    """Stemmed word n-grams + ``char_wb`` n-grams, side by side (input: token lists)."""
    return FeatureUnion(
        [
            (
                "stems",
                StemNgramTfidf(
                    ngram_range=word_ngram_range,
                    min_df=word_min_df,
                    max_df=word_max_df,
                    max_features=word_max_features,
                ),
            ),
            (
                "chars",
                CharNgramTfidf(
                    ngram_range=char_ngram_range,
                    min_df=char_min_df,
                    max_features=char_max_features,
                ),
            ),
        ],
        transformer_weights={"stems": 1.0, "chars": char_weight},
    )
