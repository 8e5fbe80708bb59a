"""Translated names for what the analysis pages show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from participation.backoffice.labels import (
    CHANNEL_LABELS,
    RESPONDENT_CATEGORY_LABELS,
    WRITTEN_FORM_LABELS,
)

STAGE_LABELS = {
    "queued": _l("Waiting to start"),
    "reading": _l("Reading the input"),
    "training": _l("Training the model on the confirmed tags"),
    "model": _l("Preparing the model"),
    "preprocess": _l("Preparing the texts"),
    "tagging": _l("Suggesting focus areas"),
    "duplicates": _l("Finding near-duplicates"),
    "clustering": _l("Finding themes"),
    "themes": _l("Naming the themes"),
    "storing": _l("Saving the results"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}

STATUS_LABELS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}

KIND_LABELS = {
    "run": _l("Analysis"),
    "retrain": _l("Retraining and analysis"),
}

# Columns of a theme's spread, in the order they are shown.
SPREAD_LABELS = {
    "focus_areas": _l("Focus areas (suggested or confirmed)"),
    "region": _l("Regions"),
    "channel": _l("Channels"),
    "category": _l("Respondent categories"),
    "chosen_areas": _l("Focus areas chosen by the writers"),
    "written_form": _l("Written form"),
}

NOT_GIVEN = _l("Not given")
NO_AREA = _l("None of the focus areas")


def spread_value(column: str, value: str, areas_by_key: dict, locale: str) -> str:
    """A readable name for one value of a spread column."""
    if column in ("focus_areas", "chosen_areas"):
        if not value:
            return str(NO_AREA)
        area = areas_by_key.get(value)
        return area.name(locale) if area is not None else value
    if not value:
        return str(NOT_GIVEN)
    if column == "channel":
        return str(CHANNEL_LABELS.get(value, value))
    if column == "category":
        return str(RESPONDENT_CATEGORY_LABELS.get(value, value))
    if column == "written_form":
        return str(WRITTEN_FORM_LABELS.get(value, value))
    return value


# Theme colours (colour-blind-safe, at least 3:1 against white) and marker shapes:
# a theme is told apart by both, and the table gives the same information in words.
THEME_COLOURS = (
    "#0072B2",
    "#C24E00",
    "#007756",
    "#B3478C",
    "#6B4C9A",
    "#8A6D00",
    "#333333",
    "#1F6F8B",
)
THEME_SHAPES = ("circle", "square", "triangle", "diamond")


def theme_style(position: int) -> tuple[str, str]:
    """(colour, shape) for the theme at ``position`` in the run's list."""
    return (
        THEME_COLOURS[position % len(THEME_COLOURS)],
        THEME_SHAPES[(position // len(THEME_COLOURS) + position) % len(THEME_SHAPES)],
    )


TRAINING_SOURCE_LABELS = {
    "seed_term": _l("seed terms"),
    "name": _l("focus-area names"),
    "description": _l("focus-area descriptions"),
    "example": _l("bundled examples"),
    "confirmed": _l("confirmed by reviewers"),
}

TIMING_LABELS = {
    "reading": _l("Reading the input"),
    "model": _l("Preparing or training the model"),
    "preprocess": _l("Preparing the texts"),
    "tagging": _l("Suggesting focus areas"),
    "duplicates": _l("Finding near-duplicates"),
    "clustering": _l("Finding themes"),
    "themes": _l("Naming the themes and the map"),
    "analysis": _l("The analysis itself (the stages above)"),
    "storing": _l("Saving the results"),
    "total": _l("Total"),
}
