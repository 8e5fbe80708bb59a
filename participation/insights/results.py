"""What the latest analysis run says: themes, suggested focus areas, the map, the
review queue and the quality figures, and one-click confirmation of a suggestion.

Which focus areas are suggested is the analysis's decision (``InputResult.suggested``),
stored as returned (``InputSuggestion.suggested``); this module only reads it, and
leaves retired focus areas out in one place, :func:`_shown`, which every query of
suggestions here goes through (the inbox, the input page, the queue, the theme and
area lists, one-click confirmation and the quality figures alike).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from participation.common import Paged, clamp_page
from participation.inputs import service as inputs
from participation.insights.runs import InsightsError, RunNotFound, confirmed_keys, latest_done_run
from participation.models import (
    AnalysisRun,
    AnalysisTheme,
    FocusArea,
    Input,
    InputAnalysis,
    InputStatus,
    InputSuggestion,
    User,
    input_focus_area,
)
from participation.models.backoffice import ConfirmedFocusArea, InputReview

QUOTE_LENGTH = 400


class NoSuggestion(InsightsError):
    """The latest run has no result for this input."""


def _shown(query: Select, *, suggested_only: bool = True) -> Select:
    """Only suggestions of focus areas still in use (a retired area is never offered)."""
    query = query.join(FocusArea, FocusArea.id == InputSuggestion.focus_area_id).where(
        FocusArea.active.is_(True)
    )
    if suggested_only:
        query = query.where(InputSuggestion.suggested.is_(True))
    return query


@dataclass
class AreaCount:
    area: FocusArea
    suggested: int
    confirmed: int
    chosen: int


@dataclass
class Overview:
    run: AnalysisRun
    themes: list[AnalysisTheme]
    quotes: dict[int, str]  # input id → redacted text (visible inputs only)
    area_counts: list[AreaCount]
    areas_by_key: dict[str, FocusArea]
    n_inputs: int
    n_unique: int
    n_confirmed: int
    n_without_area: int
    new_since: int  # inputs created after the run read them


def quotes_for(session: Session, input_ids: Iterable[int]) -> dict[int, str]:
    """Redacted texts of inputs that still exist and are not hidden."""
    ids = sorted({int(i) for i in input_ids})
    if not ids:
        return {}
    rows = session.execute(
        select(Input.id, Input.redacted_text).where(
            Input.id.in_(ids), Input.status != InputStatus.HIDDEN
        )
    )
    return {i: _shorten(text) for i, text in rows}


def _shorten(text: str, length: int = QUOTE_LENGTH) -> str:
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut + " …"


def area_counts(session: Session, run: AnalysisRun) -> list[AreaCount]:
    """Per focus area: suggested by this run, confirmed by reviewers, chosen by writers."""
    suggested = dict(
        session.execute(
            _shown(select(InputSuggestion.focus_area_id, func.count()))
            .where(InputSuggestion.run_id == run.id)
            .group_by(InputSuggestion.focus_area_id)
        ).all()
    )
    confirmed = dict(
        session.execute(
            select(ConfirmedFocusArea.focus_area_id, func.count())
            .join(InputReview, InputReview.input_id == ConfirmedFocusArea.input_id)
            .where(InputReview.focus_areas_confirmed_at.is_not(None))
            .group_by(ConfirmedFocusArea.focus_area_id)
        ).all()
    )
    chosen = dict(
        session.execute(
            select(input_focus_area.c.focus_area_id, func.count()).group_by(
                input_focus_area.c.focus_area_id
            )
        ).all()
    )
    areas = session.execute(select(FocusArea).order_by(FocusArea.position, FocusArea.key)).scalars()
    return [
        AreaCount(a, suggested.get(a.id, 0), confirmed.get(a.id, 0), chosen.get(a.id, 0))
        for a in areas
        if a.active or suggested.get(a.id) or confirmed.get(a.id)
    ]


def overview(session: Session, run: AnalysisRun) -> Overview:
    themes = list(run.themes)
    quotes = quotes_for(session, (i for t in themes for i in t.representative_ids))
    metrics = run.metrics or {}
    new_since = session.scalar(
        select(func.count(Input.id)).where(
            Input.status != InputStatus.HIDDEN,
            Input.id.not_in(select(InputAnalysis.input_id).where(InputAnalysis.run_id == run.id)),
        )
    )
    return Overview(
        run=run,
        themes=themes,
        quotes=quotes,
        area_counts=area_counts(session, run),
        areas_by_key={a.key: a for a in session.execute(select(FocusArea)).scalars()},
        n_inputs=int(metrics.get("n_inputs", run.n_inputs)),
        n_unique=int(metrics.get("n_unique", run.n_inputs)),
        n_confirmed=int(metrics.get("n_confirmed", 0)),
        n_without_area=int(metrics.get("n_without_area", 0)),
        new_since=0 if run.pruned else int(new_since or 0),
    )


def get_theme(session: Session, run: AnalysisRun, number: int) -> AnalysisTheme:
    theme = session.execute(
        select(AnalysisTheme).where(AnalysisTheme.run_id == run.id, AnalysisTheme.number == number)
    ).scalar_one_or_none()
    if theme is None:
        raise RunNotFound()
    return theme


@dataclass
class InputRow:
    item: Input
    analysis: InputAnalysis
    suggestions: list[InputSuggestion]


@dataclass
class InputList(Paged):
    rows: list[InputRow]
    total: int
    page: int
    per_page: int


def _rows(session: Session, run: AnalysisRun, pairs) -> list[InputRow]:
    ids = [a.input_id for _, a in pairs]
    found = suggestions_of(session, run, ids)
    return [InputRow(item, analysis, found.get(item.id, [])) for item, analysis in pairs]


def suggestions_of(
    session: Session, run: AnalysisRun, input_ids: Sequence[int]
) -> dict[int, list[InputSuggestion]]:
    """Stored suggestions (with their focus areas), most probable first."""
    result: dict[int, list[InputSuggestion]] = defaultdict(list)
    if not input_ids:
        return result
    # contains_eager: each suggestion holds its focus area (no lazy load per row).
    rows = session.execute(
        _shown(select(InputSuggestion), suggested_only=False)
        .options(contains_eager(InputSuggestion.focus_area))
        .where(InputSuggestion.run_id == run.id, InputSuggestion.input_id.in_(list(input_ids)))
        .order_by(InputSuggestion.input_id, InputSuggestion.probability.desc())
    ).scalars()
    for suggestion in rows:
        result[suggestion.input_id].append(suggestion)
    return result


def list_inputs(
    session: Session,
    run: AnalysisRun,
    *,
    theme: int | None = None,
    suggested_area_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> InputList:
    """Inputs of a run, filtered by theme and/or suggested focus area; by input id."""
    query = (
        select(Input, InputAnalysis)
        .join(InputAnalysis, InputAnalysis.input_id == Input.id)
        .where(InputAnalysis.run_id == run.id, Input.status != InputStatus.HIDDEN)
    )
    if theme is not None:
        query = query.where(InputAnalysis.theme == theme)
    if suggested_area_id is not None:
        query = query.where(
            Input.id.in_(
                _shown(select(InputSuggestion.input_id)).where(
                    InputSuggestion.run_id == run.id,
                    InputSuggestion.focus_area_id == suggested_area_id,
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = clamp_page(page, total, per_page)
    pairs = session.execute(
        query.order_by(Input.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return InputList(_rows(session, run, pairs), total, page, per_page)


@dataclass
class MapPoint:
    input_id: int
    theme: int | None
    x: float  # in the SVG's coordinates
    y: float
    raw_x: float
    raw_y: float


@dataclass
class InputMap:
    points: list[MapPoint]
    total: int  # inputs in the run; the map shows a sample when there are many
    width: int
    height: int


def input_map(
    session: Session,
    run: AnalysisRun,
    *,
    limit: int = 1000,
    width: int = 640,
    height: int = 420,
    margin: int = 16,
) -> InputMap:
    """Map positions scaled into a ``width`` × ``height`` box; an even sample above ``limit``."""
    total = session.scalar(select(func.count()).where(InputAnalysis.run_id == run.id)) or 0
    step = max(1, math.ceil(total / limit)) if limit else 1
    rows = session.execute(
        select(InputAnalysis.input_id, InputAnalysis.theme, InputAnalysis.x, InputAnalysis.y)
        .where(InputAnalysis.run_id == run.id)
        .order_by(InputAnalysis.input_id)
    ).all()
    rows = rows[::step][:limit]
    if not rows:
        return InputMap([], total, width, height)
    xs = [r.x for r in rows]
    ys = [r.y for r in rows]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = (width - 2 * margin) / (x1 - x0) if x1 > x0 else 0.0
    sy = (height - 2 * margin) / (y1 - y0) if y1 > y0 else 0.0
    points = [
        MapPoint(
            input_id=r.input_id,
            theme=r.theme,
            x=round(margin + (r.x - x0) * sx if sx else width / 2, 1),
            # SVG y grows downwards; the map's y grows upwards.
            y=round(height - margin - (r.y - y0) * sy if sy else height / 2, 1),
            raw_x=round(r.x, 3),
            raw_y=round(r.y, 3),
        )
        for r in rows
    ]
    return InputMap(points, total, width, height)


# ---------------------------------------------------------------- review queue


def _reviewed_ids():
    return select(InputReview.input_id).where(InputReview.focus_areas_confirmed_at.is_not(None))


def review_queue(
    session: Session, run: AnalysisRun, *, page: int = 1, per_page: int = 10
) -> InputList:
    """Inputs nobody has confirmed yet, least certain first (active learning).

    Certainty is the run's: how far the most borderline focus area is from its
    threshold. Inputs without a score (no focus areas at all) come last.
    """
    query = (
        select(Input, InputAnalysis)
        .join(InputAnalysis, InputAnalysis.input_id == Input.id)
        .where(
            InputAnalysis.run_id == run.id,
            Input.status != InputStatus.HIDDEN,
            Input.id.not_in(_reviewed_ids()),
        )
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = clamp_page(page, total, per_page)
    pairs = session.execute(
        query.order_by(
            case((InputAnalysis.uncertainty.is_(None), 1), else_=0),
            InputAnalysis.uncertainty,
            Input.id,
        )
        .options(joinedload(Input.region))  # the queue shows each input's region
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return InputList(_rows(session, run, pairs), total, page, per_page)


def suggested_area_ids(session: Session, run: AnalysisRun, input_id: int) -> list[int]:
    return list(
        session.execute(
            _shown(select(InputSuggestion.focus_area_id))
            .where(InputSuggestion.run_id == run.id, InputSuggestion.input_id == input_id)
            .order_by(InputSuggestion.probability.desc())
        ).scalars()
    )


def confirm_suggestion(session: Session, actor: User, input_id: int) -> list[FocusArea]:
    """Confirm the latest run's suggested focus areas for an input.

    Uses the inbox's confirmation, so it is recorded and audited the same way as a
    reviewer ticking the boxes. Raises :class:`NoSuggestion` when the latest run has
    no result for the input.
    """
    run = _latest_done_run_of_input(session, input_id)
    if run is None or session.get(InputAnalysis, (run.id, input_id)) is None:
        raise NoSuggestion()
    return inputs.confirm_focus_areas(
        session, actor, input_id, suggested_area_ids(session, run, input_id)
    )


# ---------------------------------------------------------------- quality


@dataclass
class Quality:
    run: AnalysisRun
    tagger: dict[str, Any]  # out-of-fold figures from training
    thresholds: dict[str, float]
    n_training: dict[str, int]
    # Suggestions against what reviewers confirmed *after* the run (held out from it)
    agreement: dict[str, Any] | None
    areas_by_key: dict[str, FocusArea] = field(default_factory=dict)
    reviewed: ReviewedData | None = None


def review_agreement(session: Session, run: AnalysisRun) -> dict[str, Any] | None:
    """How well this run's suggestions match reviewers' later confirmations.

    Only inputs that were not confirmed when the run read them count, so none of them
    was training data for the run's model: an honest, growing held-out set.
    Returns ``evaluate_predictions`` figures, or None when there is nothing to score.
    """
    from analysis.evaluate import evaluate_predictions

    if run.pruned:
        return None
    ids = list(
        session.execute(
            select(InputAnalysis.input_id).where(
                InputAnalysis.run_id == run.id,
                InputAnalysis.confirmed.is_(False),
                InputAnalysis.input_id.in_(_reviewed_ids()),
            )
        ).scalars()
    )
    if not ids:
        return None
    confirmed = confirmed_keys(session, run.process_id)
    suggested: dict[int, list[str]] = defaultdict(list)
    for input_id, key in session.execute(
        _shown(select(InputSuggestion.input_id, FocusArea.key)).where(
            InputSuggestion.run_id == run.id, InputSuggestion.input_id.in_(ids)
        )
    ):
        suggested[input_id].append(key)
    keys = list((run.parameters or {}).get("area_keys") or [])
    return evaluate_predictions(
        [list(confirmed.get(i, ())) for i in ids], [suggested.get(i, []) for i in ids], keys
    )


@dataclass
class AreaReview:
    """One focus area of the process: how many of its inputs reviewers confirmed, and
    what the run's model learned the area from."""

    area: FocusArea
    confirmed: int  # inputs of the process confirmed with this area, now
    in_model: int  # of those, confirmed when the run read them (its model learned them)
    examples: int  # bundled example texts for the area

    @property
    def learned_from(self) -> str:
        """``confirmed`` (reviewed input), ``example`` (bundled examples) or
        ``seed_term`` (only its seed terms, names and descriptions: a new area)."""
        if self.in_model:
            return "confirmed"
        return "example" if self.examples else "seed_term"


@dataclass
class ReviewedData:
    """How much reviewed data the process has, and how much of it the run's model used."""

    reviewed: int  # inputs of the process whose focus areas a reviewer confirmed
    none_applies: int  # of those, confirmed as "none of the focus areas"
    in_model: int  # reviewed inputs the run's model was trained on
    areas: list[AreaReview]

    @property
    def seed_only(self) -> list[AreaReview]:
        return [a for a in self.areas if a.learned_from == "seed_term"]


def reviewed_data(session: Session, run: AnalysisRun) -> ReviewedData:
    """The process's reviewed inputs per focus area, from the confirmations stored and
    the run's record of which inputs were confirmed when it read them."""
    from analysis.tagging import load_examples

    confirmed = confirmed_keys(session, run.process_id)
    at_run = set(
        session.execute(
            select(InputAnalysis.input_id).where(
                InputAnalysis.run_id == run.id, InputAnalysis.confirmed.is_(True)
            )
        ).scalars()
    )
    now, in_model = Counter(), Counter()
    for input_id, keys in confirmed.items():
        now.update(keys)
        if input_id in at_run:
            in_model.update(keys)
    examples = Counter(key for ex in load_examples() for key in ex.get("focus_areas", ()))
    trained = (run.model or {}).get("n_training") or {}
    return ReviewedData(
        reviewed=len(confirmed),
        none_applies=sum(1 for keys in confirmed.values() if not keys),
        in_model=int(trained.get("confirmed", run.n_labelled or 0)),
        areas=[
            AreaReview(area, now[area.key], in_model[area.key], examples[area.key])
            for area in inputs.active_focus_areas(session, run.process_id)
        ],
    )


def quality(session: Session, run: AnalysisRun) -> Quality:
    metrics = run.metrics or {}
    tagger = dict(metrics.get("tagger") or {})
    thresholds = dict(
        tagger.pop("thresholds", None) or (run.parameters or {}).get("thresholds") or {}
    )
    return Quality(
        run=run,
        tagger=tagger,
        thresholds=thresholds,
        n_training=dict((run.model or {}).get("n_training") or {}),
        agreement=review_agreement(session, run),
        areas_by_key={a.key: a for a in session.execute(select(FocusArea)).scalars()},
        reviewed=reviewed_data(session, run),
    )


# ---------------------------------------------------------------- for the inbox


def latest_suggestions(
    session: Session, input_ids: Sequence[int]
) -> dict[int, list[InputSuggestion]]:
    """The latest finished run's (of each input's process) suggested focus areas for
    these inputs, most probable first (two queries per process)."""
    if not input_ids:
        return {}
    by_process: dict[int, list[int]] = defaultdict(list)
    for input_id, process_id in session.execute(
        select(Input.id, Input.process_id).where(Input.id.in_(list(input_ids)))
    ):
        by_process[process_id].append(input_id)
    result: dict[int, list[InputSuggestion]] = {}
    for process_id, ids in by_process.items():
        run = latest_done_run(session, process_id)
        if run is None:
            continue
        found = suggestions_of(session, run, ids)
        result.update({i: [s for s in found[i] if s.suggested] for i in found})
    return result


def _latest_done_run_of_input(session: Session, input_id: int) -> AnalysisRun | None:
    process_id = session.execute(select(Input.process_id).where(Input.id == input_id)).scalar()
    if process_id is None:
        return None
    return latest_done_run(session, process_id)


@dataclass
class InputInsight:
    run: AnalysisRun
    analysis: InputAnalysis
    theme: AnalysisTheme | None
    suggestions: list[InputSuggestion]
    suggested: list[FocusArea]


def input_insight(session: Session, input_id: int) -> InputInsight | None:
    """What the latest finished run (of its process) says about one input, or None."""
    run = _latest_done_run_of_input(session, input_id)
    if run is None:
        return None
    analysis = session.get(InputAnalysis, (run.id, input_id))
    if analysis is None:
        return None
    theme = None
    if analysis.theme is not None:
        theme = session.execute(
            select(AnalysisTheme).where(
                AnalysisTheme.run_id == run.id, AnalysisTheme.number == analysis.theme
            )
        ).scalar_one_or_none()
    suggestions = suggestions_of(session, run, [input_id]).get(input_id, [])
    return InputInsight(
        run, analysis, theme, suggestions, [s.focus_area for s in suggestions if s.suggested]
    )
