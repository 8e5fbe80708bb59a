"""The inbox: filtered, searched and paginated inputs, and what a reviewer does to them.

Reading builds on ``participation.inputs.service.filtered_inputs`` (the filters
and the full-text search live there); this module adds the back office's own
filters (confirmed focus areas, review state), paging with a fixed number of
queries per page, and the moderation and tagging actions, each recorded in the
audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from participation import audit
from participation.inputs import service as inputs
from participation.models import (
    FocusArea,
    Input,
    InputStatus,
    User,
    input_focus_area,
    utcnow,
)
from participation.models.backoffice import ConfirmedFocusArea, InputNote, InputReview

PER_PAGE = 50
MAX_BULK = 500


class InboxError(Exception):
    """An action the rules refuse; nothing was changed."""


class InputNotFound(InboxError):
    pass


class UnknownFocusArea(InboxError):
    pass


class NotPublishable(InboxError):
    """The writer did not allow publication (consultation responses)."""


class UnknownAction(InboxError):
    pass


@dataclass
class InboxFilter:
    """The inbox's filters: those of ``inputs.InputFilter`` plus the review state.

    ``focus_area_ids`` matches an input whose writer chose the area or whose
    reviewer confirmed it.
    """

    base: inputs.InputFilter = field(default_factory=inputs.InputFilter)
    focus_area_ids: Sequence[int] = ()
    # None: all; True: focus areas confirmed by a reviewer; False: not yet.
    reviewed: bool | None = None


def filtered_query(session: Session, f: InboxFilter):
    query = inputs.filtered_inputs(session, replace(f.base, focus_area_ids=()))
    if f.focus_area_ids:
        ids = list(f.focus_area_ids)
        query = query.where(
            or_(
                Input.id.in_(
                    select(input_focus_area.c.input_id).where(
                        input_focus_area.c.focus_area_id.in_(ids)
                    )
                ),
                Input.id.in_(
                    select(ConfirmedFocusArea.input_id).where(
                        ConfirmedFocusArea.focus_area_id.in_(ids)
                    )
                ),
            )
        )
    if f.reviewed is not None:
        reviewed = select(InputReview.input_id).where(
            InputReview.focus_areas_confirmed_at.is_not(None)
        )
        query = query.where(Input.id.in_(reviewed) if f.reviewed else Input.id.not_in(reviewed))
    return query


@dataclass
class InboxPage:
    items: list[Input]
    total: int
    page: int
    per_page: int
    confirmed: dict[int, list[FocusArea]]
    reviewed: set[int]
    note_counts: dict[int, int]

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def inbox_page(
    session: Session, f: InboxFilter, *, page: int = 1, per_page: int = PER_PAGE
) -> InboxPage:
    """One page of the inbox. The number of queries is fixed (count, rows, and one
    per related collection), however many inputs there are."""
    query = filtered_query(session, f)
    ids = query.with_only_columns(Input.id).order_by(None)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    items = list(
        session.execute(
            query.options(selectinload(Input.meeting)).limit(per_page).offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    page_ids = [item.id for item in items]
    return InboxPage(
        items=items,
        total=total,
        page=page,
        per_page=per_page,
        confirmed=confirmed_areas(session, page_ids),
        reviewed=reviewed_ids(session, page_ids),
        note_counts=note_counts(session, page_ids),
    )


def confirmed_areas(session: Session, input_ids: Iterable[int]) -> dict[int, list[FocusArea]]:
    ids = list(input_ids)
    result: dict[int, list[FocusArea]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = session.execute(
        select(ConfirmedFocusArea.input_id, FocusArea)
        .join(FocusArea, FocusArea.id == ConfirmedFocusArea.focus_area_id)
        .where(ConfirmedFocusArea.input_id.in_(ids))
        .order_by(FocusArea.position, FocusArea.key)
    ).all()
    for input_id, area in rows:
        result[input_id].append(area)
    return result


def reviewed_ids(session: Session, input_ids: Iterable[int]) -> set[int]:
    ids = list(input_ids)
    if not ids:
        return set()
    return set(
        session.execute(
            select(InputReview.input_id).where(
                InputReview.input_id.in_(ids), InputReview.focus_areas_confirmed_at.is_not(None)
            )
        ).scalars()
    )


def note_counts(session: Session, input_ids: Iterable[int]) -> dict[int, int]:
    ids = list(input_ids)
    if not ids:
        return {}
    return dict(
        session.execute(
            select(InputNote.input_id, func.count(InputNote.id))
            .where(InputNote.input_id.in_(ids))
            .group_by(InputNote.input_id)
        ).all()
    )


# ---------------------------------------------------------------- one input


@dataclass
class InputDetail:
    item: Input
    confirmed: list[FocusArea]
    review: InputReview | None
    notes: list[InputNote]
    duplicates: list[Input]


def get_input(session: Session, input_id: int) -> Input:
    item = session.execute(
        select(Input)
        .options(
            selectinload(Input.focus_areas),
            selectinload(Input.region),
            selectinload(Input.meeting),
            selectinload(Input.consultation_response),
        )
        .where(Input.id == input_id)
    ).scalar_one_or_none()
    if item is None:
        raise InputNotFound()
    return item


def input_detail(session: Session, input_id: int) -> InputDetail:
    item = get_input(session, input_id)
    notes = list(
        session.execute(
            select(InputNote).where(InputNote.input_id == item.id).order_by(InputNote.id)
        ).scalars()
    )
    group = inputs.duplicate_group(session, item.id)
    return InputDetail(
        item=item,
        confirmed=confirmed_areas(session, [item.id])[item.id],
        review=session.get(InputReview, item.id),
        notes=notes,
        duplicates=[other for other in group if other.id != item.id] if len(group) > 1 else [],
    )


def _load(session: Session, input_id: int) -> Input:
    item = session.get(Input, input_id)
    if item is None:
        raise InputNotFound()
    return item


def _check_publishable(item: Input) -> None:
    response = item.consultation_response
    if response is not None and not response.may_publish:
        raise NotPublishable()


def publish(session: Session, actor: User, input_id: int, *, bulk: bool = False) -> Input:
    """Publish an input (its redacted text). A consultation response whose writer
    did not allow publication cannot be published."""
    item = _load(session, input_id)
    _check_publishable(item)
    inputs.set_status(session, item.id, InputStatus.PUBLISHED)
    audit.record(session, actor, "input.publish", "input", item.id, details=_bulk(bulk))
    return item


def hide(
    session: Session, actor: User, input_id: int, reason: str = "", *, bulk: bool = False
) -> Input:
    """Hide an input. A consultation response published on the consultation page
    is taken off it too."""
    from participation.consultation import service as consultation

    item = _load(session, input_id)
    response = item.consultation_response
    if response is not None and response.published_at is not None:
        consultation.withdraw_publication(session, response.id)
    inputs.set_status(session, item.id, InputStatus.HIDDEN, hidden_reason=reason)
    audit.record(session, actor, "input.hide", "input", item.id, details=_bulk(bulk))
    return item


def reset(session: Session, actor: User, input_id: int, *, bulk: bool = False) -> Input:
    item = _load(session, input_id)
    inputs.set_status(session, item.id, InputStatus.NEW)
    audit.record(session, actor, "input.reset", "input", item.id, details=_bulk(bulk))
    return item


def _bulk(bulk: bool) -> dict:
    return {"bulk": True} if bulk else {}


def edit_redaction(session: Session, actor: User, input_id: int, redacted_text: str) -> Input:
    """Replace the redacted text (e.g. to remove a name the automatic redaction
    missed). The original text is kept, for staff only."""
    item = _load(session, input_id)
    text = inputs.normalize_newlines(redacted_text).strip()
    if not text:
        raise inputs.EmptyText()
    if text == item.redacted_text:
        return item
    item.redacted_text = text
    item.text_length = len(text)
    item.fingerprint = inputs.fingerprint(text)
    session.flush()
    audit.record(session, actor, "input.redaction", "input", item.id)
    return item


def confirm_focus_areas(
    session: Session,
    actor: User,
    input_id: int,
    focus_area_ids: Iterable[int],
    *,
    now: datetime | None = None,
) -> list[FocusArea]:
    """Set the confirmed focus areas of an input (possibly none: "none apply").

    These are the labels the analysis learns from."""
    now = now or utcnow()
    item = _load(session, input_id)
    wanted = sorted({int(i) for i in focus_area_ids})
    areas = (
        list(session.execute(select(FocusArea).where(FocusArea.id.in_(wanted))).scalars())
        if wanted
        else []
    )
    if len(areas) != len(wanted):
        raise UnknownFocusArea()
    current = set(
        session.execute(
            select(ConfirmedFocusArea.focus_area_id).where(ConfirmedFocusArea.input_id == item.id)
        ).scalars()
    )
    added, removed = set(wanted) - current, current - set(wanted)
    if removed:
        session.execute(
            delete(ConfirmedFocusArea).where(
                ConfirmedFocusArea.input_id == item.id,
                ConfirmedFocusArea.focus_area_id.in_(removed),
            )
        )
    for area_id in sorted(added):
        session.add(
            ConfirmedFocusArea(
                input_id=item.id, focus_area_id=area_id, confirmed_by_id=actor.id, confirmed_at=now
            )
        )
    _mark_reviewed(session, actor, item.id, now)
    session.flush()
    keys = {area.id: area.key for area in areas}
    removed_keys = (
        list(session.execute(select(FocusArea.key).where(FocusArea.id.in_(removed))).scalars())
        if removed
        else []
    )
    audit.record(
        session,
        actor,
        "input.focus_areas",
        "input",
        item.id,
        details={
            "confirmed": sorted(keys.values()),
            "added": sorted(keys[i] for i in added),
            "removed": sorted(removed_keys),
        },
    )
    return sorted(areas, key=lambda a: (a.position, a.key))


def add_confirmed_focus_area(
    session: Session, actor: User, input_id: int, focus_area_id: int, *, now=None
) -> None:
    """Bulk tagging: add one confirmed area, keeping the ones already confirmed."""
    now = now or utcnow()
    item = _load(session, input_id)
    if session.get(FocusArea, focus_area_id) is None:
        raise UnknownFocusArea()
    if session.get(ConfirmedFocusArea, (item.id, focus_area_id)) is None:
        session.add(
            ConfirmedFocusArea(
                input_id=item.id,
                focus_area_id=focus_area_id,
                confirmed_by_id=actor.id,
                confirmed_at=now,
            )
        )
    _mark_reviewed(session, actor, item.id, now)
    session.flush()
    key = session.get(FocusArea, focus_area_id).key
    audit.record(
        session,
        actor,
        "input.focus_areas",
        "input",
        item.id,
        details={"added": [key], "bulk": True},
    )


def _mark_reviewed(session: Session, actor: User, input_id: int, now: datetime) -> None:
    review = session.get(InputReview, input_id)
    if review is None:
        review = InputReview(input_id=input_id)
        session.add(review)
    review.focus_areas_confirmed_at = now
    review.focus_areas_confirmed_by_id = actor.id


def add_note(session: Session, actor: User, input_id: int, text: str) -> InputNote:
    item = _load(session, input_id)
    text = inputs.normalize_newlines(text).strip()
    if not text:
        raise inputs.EmptyText()
    note = InputNote(input_id=item.id, user_id=actor.id, author=actor.email, text=text)
    session.add(note)
    session.flush()
    audit.record(session, actor, "input.note", "input", item.id)
    return note


def mark_not_duplicate(session: Session, actor: User, input_id: int) -> Input:
    item = _load(session, input_id)
    inputs.mark_not_duplicate(session, item.id)
    audit.record(session, actor, "input.duplicate", "input", item.id, details={"duplicate": False})
    return item


BULK_ACTIONS = ("publish", "hide", "reset", "tag", "not_duplicate")


@dataclass
class BulkOutcome:
    done: int = 0
    skipped: int = 0  # e.g. responses that may not be published


def bulk(
    session: Session,
    actor: User,
    input_ids: Iterable[int],
    action: str,
    *,
    reason: str = "",
    focus_area_id: int | None = None,
) -> BulkOutcome:
    """Apply one action to a selection of inputs (at most MAX_BULK)."""
    if action not in BULK_ACTIONS:
        raise UnknownAction()
    ids = sorted({int(i) for i in input_ids})[:MAX_BULK]
    existing = set(session.execute(select(Input.id).where(Input.id.in_(ids))).scalars())
    outcome = BulkOutcome()
    if action == "tag" and (focus_area_id is None or session.get(FocusArea, focus_area_id) is None):
        raise UnknownFocusArea()
    for input_id in ids:
        if input_id not in existing:
            outcome.skipped += 1
            continue
        try:
            if action == "publish":
                publish(session, actor, input_id, bulk=True)
            elif action == "hide":
                hide(session, actor, input_id, reason, bulk=True)
            elif action == "reset":
                reset(session, actor, input_id, bulk=True)
            elif action == "tag":
                add_confirmed_focus_area(session, actor, input_id, focus_area_id)
            else:
                mark_not_duplicate(session, actor, input_id)
        except NotPublishable:
            outcome.skipped += 1
            continue
        outcome.done += 1
    audit.record(
        session,
        actor,
        "input.bulk",
        details={"action": action, "done": outcome.done, "skipped": outcome.skipped},
    )
    return outcome
