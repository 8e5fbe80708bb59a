"""The administration's assessment: states, four eyes, groups, the queue, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.assessments import service
from participation.models import Assessment, AuditEntry, Publication
from tests.helpers import count


@pytest.fixture
def inputs(make_input, focus_areas):
    lokalmat, reiseliv, _havbruk, _retired = focus_areas
    return [
        make_input(
            "Mer lokalmat i butikkene, takk. Det er viktig for bygda.", focus_area_ids=[lokalmat.id]
        ),
        make_input(
            "Mer lokalmat i butikkene, takk! Det er viktig for bygda.", focus_area_ids=[lokalmat.id]
        ),
        make_input(
            "Reiselivet treng betre vegar om vinteren i heile fylket.", focus_area_ids=[reiseliv.id]
        ),
        make_input("Noe helt annet om bredbånd i distriktene og på fjellet."),
    ]


def test_group_draft_keeps_a_row_per_input_and_audits(session, inputs, reviewer, process):
    ids = [i.id for i in inputs[:2]]
    rows = service.draft(
        session,
        reviewer,
        ids,
        service.AssessmentData(outcome="adopted", comment="Vi tar **dette** med i strategien."),
    )
    session.commit()
    assert [r.input_id for r in rows] == ids
    assert rows[0].group_code and rows[0].group_code == rows[1].group_code
    assert {r.state for r in rows} == {"drafted"}
    audits = (
        session.execute(select(AuditEntry).where(AuditEntry.action == "assessment.draft"))
        .scalars()
        .all()
    )
    assert sorted(int(a.object_id) for a in audits) == ids
    assert all(a.details["count"] == 2 and a.actor == reviewer.email for a in audits)
    progress = service.progress(session, process.id)
    assert (progress.assessed, progress.total, progress.drafted) == (2, 4, 2)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (service.AssessmentData(outcome="maybe"), service.InvalidOutcome),
        (service.AssessmentData(outcome=""), service.InvalidOutcome),
        (
            service.AssessmentData(outcome="noted", comment="x" * (service.COMMENT_MAX + 1)),
            service.CommentTooLong,
        ),
        (service.AssessmentData(outcome="noted", section_ids=[999999]), service.UnknownSection),
    ],
)
def test_bad_input_changes_nothing(session, inputs, reviewer, data, error):
    with pytest.raises(error):
        service.draft(session, reviewer, [inputs[0].id], data)
    session.rollback()
    assert count(session, Assessment.input_id) == 0
    assert count(session, AuditEntry.id) == 0


def test_group_with_a_missing_input_changes_nothing(session, inputs, reviewer):
    with pytest.raises(service.InputNotFound):
        service.draft(session, reviewer, [inputs[0].id, 999999], service.AssessmentData("noted"))
    with pytest.raises(service.NoInputs):
        service.draft(session, reviewer, [], service.AssessmentData("noted"))
    session.rollback()
    assert count(session, Assessment.input_id) == 0


def test_four_eyes(session, app, inputs, reviewer, admin, make_user):
    ids = [inputs[0].id, inputs[1].id]
    service.draft(session, reviewer, ids, service.AssessmentData("partly", "Delvis."))
    session.commit()
    # The drafter cannot approve, not even one of the group: nothing changes.
    with pytest.raises(service.OwnDraft):
        service.approve(session, reviewer, ids)
    session.rollback()
    assert {r.state for r in session.execute(select(Assessment)).scalars()} == {"drafted"}
    # An administrator who drafted cannot either, under four eyes.
    service.draft(session, admin, [inputs[2].id], service.AssessmentData("noted"))
    session.commit()
    with pytest.raises(service.OwnDraft):
        service.approve(session, admin, [inputs[2].id], four_eyes=True)
    # Without four eyes, the administrator may; a reviewer still not their own.
    service.approve(session, admin, [inputs[2].id], four_eyes=False)
    with pytest.raises(service.NotAllowed):
        service.approve(session, reviewer, ids, four_eyes=False)
    # A second reviewer may.
    second = make_user("reviewer")
    rows = service.approve(session, second, ids)
    session.commit()
    assert {(r.state, r.approved_by_id) for r in rows} == {("approved", second.id)}
    # Approving again: it is no longer a draft.
    with pytest.raises(service.NotDrafted):
        service.approve(session, admin, ids)
    # Changing an approved assessment makes it a draft again.
    service.draft(session, admin, [ids[0]], service.AssessmentData("adopted"))
    row = session.get(Assessment, ids[0])
    assert (row.state, row.approved_at) == ("drafted", None)


def test_not_assessed_cannot_be_approved(session, inputs, admin):
    with pytest.raises(service.NotDrafted):
        service.approve(session, admin, [inputs[0].id])


def test_queue_by_section_and_focus_area(session, inputs, reviewer, draft, make_response, process):
    section = draft.sections[1]
    make_response(draft, section=section)
    make_response(draft, section=section)
    make_response(draft)
    queue = service.queue(session, process.id)
    assert queue.total == 7
    assert [(q.label, q.count) for q in queue.by_section] == [(section.label, 2)]
    by_area = {(a.key if a else None): n for a, n in queue.by_focus_area}
    assert by_area == {"lokalmat": 2, "reiseliv": 1, None: 4}
    assert len(service.waiting_ids(session, process.id, section_id=section.id)) == 2
    service.draft(
        session,
        reviewer,
        service.waiting_ids(session, process.id, section_id=section.id),
        service.AssessmentData("noted", section_ids=[section.id]),
    )
    queue = service.queue(session, process.id)
    assert queue.total == 5 and queue.by_section == []
    row = session.execute(select(Assessment)).scalars().first()
    assert [s.id for s in row.sections] == [section.id]


def test_publishing_needs_an_approved_assessment(session, inputs, reviewer, admin):
    with pytest.raises(service.NothingApproved):
        service.publish_answers(session, admin)
    service.draft(session, reviewer, [inputs[0].id], service.AssessmentData("adopted"))
    with pytest.raises(service.NothingApproved):
        service.publish_answers(session, admin)
    session.rollback()
    assert count(session, Publication.id) == 0
    service.draft(session, reviewer, [inputs[0].id], service.AssessmentData("adopted"))
    service.approve(session, admin, [inputs[0].id])
    service.publish_answers(session, admin)
    session.commit()
    assert count(session, Publication.id) == 1
    assert count(session, AuditEntry.id, AuditEntry.action == "answers.publish") == 1
