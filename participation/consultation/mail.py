"""The receipt e-mail for a consultation response, in the respondent's language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from participation import outbox
from participation.models import ConsultationResponse


def draft_url(response: ConsultationResponse) -> str:
    return outbox.external_url("consultation.draft", slug=response.draft.slug)


def queue_receipt(session: Session, response: ConsultationResponse) -> None:
    from participation.consultation.forms import CATEGORY_LABELS, STANCE_LABELS

    outbox.enqueue(
        session,
        recipient=response.email,
        locale=response.locale,
        template="consultation_receipt",
        response=response,
        draft=response.draft,
        section=response.section,
        stance_label=STANCE_LABELS[response.stance],
        category_label=CATEGORY_LABELS[response.category],
        draft_url=draft_url(response),
    )
