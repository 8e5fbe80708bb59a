"""Demo data for closing the loop: assessed inputs (drafted by a demo case officer,
approved by the demo administrator), priorities answers from the form and from a
workshop, and the answers and priorities published, so the answers page, the
receipt look-up and the høringsnotat show something from the first run.

Idempotent: nothing is added when any assessment exists.
"""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.backoffice.service import set_password
from participation.models import (
    Assessment,
    Input,
    InputStatus,
    Meeting,
    Outcome,
    Region,
    RespondentCategory,
    Role,
    User,
)

OFFICER_EMAIL = "saksbehandler@example.no"

# (outcome, comment) answered in turn; a county's own words are data, entered in the
# back office; these stand in for them.
ANSWERS = [
    (
        Outcome.ADOPTED,
        "Innspillet er **tatt inn** i strategien under satsingsområdet. Vi vil følge det opp "
        "i handlingsplanen for 2027.",
    ),
    (
        Outcome.PARTLY,
        "Vi tar med hovedgrepet, men *ikke* alle tiltakene: noen av dem ligger til staten "
        "eller kommunene.",
    ),
    (
        Outcome.NOT_ADOPTED,
        "Forslaget ligger utenfor det fylkeskommunen har virkemidler til. Vi har likevel "
        "sendt det videre til regionrådet.",
    ),
    (Outcome.NOTED, "Takk for innspillet. Det er til orientering i arbeidet med strategien."),
]


def _user(session: Session, email: str, name: str, role: str) -> User:
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, name=name, role=role)
        # Never printed: the demo officer exists to have drafted the demo assessments.
        set_password(user, secrets.token_urlsafe(16))
        session.add(user)
        session.flush()
    return user


def seed_closing(session: Session, report, today: date) -> None:
    from participation.assessments import service
    from participation.inputs import service as inputs
    from participation.priorities import service as priorities
    from participation.processes import service as processes

    if session.execute(select(Assessment.input_id).limit(1)).first() is not None:
        return
    current = processes.current_process(session)
    if current is None:
        return
    process_id = current.id
    officer = _user(session, OFFICER_EMAIL, "Demo saksbehandler", Role.REVIEWER)
    # The demo administrator (``participation.demo`` sets its password after this step).
    admin = _user(session, report.admin_email, "Demo administrator", Role.ADMIN)
    items = list(
        session.execute(
            select(Input)
            .where(Input.process_id == process_id, Input.status != InputStatus.HIDDEN)
            .order_by(Input.id)
        ).scalars()
    )
    if not items:
        return
    # The suggestion box's inputs are published so their answers can be shown.
    for item in items:
        if item.channel == "suggestion_box" and item.status == InputStatus.NEW:
            inputs.publish(session, admin, item.id)
    # Two of every three inputs assessed, in groups of three answered together.
    assessed = [item.id for n, item in enumerate(items) if n % 3 != 2]
    groups = [assessed[i : i + 3] for i in range(0, len(assessed), 3)]
    for n, group in enumerate(groups):
        outcome, comment = ANSWERS[n % len(ANSWERS)]
        service.draft(
            session,
            officer,
            group,
            service.AssessmentData(outcome, comment),
            process_id=process_id,
        )
    # All but the last group approved (one group stays a draft, for the approval page).
    approve = [i for group in groups[:-1] for i in group]
    if approve:
        service.approve(session, admin, approve, process_id=process_id)
    report.created.append(f"{len(assessed)} assessments")

    areas = [a.id for a in inputs.active_focus_areas(session, process_id)]
    regions = [r.id for r in processes.regions(session, process_id)] or list(
        session.execute(select(Region.id).order_by(Region.position)).scalars()
    )
    categories = [c.value for c in RespondentCategory]
    meeting = session.execute(
        select(Meeting)
        .where(Meeting.process_id == process_id, Meeting.cancelled_at.is_(None))
        .order_by(Meeting.starts_at)
        .limit(1)
    ).scalar_one_or_none()
    answers = 0
    if len(areas) >= 3:
        for n in range(48):
            # A stable, uneven spread: some areas are clearly ahead.
            first = areas[(n * 7) % min(len(areas), 6)]
            second = areas[(n * 5 + 1) % min(len(areas), 9)]
            third = areas[(n * 3 + 2) % len(areas)]
            chosen = list(dict.fromkeys([first, second, third]))
            workshop = meeting is not None and n % 4 == 0
            priorities.submit(
                session,
                priorities.PriorityData(
                    chosen,
                    channel="workshop" if workshop else "form",
                    region_id=regions[n % len(regions)] if regions and n % 5 else None,
                    category=categories[n % len(categories)] if n % 3 else None,
                    meeting_id=meeting.id if workshop else None,
                ),
                max_choices=3,
                process_id=process_id,
                today=today,
            )
            answers += 1
        report.created.append(f"{answers} priorities answers")
    if approve:
        service.publish_answers(session, admin, process_id=process_id)
        report.created.append("published answers page")
    if answers:
        priorities.publish(session, admin, process_id=process_id)
