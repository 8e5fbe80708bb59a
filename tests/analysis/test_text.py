import numpy as np
import pytest

from analysis.text import (
    EMAIL_MASK,
    NUMBER_MASK,
    STOPWORDS,
    URL_MASK,
    CharNgramTfidf,
    NorwegianTokenizer,
    StemNgramTfidf,
    detect_written_form,
    make_feature_union,
    normalize,
    stem,
    tokenize,
)


def test_normalize_masks_urls_emails_numbers_and_lowercases():
    out = normalize("Se https://www.Troms.no/strategi, skriv til Ola.N@Example.no før 12.03.2024!")
    assert URL_MASK in out and EMAIL_MASK in out and NUMBER_MASK in out
    assert "troms.no" not in out and "example" not in out and "2024" not in out
    assert out == out.lower()


def test_normalize_nfkc_and_soft_hyphen():
    # Full-width letters and a soft hyphen inside a pasted word.
    assert normalize("ＦｏＵ lærings\u00adsenter") == "fou læringssenter"


def test_tokenize_drops_stopwords_of_both_forms_and_masks():
    toks = tokenize("Eg meiner at vi ikkje har nok lokalmat, og jeg synes det er ikke bra. 42")
    for w in ("eg", "ikkje", "jeg", "ikke", "og", "det", "er", NUMBER_MASK):
        assert w not in toks
    assert "lokalmat" in toks


@pytest.mark.parametrize("word", ["eg", "ikkje", "noko", "kva", "korleis", "dei", "berre", "mykje"])
def test_nynorsk_function_words_are_stopwords(word):
    assert word in STOPWORDS


def test_stemming_merges_inflections():
    assert stem("fiskeriene") == stem("fiskeriet") == stem("fiskeri")
    assert stem("næringsarealer") == stem("næringsareal")


@pytest.mark.parametrize(
    "compound, part",
    [
        ("lokalmatprodusentene", "lokalmat"),
        ("reinbeiteområdene", "reinbeite"),
        ("næringsarealer", "areal"),
    ],
)
def test_char_ngrams_connect_compounds_to_their_parts(compound, part):
    docs = [[compound], [part], ["ferje"], ["skole"]]
    X = CharNgramTfidf(min_df=1).fit_transform(docs)
    sims = (X @ X.T).toarray()
    assert sims[0, 1] > 0.1
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[0, 3]


def test_char_ngrams_match_sklearn_char_wb_features():
    from sklearn.feature_extraction.text import CountVectorizer

    docs = [["lokalmat", "produsent"], ["reinbeite"]]
    ours = set(CharNgramTfidf(min_df=1).fit(docs).vocabulary_)
    ref = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit([" ".join(d) for d in docs])
    assert ours == set(ref.vocabulary_)


@pytest.mark.parametrize(
    "text, form",
    [
        ("Eg meiner kommunen ikkje gjer nok for dei unge, og det er berre prat.", "nn"),
        ("Korleis skal vi få fleire til å flytte hit når det ikkje finst bustader?", "nn"),
        ("Jeg mener kommunen ikke gjør nok for de unge, og det er bare prat.", "nb"),
        ("Hvordan skal vi få flere til å flytte hit når det ikke finnes boliger?", "nb"),
        ("We need better roads and the ferry should run more often.", "other"),
        ("Lokalmat!", "other"),
        ("", "other"),
    ],
)
def test_detect_written_form(text, form):
    assert detect_written_form(text) == form


def test_detect_written_form_on_bundled_examples(examples):
    labelled = [r for r in examples if r["form"] in ("nb", "nn")]
    hits = sum(detect_written_form(r["text"]) == r["form"] for r in labelled)
    wrong = sum(detect_written_form(r["text"]) not in (r["form"], "other") for r in labelled)
    assert hits / len(labelled) >= 0.75
    assert wrong / len(labelled) <= 0.05


def test_tokenizer_passes_token_lists_through():
    tok = NorwegianTokenizer()
    assert tok.transform([["allerede", "tokens"]]) == [["allerede", "tokens"]]
    assert tok.transform(["Fiskeri og havbruk"]) == [["fiskeri", "havbruk"]]
    with pytest.raises(TypeError):
        tok.transform("ikke en liste")


def test_feature_union_outputs_both_blocks():
    docs = NorwegianTokenizer().transform(
        ["Vi trenger flere lokalmatprodusenter", "Reindrifta trenger beite", "Ny ferje"] * 2
    )
    fu = make_feature_union(char_min_df=1).fit(docs)
    X = fu.transform(docs)
    names = fu.get_feature_names_out()
    assert X.shape == (6, len(names))
    assert any("stem:" in n for n in names) and any("char:" in n for n in names)
    assert X.dtype == np.float32


def test_stem_tfidf_handles_tiny_and_empty_corpora():
    X = StemNgramTfidf(min_df=2).fit_transform([["fisk"], []])
    assert X.shape[0] == 2


# Northern Sami sentences of our own writing, in the register people write to a county.
SAMI_TEXTS = [
    "Mun háliidan ahte fylkkagielda vuoruhivččii boazodoalu ja báikkálaš biepmu.",
    "Min guovllus váilot bargosajit nuoraide, ja danne olbmot fárrejit eret.",
    "Guolástus lea deaŧalaš ealáhus rittus, muhto vuotnaguolásteaddjit dárbbašit buoret "
    "vejolašvuođaid.",
    "Galgá leat vejolaš oažžut bálvalusaid sámegillii buot suohkaniin.",
    "Mátkeealáhus sáhttá addit eanet bargosajiid jus sámi kultuvra čájehuvvo árvvus.",
    "Giitu go beasan cealkit oaivila. Dát lea buorre álgu.",
    "Skuvla ja mánáidgárdi leat dehálaččat vai nuorat bissot báikegoddái.",
    "Boazodoallu dárbbaša eatnamiid. Bieggafápmorusttegat eai galgga huksejuvvot "
    "guohtuneatnamiidda.",
]

# Norwegian that must not be taken for Sami: Sami places and words named in passing.
NOT_SAMI = [
    ("Reindrifta i Kautokeino (Guovdageaidnu) og Karasjok (Kárášjohka) treng meir beite.", "nn"),
    ("Vi ønsker at fylkeskommunen satser på sámi kultur og reiseliv i Kåfjord/Gáivuotna.", "nb"),
    ("Jeg bor i Lavangen (Loabát) og vil ha bedre busstilbud om kvelden.", "nb"),
    ("Eg driv gard i Storfjord, og vi treng fleire unge i bygda.", "nn"),
    ("Marked for lokalmat: ja takk, men det må være lønnsomt for bonden.", "nb"),
]


@pytest.mark.parametrize("text", SAMI_TEXTS)
def test_sami_is_recognised(text):
    assert detect_written_form(text) == "se"


@pytest.mark.parametrize(("text", "form"), NOT_SAMI)
def test_norwegian_naming_sami_places_is_not_sami(text, form):
    assert detect_written_form(text) == form


def test_no_bundled_norwegian_example_is_taken_for_sami(examples):
    assert not [r["text"] for r in examples if detect_written_form(r["text"]) == "se"]
