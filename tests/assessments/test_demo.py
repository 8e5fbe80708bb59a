"""The demo data closes the loop: assessed inputs, priorities, a published answers page."""

from __future__ import annotations

from sqlalchemy import func, select

from participation.models import Assessment, Input, PriorityAnswer, Publication
from tests.helpers import csrf_token


def test_demo_has_answers_priorities_and_a_filled_report(runner, session, client, tmp_path):
    from docx import Document

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    states = dict(
        session.execute(select(Assessment.state, func.count()).group_by(Assessment.state)).all()
    )
    assert states["approved"] > 0 and states["drafted"] > 0
    assert session.scalar(select(func.count(PriorityAnswer.id))) > 0
    assert session.scalar(select(func.count(Publication.id))) == 2
    client.set_cookie("lang", "en")
    page = client.get("/svar/")
    assert "The inputs and our answers" in page.text and "Outcome:" in page.text
    code = session.scalar(
        select(Input.receipt_code)
        .join(Assessment, Assessment.input_id == Input.id)
        .where(Assessment.state == "approved", Input.receipt_code.is_not(None))
        .limit(1)
    )
    form = client.get("/svar/kvittering")
    found = client.post(
        "/svar/kvittering", data={"csrf_token": csrf_token(form.text), "code": code}
    )
    assert "Status: answered." in found.text
    assert "Based on" in client.get("/prioriteringar/resultat").text
    target = tmp_path / "demo.docx"
    assert runner.invoke(args=["report", "horingsnotat", "-o", str(target)]).exit_code == 0
    tables = Document(str(target)).tables
    assert sum(len(t.rows) for t in tables) > 30
    # Running it again adds nothing.
    before = session.scalar(select(func.count(Assessment.input_id)))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert session.scalar(select(func.count(Assessment.input_id))) == before
