"""The organisation's own parts of the statements, the accessibility test record, and
accessibility feedback. The only writer of ``statement_text`` and
``accessibility_test``; accessibility feedback goes to the inbox through
``inputs.service.create_input``.

What the law fixes (the 47 WCAG 2.1 criteria required in Norway, complaints to
Diskrimineringsnemnda and Datatilsynet, the rights) is in the templates, through the
catalogs. What differs from one county to the next (who is responsible, known
breaches, answer time, data protection officer, recipients) is data, entered per
language in the back office, a language left empty falling back to Bokmål. The test
part of the accessibility statement is read from the recorded axe-core run, so it
cannot drift from what was tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation import audit
from participation.models import (
    AccessibilityTest,
    Input,
    InputChannel,
    StatementText,
    User,
    utcnow,
)

ACCESSIBILITY = "accessibility"
PRIVACY = "privacy"

# The organisation-specific fields of each statement, in the order they are edited.
FIELDS: dict[str, tuple[str, ...]] = {
    ACCESSIBILITY: ("responsible", "known_breaches", "answer_time", "other_testing"),
    PRIVACY: ("controller", "contact", "dpo", "recipients"),
}
STATEMENT_LOCALES = ("nb", "nn", "en", "se")
FALLBACK_LOCALE = "nb"
MAX_FIELD = 5000

# WCAG 2.1 A and AA: the success criteria required in Norway (forskrift om universell
# utforming av IKT-løsninger; 47 of the 50, the exceptions being 1.2.3, 1.2.4, 1.2.5).
REQUIRED_CRITERIA = 47

FEEDBACK_MIN, FEEDBACK_MAX = 10, 5000


class StatementError(Exception):
    """Base of the errors the statements raise."""


class UnknownField(StatementError):
    pass


class InvalidRecord(StatementError):
    """An accessibility test record that does not have the expected shape."""


class InvalidFeedback(StatementError):
    pass


# ------------------------------------------------------------------ texts


def texts(session: Session, statement: str, locale: str) -> dict[str, str]:
    """Every field of ``statement`` in ``locale``; empty ones in Bokmål; missing ones ''."""
    rows = session.execute(
        select(StatementText).where(
            StatementText.statement == statement,
            StatementText.locale.in_({locale, FALLBACK_LOCALE}),
        )
    ).scalars()
    by_locale: dict[str, dict[str, str]] = {locale: {}, FALLBACK_LOCALE: {}}
    for row in rows:
        by_locale[row.locale][row.key] = row.value
    return {
        key: (by_locale[locale].get(key) or by_locale[FALLBACK_LOCALE].get(key) or "").strip()
        for key in FIELDS[statement]
    }


def own_texts(session: Session, statement: str, locale: str) -> dict[str, str]:
    """The fields as stored in ``locale`` only (for the back-office form)."""
    rows = session.execute(
        select(StatementText).where(
            StatementText.statement == statement, StatementText.locale == locale
        )
    ).scalars()
    stored = {row.key: row.value for row in rows}
    return {key: stored.get(key, "") for key in FIELDS[statement]}


def save_texts(
    session: Session,
    actor: User | None,
    statement: str,
    locale: str,
    values: dict[str, str],
    *,
    now: datetime | None = None,
) -> None:
    """Store the fields of ``statement`` in ``locale`` (audited)."""
    if statement not in FIELDS or locale not in STATEMENT_LOCALES:
        raise UnknownField(statement)
    unknown = set(values) - set(FIELDS[statement])
    if unknown:
        raise UnknownField(", ".join(sorted(unknown)))
    now = now or utcnow()
    existing = {
        row.key: row
        for row in session.execute(
            select(StatementText).where(
                StatementText.statement == statement, StatementText.locale == locale
            )
        ).scalars()
    }
    for key, value in values.items():
        value = (value or "").replace("\r\n", "\n").strip()[:MAX_FIELD]
        row = existing.get(key)
        if row is None:
            session.add(
                StatementText(
                    statement=statement, key=key, locale=locale, value=value, updated_at=now
                )
            )
        elif row.value != value:
            row.value = value
            row.updated_at = now
    session.flush()
    audit.record(
        session, actor, "statement.update", "statement", statement, details={"locale": locale}
    )


def last_changed(session: Session, statement: str) -> datetime | None:
    return session.execute(
        select(func.max(StatementText.updated_at)).where(StatementText.statement == statement)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class Breach:
    criterion: str
    meaning: str
    alternative: str


def known_breaches(text: str) -> list[Breach]:
    """The known breaches as entered: one a line, ``criterion | what it means | alternative``."""
    breaches = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        parts += [""] * (3 - len(parts))
        breaches.append(Breach(parts[0], parts[1], " | ".join(p for p in parts[2:] if p)))
    return breaches


# ------------------------------------------------------------------ the test record

_WCAG_TAG = re.compile(r"^wcag(\d)(\d)(\d{1,2})$")


def criteria_of(tags: list[str]) -> list[str]:
    """WCAG success criteria named by axe-core's tags ("wcag143" → "1.4.3")."""
    found = []
    for tag in tags:
        match = _WCAG_TAG.match(str(tag))
        if match:
            found.append(".".join(match.groups()))
    return sorted(set(found))


def _parse_time(value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as error:
        raise InvalidRecord("tested_at") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_accessibility_test(session: Session, record: dict) -> AccessibilityTest:
    """Store a test record: ``{"tested_at": ISO time, "tool": "axe-core 4.x",
    "pages": [{"url", "locale", "violations": [{"id", "impact", "help", "tags",
    "nodes"}]}]}`` (what the browser tests write). Raises ``InvalidRecord``."""
    if not isinstance(record, dict) or not isinstance(record.get("pages"), list):
        raise InvalidRecord("pages")
    pages = []
    for page in record["pages"]:
        if not isinstance(page, dict) or not isinstance(page.get("url"), str):
            raise InvalidRecord("url")
        violations = []
        for violation in page.get("violations") or []:
            if not isinstance(violation, dict) or not violation.get("id"):
                raise InvalidRecord("violations")
            violations.append(
                {
                    "id": str(violation["id"]),
                    "impact": str(violation.get("impact") or ""),
                    "help": str(violation.get("help") or ""),
                    "criteria": criteria_of(list(violation.get("tags") or []))
                    or list(violation.get("criteria") or []),
                    "nodes": int(violation.get("nodes") or 0),
                }
            )
        pages.append(
            {"url": page["url"], "locale": str(page.get("locale") or ""), "violations": violations}
        )
    if not pages:
        raise InvalidRecord("pages")
    test = AccessibilityTest(
        tested_at=_parse_time(record.get("tested_at") or utcnow().isoformat()),
        tool=str(record.get("tool") or "axe-core")[:80],
        page_count=len(pages),
        pages=pages,
    )
    session.add(test)
    session.flush()
    audit.record(session, None, "accessibility.record", "accessibility_test", test.id)
    return test


def latest_accessibility_test(session: Session) -> AccessibilityTest | None:
    return (
        session.execute(
            select(AccessibilityTest).order_by(
                AccessibilityTest.tested_at.desc(), AccessibilityTest.id.desc()
            )
        )
        .scalars()
        .first()
    )


@dataclass(frozen=True)
class FoundViolation:
    id: str
    help: str
    impact: str
    criteria: tuple[str, ...]
    pages: tuple[str, ...]


@dataclass(frozen=True)
class TestSummary:
    test: AccessibilityTest
    urls: tuple[str, ...]  # distinct paths scanned
    locales: tuple[str, ...]
    violations: tuple[FoundViolation, ...]  # grouped by axe rule


def summarise(test: AccessibilityTest) -> TestSummary:
    grouped: dict[str, dict] = {}
    for page in test.pages:
        for violation in page["violations"]:
            entry = grouped.setdefault(
                violation["id"],
                {
                    "help": violation["help"],
                    "impact": violation["impact"],
                    "criteria": set(),
                    "pages": [],
                },
            )
            entry["criteria"].update(violation["criteria"])
            if page["url"] not in entry["pages"]:
                entry["pages"].append(page["url"])
    return TestSummary(
        test=test,
        urls=tuple(dict.fromkeys(page["url"] for page in test.pages)),
        locales=tuple(sorted({page["locale"] for page in test.pages if page["locale"]})),
        violations=tuple(
            FoundViolation(
                key, v["help"], v["impact"], tuple(sorted(v["criteria"])), tuple(v["pages"])
            )
            for key, v in sorted(grouped.items())
        ),
    )


def breached_criteria(breaches: list[Breach], summary: TestSummary | None) -> list[str]:
    """The distinct success criteria breached: known breaches and the test's findings."""
    found = {b.criterion.split()[0] for b in breaches if b.criterion}
    if summary is not None:
        for violation in summary.violations:
            found.update(violation.criteria or (violation.id,))
    return sorted(found)


# ------------------------------------------------------------------ feedback


def submit_accessibility_feedback(
    session: Session, text: str, *, email: str = "", page: str = "", today=None
) -> Input:
    """A report of an accessibility problem, into the inbox as its own channel.

    Anonymous unless the person leaves an address: it is kept in the stored text (staff
    only, found and deleted by the privacy tools like any address in a text) and
    redacted from what is shown and analysed.
    """
    from participation.inputs import service as inputs

    body = (text or "").replace("\r\n", "\n").strip()
    if not FEEDBACK_MIN <= len(body) <= FEEDBACK_MAX:
        raise InvalidFeedback("text")
    parts = [body]
    if page.strip():
        parts.append(f"[{page.strip()[:300]}]")
    if email.strip():
        parts.append(f"<{email.strip()}>")
    return inputs.create_input(
        session,
        channel=InputChannel.ACCESSIBILITY,
        text="\n\n".join(parts),
        created_on=today,
    )
