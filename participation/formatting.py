"""The one way Innspill writes dates, times and numbers — for pages, e-mails, exports
and the audit log.

Times are stored in UTC and always shown in the county's time zone (Europe/Oslo).
For people: Norwegian conventions in nb, nn (and se) — "mandag 28. desember 2026
kl. 09.00", "28. des. 2026 kl. 09.00", decimal comma — and day-month order in English
("Monday 28 December 2026 at 09:00"); never seconds or microseconds. For machines
(CSV cells, ``<time datetime>``): ISO 8601 in local time with an explicit offset
("2026-12-28T09:00:00+01:00"), whole seconds.

Every function takes an optional ``locale`` (default: the request's or the e-mail's
language through Flask-Babel, else Bokmål) and works outside a request too. The glue
between date and time ("kl.", "at") comes from the catalogs, so a translator sees it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import phonenumbers
from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.numbers import format_decimal as _babel_decimal

from participation.config import Config

# The county's time zone (configurable; shown to people, offset in exports).
DEFAULT_TIMEZONE = ZoneInfo(Config.TIMEZONE)

_NORWEGIAN = {
    "date_long": "EEEE d. MMMM y",
    "date_short": "d. MMM y",
    "date_medium": "d. MMMM y",
    "date_numeric": "dd.MM.y",
    "time": "HH.mm",
}
# Northern Sami in Norway follows the Norwegian order and separators.
PATTERNS: dict[str, dict[str, str]] = {
    "nb": _NORWEGIAN,
    "nn": _NORWEGIAN,
    "se": _NORWEGIAN,
    "en": {
        "date_long": "EEEE d MMMM y",
        "date_short": "d MMM y",
        "date_medium": "d MMMM y",
        "date_numeric": "dd/MM/y",
        "time": "HH:mm",
    },
}


def N_(message: str) -> str:
    """Marks a message for extraction; translated when used (see ``_gettext``)."""
    return message


# The glue between the parts, translated: "kl." in Norwegian, "at" in English.
DATE_AT_TIME = N_("%(date)s at %(time)s")
AT_TIME = N_("at %(time)s")
TIME_RANGE = N_("%(start)s–%(end)s")
DATE_TIME_RANGE = N_("%(date)s, %(start)s–%(end)s")
YES, NO = N_("Yes"), N_("No")

# Excel number formats for the local wall-clock times written into workbooks.
XLSX_DATETIME = "dd.mm.yyyy hh:mm"
XLSX_DATE = "dd.mm.yyyy"


def current_locale() -> str:
    """The language in force: the request's or ``force_locale``'s, else Bokmål."""
    try:
        from flask_babel import get_locale

        value = get_locale()
    except (RuntimeError, KeyError, AttributeError):
        value = None
    language = getattr(value, "language", None) or (str(value) if value else "nb")
    return language if language in PATTERNS else ("nb" if language in {"no", "nob"} else "en")


def current_timezone() -> ZoneInfo:
    """The configured time zone of the running app, else the default (Europe/Oslo)."""
    try:
        from flask import current_app

        name = current_app.config.get("TIMEZONE")
    except RuntimeError:
        name = None
    return ZoneInfo(name) if name else DEFAULT_TIMEZONE


def _pattern(kind: str, locale: str | None) -> tuple[str, str]:
    language = locale or current_locale()
    if language not in PATTERNS:
        language = "en"
    return PATTERNS[language][kind], language


def local(value: datetime, tz: ZoneInfo | None = None) -> datetime:
    """``value`` (aware, or naive UTC as stored) in the county's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz or current_timezone())


def _day(value: date | datetime) -> date:
    return local(value).date() if isinstance(value, datetime) else value


def _gettext(message: str, locale: str | None = None, **variables) -> str:
    """A catalog message in ``locale`` or the language in force (English without an app)."""
    try:
        from flask_babel import force_locale, gettext

        if locale is None or locale == current_locale():
            return gettext(message, **variables)
        with force_locale(locale):
            return gettext(message, **variables)
    except (RuntimeError, KeyError, AttributeError):
        return message % variables


# ---------------------------------------------------------------- for people


def _date(kind: str, value: date | datetime, locale: str | None) -> str:
    """``value``'s day (local, for a datetime) in the language's pattern of this kind."""
    pattern, language = _pattern(kind, locale)
    return _babel_date(_day(value), pattern, locale=language)


def date_long(value: date | datetime, locale: str | None = None) -> str:
    """ "mandag 28. desember 2026" / "Monday 28 December 2026"."""
    return _date("date_long", value, locale)


def date_short(value: date | datetime, locale: str | None = None) -> str:
    """ "28. des. 2026" / "28 Dec 2026"."""
    return _date("date_short", value, locale)


def date_medium(value: date | datetime, locale: str | None = None) -> str:
    """ "28. desember 2026" / "28 December 2026" (documents, letterheads)."""
    return _date("date_medium", value, locale)


def date_numeric(value: date | datetime, locale: str | None = None) -> str:
    """ "28.12.2026" / "28/12/2026"."""
    return _date("date_numeric", value, locale)


def time_short(value: datetime | time, locale: str | None = None) -> str:
    """ "09.00" / "09:00" (local time, never seconds)."""
    pattern, language = _pattern("time", locale)
    clock = local(value).time() if isinstance(value, datetime) else value
    return _babel_time(clock.replace(second=0, microsecond=0), pattern, locale=language)


def _at(day: str, clock: str, locale: str | None) -> str:
    return _gettext(DATE_AT_TIME, locale, date=day, time=clock)


def datetime_long(value: datetime, locale: str | None = None) -> str:
    """ "mandag 28. desember 2026 kl. 09.00" / "Monday 28 December 2026 at 09:00"."""
    return _at(date_long(value, locale), time_short(value, locale), locale)


def datetime_short(value: datetime, locale: str | None = None) -> str:
    """ "28. des. 2026 kl. 09.00" / "28 Dec 2026 at 09:00" (back-office lists)."""
    return _at(date_short(value, locale), time_short(value, locale), locale)


def time_range(start: datetime, end: datetime | None, locale: str | None = None) -> str:
    """ "kl. 09.00–13.00" / "09:00–13:00"."""
    if end is None:
        return _gettext(AT_TIME, locale, time=time_short(start, locale))
    return _gettext(
        TIME_RANGE, locale, start=time_short(start, locale), end=time_short(end, locale)
    )


def when(start: datetime, end: datetime | None = None, locale: str | None = None) -> str:
    """A meeting's time as people say it: "mandag 28. desember 2026 kl. 09.00–13.00"."""
    if end is None:
        return datetime_long(start, locale)
    return _gettext(
        DATE_TIME_RANGE,
        locale,
        date=date_long(start, locale),
        start=time_short(start, locale),
        end=time_short(end, locale),
    )


def number(value: float | int | None, digits: int = 0, locale: str | None = None) -> str:
    """A figure with the language's separators: "1 234,5" / "1,234.5"; "–" for none."""
    if value is None:
        return "–"
    language = locale or current_locale()
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return _babel_decimal(value, fmt, locale=language if language in PATTERNS else "en")


def percent(fraction: float | None, locale: str | None = None) -> str:
    """A share (0.57) as a whole percentage with a no-break space: "57 %"."""
    if fraction is None:
        return "–"
    return number(round(fraction * 100), 0, locale) + "\u00a0%"


def kilobytes(size: int, locale: str | None = None) -> str:
    """A file size in whole kB, rounded up: "120 kB"."""
    return number(-(-size // 1024), 0, locale) + "\u00a0kB"


def phone(value: str | None) -> str:
    """A stored phone number (E.164) as people write it: "912 34 567" for a Norwegian
    number, "+46 70 123 45 67" for one abroad."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, "NO")
    except phonenumbers.NumberParseException:
        return value
    if parsed.country_code == 47:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# ---------------------------------------------------------------- for machines


def iso(value: date | datetime | None) -> str:
    """ISO 8601 for machines: a time in local time with its offset, whole seconds
    ("2026-12-28T09:00:00+01:00"); a calendar date as is ("2026-12-28")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).replace(microsecond=0).isoformat()
    return value.isoformat()


def for_people(value, locale: str | None = None) -> str:
    """Any value as a person should read it (audit-log details, summaries)."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return datetime_short(value, locale)
    if isinstance(value, date):
        return date_short(value, locale)
    if isinstance(value, bool):
        return _gettext(YES if value else NO, locale)
    if isinstance(value, float):
        return number(value, 2 if abs(value) < 10 else 1, locale)
    if isinstance(value, int):
        return number(value, 0, locale)
    return str(value)


FILTERS = {
    "date_long": date_long,
    "date_short": date_short,
    "date_medium": date_medium,
    "date_numeric": date_numeric,
    "time_short": time_short,
    "datetime_long": datetime_long,
    "datetime_short": datetime_short,
    "when": when,
    "time_range": time_range,
    "number": number,
    "percent": percent,
    "kilobytes": kilobytes,
    "phone": phone,
    "iso": iso,
}
