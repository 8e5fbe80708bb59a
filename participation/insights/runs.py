"""Analysis runs in the app: their lifecycle and progress, and storing what they produced.

A run is queued (``start_run``: flushes, the caller commits), carried out by a job on
the queue (``insights.tasks``: ``execute_run``, which commits as it goes because other
requests must see its progress) or on the command line (``run_now``), and marked failed
when it stops giving signs of life. The results are read by ``insights.results``.

What goes into a run:

- inputs: every input that is not hidden, with its *redacted* text (never the text as
  written) and its region, channel, respondent category and the focus areas its writer
  chose, for the themes' spread;
- focus areas: the active ``FocusArea`` rows, as data (added, renamed or retired areas
  flow into the next run; keys are stable, names are not);
- training data: every input a reviewer has confirmed (``InputReview``), with its
  confirmed areas (possibly none). Confirmed inputs keep their confirmed tags in the
  results; a run only ever writes its own tables;
- the previous finished run's theme centres, so themes keep their numbers.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analysis.focus_areas import FocusAreaSpec
from analysis.service import AnalysisResult, InputRecord
from participation.config import Config
from participation.db import begin_write, get_or_raise
from participation.inputs.service import active_focus_areas
from participation.labels import RUN_STAGE_LABELS
from participation.models import (
    AnalysisRun,
    AnalysisTheme,
    FocusArea,
    Input,
    InputAnalysis,
    InputStatus,
    InputSuggestion,
    Region,
    RunKind,
    RunStatus,
    User,
    input_focus_area,
    utcnow,
)
from participation.models.analysis import ACTIVE
from participation.models.backoffice import ConfirmedFocusArea, InputReview
from participation.processes import service as processes

log = logging.getLogger(__name__)

MIN_STORED_PROBABILITY = 0.05
INSERT_CHUNK = 2000
DEFAULT_STALE_AFTER = timedelta(minutes=Config.ANALYSIS_STALE_MINUTES)
HEARTBEAT_SECONDS = 30.0
# Progress is written at most this often (seconds), and at every new stage.
PROGRESS_INTERVAL = 0.5

# The stages a run reports, in order: those the progress has words for.
STAGES = tuple(RUN_STAGE_LABELS)


class InsightsError(Exception):
    """Something the rules refuse; nothing was changed."""


class RunInProgress(InsightsError):
    def __init__(self, run: AnalysisRun | None = None) -> None:
        super().__init__("an analysis run is already queued or running")
        self.run = run


class RunNotFound(InsightsError):
    pass


# ---------------------------------------------------------------- reading the data


def focus_area_spec(area: FocusArea) -> FocusAreaSpec:
    """The analysis's view of one focus area row."""
    return FocusAreaSpec(
        key=area.key,
        names={"nb": area.name_nb, "nn": area.name_nn, "en": area.name_en},
        descriptions={
            "nb": area.description_nb or "",
            "nn": area.description_nn or "",
            "en": area.description_en or "",
        },
        seed_terms=tuple(area.seed_terms or ()),
    )


def focus_area_specs(session: Session, process_id: int | None = None) -> list[FocusAreaSpec]:
    """The active focus areas (of the process), in their list order."""
    return [focus_area_spec(a) for a in active_focus_areas(session, process_id)]


def _of_process(process_id: int | None):
    """Ids of the process's inputs (a subquery), or None for every input."""
    if process_id is None:
        return None
    return select(Input.id).where(Input.process_id == process_id)


def confirmed_keys(session: Session, process_id: int | None = None) -> dict[int, tuple[str, ...]]:
    """``{input_id: keys}`` for every input (of the process) a reviewer has confirmed
    (``()`` = none)."""
    confirmed: dict[int, list[str]] = defaultdict(list)
    own = _of_process(process_id)
    reviewed = select(InputReview.input_id).where(InputReview.focus_areas_confirmed_at.is_not(None))
    if own is not None:
        reviewed = reviewed.where(InputReview.input_id.in_(own))
    for input_id in session.execute(reviewed).scalars():
        confirmed.setdefault(input_id, [])  # reviewed with no area: "none"
    query = (
        select(ConfirmedFocusArea.input_id, FocusArea.key)
        .join(FocusArea, FocusArea.id == ConfirmedFocusArea.focus_area_id)
        .order_by(ConfirmedFocusArea.input_id, FocusArea.position, FocusArea.key)
    )
    if own is not None:
        query = query.where(ConfirmedFocusArea.input_id.in_(own))
    rows = session.execute(query)
    for input_id, key in rows:
        confirmed[input_id].append(key)
    return {i: tuple(keys) for i, keys in confirmed.items()}


def labelled_examples(
    session: Session,
    confirmed: dict[int, tuple[str, ...]] | None = None,
    process_id: int | None = None,
) -> list[tuple[str, list[str]]]:
    """Reviewers' confirmed tags as training data: ``[(redacted text, keys)]``, by input id.

    Only keys of active areas count (a retired area is no label). Hidden inputs are
    included: a reviewer's "none of these" on spam is a useful example too.
    """
    confirmed = confirmed_keys(session, process_id) if confirmed is None else confirmed
    if not confirmed:
        return []
    active = {a.key for a in active_focus_areas(session, process_id)}
    texts = dict(
        session.execute(
            select(Input.id, Input.redacted_text).where(Input.id.in_(list(confirmed)))
        ).all()
    )
    return [
        (texts[i], [k for k in confirmed[i] if k in active])
        for i in sorted(confirmed)
        if i in texts
    ]


def input_records(
    session: Session,
    confirmed: dict[int, tuple[str, ...]] | None = None,
    process_id: int | None = None,
) -> list[InputRecord]:
    """Every input (of the process) that is not hidden, as the analysis sees it
    (redacted text only)."""
    confirmed = confirmed_keys(session, process_id) if confirmed is None else confirmed
    chosen: dict[int, list[str]] = defaultdict(list)
    for input_id, key in session.execute(
        select(input_focus_area.c.input_id, FocusArea.key)
        .join(FocusArea, FocusArea.id == input_focus_area.c.focus_area_id)
        .order_by(FocusArea.position, FocusArea.key)
    ):
        chosen[input_id].append(key)
    query = (
        select(
            Input.id,
            Input.redacted_text,
            Input.channel,
            Input.respondent_category,
            Region.name,
        )
        .outerjoin(Region, Region.id == Input.region_id)
        .where(Input.status != InputStatus.HIDDEN)
        .order_by(Input.id)
    )
    if process_id is not None:
        query = query.where(Input.process_id == process_id)
    rows = session.execute(query)
    return [
        InputRecord(
            id=input_id,
            text=text or "",
            metadata={
                "region": region or "",
                "channel": channel or "",
                "category": category or "",
                "chosen_areas": chosen.get(input_id, []),
            },
            confirmed_areas=confirmed.get(input_id),
        )
        for input_id, text, channel, category, region in rows
    ]


def previous_centres(session: Session, process_id: int | None = None) -> list[dict] | None:
    """Theme centres of the (process's) latest finished run, so themes keep their numbers."""
    query = select(AnalysisRun.centres).where(
        AnalysisRun.status == RunStatus.DONE, AnalysisRun.centres.is_not(None)
    )
    if process_id is not None:
        query = query.where(AnalysisRun.process_id == process_id)
    return session.execute(query.order_by(AnalysisRun.id.desc()).limit(1)).scalar_one_or_none()


# ---------------------------------------------------------------- starting a run


def _stale_cutoff(now: datetime, stale_after: timedelta) -> datetime:
    return now - stale_after


def fail_stale_runs(
    session: Session, *, now: datetime | None = None, stale_after: timedelta = DEFAULT_STALE_AFTER
) -> int:
    """Mark queued/running runs with no sign of life for ``stale_after`` as failed."""
    now = now or utcnow()
    stale = list(
        session.execute(
            select(AnalysisRun).where(
                AnalysisRun.active.is_not(None),
                AnalysisRun.heartbeat_at < _stale_cutoff(now, stale_after),
            )
        ).scalars()
    )
    for run in stale:
        _mark_failed(
            run,
            "The run stopped giving signs of life (the server was probably restarted); "
            "it counts as failed.",
            now,
        )
    if stale:
        session.flush()
    return len(stale)


def active_run(
    session: Session,
    *,
    now: datetime | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    process_id: int | None = None,
) -> AnalysisRun | None:
    """The process's queued or running run, if any (stale ones are not counted)."""
    now = now or utcnow()
    query = select(AnalysisRun).where(
        AnalysisRun.active.is_not(None),
        AnalysisRun.heartbeat_at >= _stale_cutoff(now, stale_after),
    )
    if process_id is not None:
        query = query.where(AnalysisRun.process_id == process_id)
    return session.execute(query.order_by(AnalysisRun.id).limit(1)).scalar_one_or_none()


def start_run(
    session: Session,
    *,
    kind: RunKind | str = RunKind.RUN,
    user: User | None = None,
    actor: str | None = None,
    n_themes: int | None = None,
    now: datetime | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    process_id: int | None = None,
) -> AnalysisRun:
    """Queue a run of a process's input (default: the current process). Raises
    :class:`RunInProgress` when one of that process is queued or running.

    The database enforces one active run per process (a unique pair), so two people
    pressing the button at once get one run and one refusal. A run silent for
    ``stale_after`` is marked failed first. Flushes; the caller commits.
    """
    now = now or utcnow()
    process_id = processes.resolve_id(session, process_id)
    begin_write(session)
    fail_stale_runs(session, now=now, stale_after=stale_after)
    current = active_run(session, now=now, stale_after=stale_after, process_id=process_id)
    if current is not None:
        raise RunInProgress(current)
    run = AnalysisRun(
        process_id=process_id,
        kind=str(RunKind(kind)),
        status=RunStatus.QUEUED,
        active=ACTIVE,
        stage="queued",
        progress=0.0,
        created_at=now,
        heartbeat_at=now,
        n_themes_requested=n_themes,
        triggered_by_id=user.id if user is not None else None,
        triggered_by=actor if actor is not None else (user.email if user is not None else ""),
        parameters={},
        versions={},
        timings={},
        metrics={},
        model={},
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError as error:
        raise RunInProgress(
            active_run(session, now=now, stale_after=stale_after, process_id=process_id)
        ) from error
    return run


# ---------------------------------------------------------------- doing the work


class _ProgressWriter:
    """Writes (stage, fraction) to the run row: at each new stage, else at most twice a second."""

    def __init__(
        self, session: Session, run_id: int, echo: Callable[[str, float], None] | None = None
    ) -> None:
        self.session = session
        self.run_id = run_id
        self.echo = echo
        self.start = 0.0
        self.span = 1.0
        self.fixed_stage: str | None = None
        self.stage = ""
        self.last = 0.0

    def scaled(self, start: float, span: float, stage: str | None = None) -> _ProgressWriter:
        """Map the next callbacks' 0..1 onto ``start .. start + span`` (under ``stage``)."""
        self.start, self.span, self.fixed_stage = start, span, stage
        return self

    def __call__(self, stage: str, fraction: float) -> None:
        stage = self.fixed_stage or stage.split(":")[0].strip()
        if stage not in STAGES:
            stage = self.stage or "model"
        now = time.monotonic()
        if stage == self.stage and now - self.last < PROGRESS_INTERVAL:
            return
        self.stage, self.last = stage, now
        value = self.start + self.span * max(0.0, min(1.0, float(fraction)))
        # Other requests write while a run works (reviewers confirm tags): take the
        # write lock in a transaction of its own rather than upgrading a read (SQLite).
        begin_write(self.session)
        self.session.execute(
            update(AnalysisRun)
            .where(AnalysisRun.id == self.run_id)
            .values(stage=stage, progress=round(value, 4), heartbeat_at=utcnow())
        )
        self.session.commit()
        if self.echo is not None:
            self.echo(stage, value)


class _Heartbeat:
    """Marks the run alive every ``interval`` seconds from a thread of its own.

    Progress callbacks also do, but a long stage may give none; with the heartbeat a
    run silent for ``ANALYSIS_STALE_MINUTES`` is surely dead (its process stopped).
    Uses its own connection; a failed beat (e.g. SQLite busy while results are
    written) is only logged.
    """

    def __init__(self, session: Session, run_id: int, interval: float | None) -> None:
        self.engine = session.get_bind()
        self.run_id = run_id
        self.interval = interval
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def beat(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(AnalysisRun)
                .where(AnalysisRun.id == self.run_id, AnalysisRun.active.is_not(None))
                .values(heartbeat_at=utcnow())
            )

    def _loop(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                self.beat()
            except Exception as error:  # noqa: BLE001
                log.info("analysis run %s: heartbeat skipped (%s)", self.run_id, error)

    def __enter__(self) -> _Heartbeat:
        if self.interval:
            self.thread = threading.Thread(
                target=self._loop, name=f"analysis-heartbeat-{self.run_id}", daemon=True
            )
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


def _mark_failed(run: AnalysisRun, message: str, now: datetime | None = None) -> None:
    run.status = RunStatus.FAILED
    run.active = None
    run.stage = "failed"
    run.error = message[:4000]
    run.finished_at = now or utcnow()
    run.heartbeat_at = run.finished_at


def execute_run(
    session: Session,
    run_id: int,
    *,
    model_dir: str | Path | None = None,
    keep_runs: int = 3,
    analyse: Callable[..., AnalysisResult] | None = None,
    retrain: Callable[..., dict[str, Any]] | None = None,
    on_progress: Callable[[str, float], None] | None = None,
    heartbeat_seconds: float | None = HEARTBEAT_SECONDS,
) -> AnalysisRun:
    """Carry out a queued run: read, (train,) analyse, store. Commits as it goes.

    Never raises for a failure of the analysis itself: the run is marked ``failed``
    with the reason, and returned. A model saved by another scikit-learn version is
    rebuilt (and the run says so in ``parameters["model_rebuilt"]``).
    ``analyse``/``retrain`` default to ``analysis.service.run_analysis``/``retrain``.
    """
    from analysis import service as analysis_service

    analyse = analyse or analysis_service.run_analysis
    retrain = retrain or analysis_service.retrain
    begin_write(session)
    run = get_or_raise(session, AnalysisRun, run_id, RunNotFound)
    if run.status != RunStatus.QUEUED:
        return run
    run.status = RunStatus.RUNNING
    run.started_at = run.heartbeat_at = utcnow()
    run.stage = "reading"
    session.commit()
    progress = _ProgressWriter(session, run.id, on_progress)
    wall = time.perf_counter()
    with _Heartbeat(session, run.id, heartbeat_seconds):
        try:
            process_id = run.process_id
            confirmed = confirmed_keys(session, process_id)
            records = input_records(session, confirmed, process_id)
            labelled = labelled_examples(session, confirmed, process_id)
            areas = focus_area_specs(session, process_id)
            centres = previous_centres(session, process_id)
            begin_write(session)  # end the read before writing (SQLite)
            run.n_inputs = len(records)
            run.n_labelled = len(labelled)
            session.commit()  # nothing held open during the long computation

            notes: dict[str, Any] = {}
            own_timings = {"reading": time.perf_counter() - wall}
            started = time.perf_counter()
            if run.kind == RunKind.RETRAIN and areas:
                progress.scaled(0.0, 0.3, "training")("training", 0.0)
                description = _with_rebuild(
                    lambda: retrain(areas, labelled, model_dir=model_dir, progress=progress),
                    areas,
                    labelled,
                    model_dir,
                    notes,
                )
                notes["retrained"] = {
                    "created": description.get("created"),
                    "seconds": round(time.perf_counter() - started, 3),
                }
                progress.scaled(0.3, 0.65)
            else:
                progress.scaled(0.0, 0.95)

            result = _with_rebuild(
                lambda: analyse(
                    records,
                    areas,
                    labelled,
                    n_themes=run.n_themes_requested,
                    previous_centres=centres,
                    progress=progress,
                    model_dir=model_dir,
                ),
                areas,
                labelled,
                model_dir,
                notes,
            )
            progress.scaled(0.95, 0.05, "storing")("storing", 0.0)
            stored = time.perf_counter()
            begin_write(session)
            _store(session, run, result, notes)
            _prune(session, keep_runs, run.process_id)
            own_timings["storing"] = time.perf_counter() - stored
            # "total" is the whole run as the project group waits for it.
            own_timings["analysis"] = float(result.timings.get("total", 0.0))
            own_timings["total"] = time.perf_counter() - wall
            run.timings = {**run.timings, **{k: round(v, 4) for k, v in own_timings.items()}}
            session.commit()
        except Exception as error:  # noqa: BLE001  (recorded on the run, never lost)
            session.rollback()
            log.exception("analysis run %s failed", run_id)
            begin_write(session)
            run = session.get(AnalysisRun, run_id)
            _mark_failed(run, _describe(error))
            session.commit()
    return run


def _with_rebuild(call, areas, labelled, model_dir, notes):
    """Call; if the cached model comes from another scikit-learn version, rebuild it once."""
    from analysis.persistence import ModelVersionError, get_or_train_tagger

    try:
        return call()
    except ModelVersionError as error:
        log.warning("rebuilding the tagging model: %s", error)
        notes["model_rebuilt"] = str(error)
        get_or_train_tagger(areas, labelled, model_dir=model_dir, retrain=True)
        return call()


def _describe(error: BaseException) -> str:
    from analysis.persistence import ModelVersionError

    if isinstance(error, ModelVersionError):
        return f"The saved model could not be used and could not be rebuilt: {error}"
    if isinstance(error, MemoryError):
        return "The analysis ran out of memory."
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _store(session: Session, run: AnalysisRun, result: AnalysisResult, notes: dict) -> None:
    area_ids = dict(session.execute(select(FocusArea.key, FocusArea.id)).all())
    # An input deleted while the run worked (privacy deletion) is left out.
    existing = set(session.execute(select(Input.id)).scalars())
    analysis_rows: list[dict] = []
    suggestion_rows: list[dict] = []
    for item in result.inputs:
        if item.id not in existing:
            continue
        analysis_rows.append(
            {
                "run_id": run.id,
                "input_id": item.id,
                "theme": item.theme,
                "duplicate_group": int(item.duplicate_group),
                "duplicate_count": int(item.duplicate_count),
                "x": _finite(item.x) or 0.0,
                "y": _finite(item.y) or 0.0,
                "uncertainty": _finite(item.uncertainty),
                "written_form": item.written_form,
                "confirmed": bool(item.confirmed),
            }
        )
        # Stored as the analysis decided it (also for inputs whose confirmed tags win).
        suggested_keys = set(item.suggested)
        for key, probability in item.suggestions.items():
            area_id = area_ids.get(key)
            if area_id is None:
                continue
            suggested = key in suggested_keys
            if suggested or probability >= MIN_STORED_PROBABILITY:
                suggestion_rows.append(
                    {
                        "run_id": run.id,
                        "input_id": item.id,
                        "focus_area_id": area_id,
                        "probability": float(probability),
                        "suggested": bool(suggested),
                    }
                )
    _bulk_insert(session, InputAnalysis, analysis_rows)
    _bulk_insert(session, InputSuggestion, suggestion_rows)
    for position, theme in enumerate(result.themes):
        session.add(
            AnalysisTheme(
                run_id=run.id,
                number=theme.id,
                position=position,
                label_words=list(theme.label_words),
                size=theme.size,
                size_unique=theme.size_unique,
                representative_ids=[int(i) for i in theme.representative_ids],
                spread=theme.spread,
                duplicate_groups=[
                    {"id": int(g["id"]), "count": int(g["count"])} for g in theme.duplicate_groups
                ],
            )
        )
    parameters = dict(result.parameters)
    parameters.update(notes)
    run.parameters = _jsonable(parameters)
    run.versions = dict(result.versions)
    run.timings = _jsonable(result.timings)
    run.metrics = _jsonable(result.metrics)
    run.model = _jsonable(result.model)
    run.centres = _jsonable(result.centres) if result.centres else None
    run.status = RunStatus.DONE
    run.active = None
    run.stage = "done"
    run.progress = 1.0
    run.finished_at = run.heartbeat_at = utcnow()
    session.flush()


def _bulk_insert(session: Session, model, rows: list[dict]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL (psycopg 3),
    batched INSERTs elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        table = model.__table__
        columns = list(rows[0])
        names = ", ".join(table.c[c].name for c in columns)
        driver_connection = connection.connection.driver_connection
        with (
            driver_connection.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    for start in range(0, len(rows), INSERT_CHUNK):
        session.execute(insert(model), rows[start : start + INSERT_CHUNK])


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _jsonable(value.item())
    return value


def _prune(session: Session, keep_runs: int, process_id: int) -> int:
    """Remove per-input rows of all but the process's latest ``keep_runs`` finished runs.

    The runs themselves (parameters, metrics, themes) stay for the history.
    """
    keep = set(
        session.execute(
            select(AnalysisRun.id)
            .where(AnalysisRun.status == RunStatus.DONE, AnalysisRun.process_id == process_id)
            .order_by(AnalysisRun.id.desc())
            .limit(max(1, keep_runs))
        ).scalars()
    )
    old = list(
        session.execute(
            select(AnalysisRun).where(
                AnalysisRun.process_id == process_id,
                AnalysisRun.status.in_([RunStatus.DONE, RunStatus.FAILED]),
                AnalysisRun.pruned.is_(False),
                AnalysisRun.id.not_in(keep),
            )
        ).scalars()
    )
    if not old:
        return 0
    ids = [r.id for r in old]
    session.execute(delete(InputSuggestion).where(InputSuggestion.run_id.in_(ids)))
    session.execute(delete(InputAnalysis).where(InputAnalysis.run_id.in_(ids)))
    for run in old:
        run.pruned = True
    session.flush()
    return len(old)


def run_now(
    session: Session,
    *,
    model_dir: str | Path | None = None,
    keep_runs: int = 3,
    on_progress: Callable[[str, float], None] | None = None,
    **queue: Any,
) -> AnalysisRun:
    """Start (``queue``: the arguments of :func:`start_run`) and carry out a run in this
    thread, as the command line does. Commits."""
    run = start_run(session, **queue)
    session.commit()
    return execute_run(
        session, run.id, model_dir=model_dir, keep_runs=keep_runs, on_progress=on_progress
    )


# ---------------------------------------------------------------- as a job


def stale_after(app: Flask | None = None) -> timedelta:
    """How long a run may be silent before it counts as failed (ANALYSIS_STALE_MINUTES)."""
    app = app or current_app
    return timedelta(minutes=app.config["ANALYSIS_STALE_MINUTES"])


def resume_run(session: Session, run_id: int) -> AnalysisRun:
    """Make a run that a killed worker left *running* queued again, so another worker
    can carry it out from the start (its results are stored in one transaction at the
    end, so nothing of the interrupted attempt is left). Commits."""
    begin_write(session)
    run = get_or_raise(session, AnalysisRun, run_id, RunNotFound)
    if run.status == RunStatus.RUNNING:
        run.status = RunStatus.QUEUED
        run.stage = "queued"
        run.progress = 0.0
        run.heartbeat_at = utcnow()
    session.commit()
    return run


def end_run(session: Session, run_id: int, message: str) -> bool:
    """Mark a queued or running run failed with ``message`` (its job was cancelled or
    given up). Flushes; the caller commits."""
    begin_write(session)
    run = session.get(AnalysisRun, run_id)
    if run is None or not run.is_active:
        return False
    _mark_failed(run, message)
    session.flush()
    return True


# ---------------------------------------------------------------- reading runs


def _runs(process_id: int | None):
    query = select(AnalysisRun)
    if process_id is not None:
        query = query.where(AnalysisRun.process_id == process_id)
    return query


def latest_run(session: Session, process_id: int | None = None) -> AnalysisRun | None:
    """The (process's) latest run, whatever its state."""
    return session.execute(
        _runs(process_id).order_by(AnalysisRun.id.desc()).limit(1)
    ).scalar_one_or_none()


def latest_done_run(session: Session, process_id: int | None = None) -> AnalysisRun | None:
    """The (process's) latest finished run: the one whose results the back office shows."""
    return session.execute(
        _runs(process_id)
        .where(AnalysisRun.status == RunStatus.DONE)
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def list_runs(
    session: Session, *, limit: int = 50, process_id: int | None = None
) -> list[AnalysisRun]:
    return list(
        session.execute(_runs(process_id).order_by(AnalysisRun.id.desc()).limit(limit)).scalars()
    )


def run_status(run: AnalysisRun) -> dict[str, Any]:
    """What the progress poller needs (JSON)."""
    return {
        "id": run.id,
        "kind": run.kind,
        "status": run.status,
        "stage": run.stage,
        "progress": round(float(run.progress or 0.0), 4),
        "percent": int(round(100 * float(run.progress or 0.0))),
        "active": run.is_active,
        "error": run.error if run.status == RunStatus.FAILED else None,
    }
