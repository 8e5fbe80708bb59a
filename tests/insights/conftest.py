"""Fixtures for the analysis in the app: focus areas from the seeds, inputs,
reviewers, and one model directory for the whole session (the default tagger
trains once, in about three seconds; a new set of confirmed tags trains anew)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def _shared_models(app, model_dir):
    """Share trained models between tests."""
    app.config["MODEL_DIR"] = str(model_dir)
    yield


@pytest.fixture
def default_areas(session):
    """The 18 default focus areas, as the demo seed creates them."""
    from participation.demo import DemoReport, seed_focus_areas
    from participation.models import FocusArea

    seed_focus_areas(session, DemoReport())
    session.commit()
    return {a.key: a for a in session.query(FocusArea).all()}


# Short, varied inputs in both written forms; a few copy-paste duplicates.
TEXTS = [
    "Vi trenger mer lokalmat i butikkene og på hotellene i regionen.",
    "Lokale matprodusenter må få hjelp til å selge direkte til forbrukerne.",
    "Reiselivet må satse på sesongforlengelse og helårsarbeidsplasser.",
    "Fleire cruiseturistar krev betre planlegging i hamnene våre.",
    "Havbruksnæringa treng fleire fagfolk og betre vegar langs kysten.",
    "Fiskeriene er ryggraden i kystsamfunnene, og kvotene må forbli lokale.",
    "Bygg ut bredbånd og mobildekning i hele fylket, det er avgjørende for næringslivet.",
    "Ferjetilbudet og veiene må bli bedre for at folk skal kunne pendle.",
    "Vi treng fleire lærlingplassar og betre samarbeid mellom skule og næringsliv.",
    "Universitetet bør samarbeide mer med bedriftene om forskning og innovasjon.",
    "Reindrifta treng vern av beiteområda når det kjem nye vindkraftverk.",
    "Fornybar energi og kraftlinjer må bygges ut for ny industri.",
    "Gründere trenger enklere tilgang til kapital og rådgivning.",
    "Landbruket trenger bedre rammevilkår for å holde jordbruksarealene i drift.",
    "Skaff flere boliger slik at unge vil flytte tilbake til distriktene.",
    "Stopp nedleggelsen av skolen i bygda vår! Vi vil ha levende lokalsamfunn.",
    "Stopp nedleggelsen av skolen i bygda vår! Vi vil ha levende lokalsamfunn.",
    "Stopp nedleggelsen av skolen i bygda vår!! Vi vil ha levende lokalsamfunn.",
]


@pytest.fixture
def corpus(make_input, make_region, session, default_areas):
    """The inputs of TEXTS, spread over two regions and channels."""
    nord = make_region(slug="nord-troms", name="Nord-Troms")
    sor = make_region(slug="sor-troms", name="Sør-Troms")
    session.commit()
    items = []
    for i, text in enumerate(TEXTS):
        items.append(
            make_input(
                text,
                region_id=(nord if i % 2 else sor).id,
                respondent_category="business" if i % 3 == 0 else "citizen",
            )
        )
    return items


@pytest.fixture
def run_analysis(session, app):
    """Carry out a run synchronously, as the command line does."""
    from participation.insights import runs

    def run(**kwargs):
        kwargs.setdefault("model_dir", app.config["MODEL_DIR"])
        kwargs.setdefault("actor", "test")
        found = runs.run_now(session, **kwargs)
        assert found.status == "done", found.error
        return found

    return run
