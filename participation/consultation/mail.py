"""The receipt e-mail for a consultation response, in the respondent's language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from participation import outbox
from participation.labels import CATEGORY_LABELS, STANCE_LABELS
from participation.models import ConsultationResponse, DraftSection, DraftStrategy


def draft_url(draft: DraftStrategy, locale: str | None = None) -> str:
    return outbox.external_url("consultation.draft", slug=draft.slug, locale=locale)


def queue_receipt(
    session: Session,
    response: ConsultationResponse,
    draft: DraftStrategy,
    section: DraftSection | None,
) -> None:
    outbox.enqueue(
        session,
        recipient=response.email,
        locale=response.locale,
        template="consultation_receipt",
        response=response,
        draft=draft,
        section=section,
        stance_label=STANCE_LABELS[response.stance],
        category_label=CATEGORY_LABELS[response.category],
        draft_url=draft_url(draft, response.locale),
        attachment_names=[a.original_filename for a in response.attachments],
    )
