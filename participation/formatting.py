"""Locale-aware date and time formatting for templates and e-mails (Europe/Oslo)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date, format_datetime, format_time


def date_long(value: datetime) -> str:
    return format_date(_local_date(value), "full")


def time_short(value: datetime) -> str:
    return format_time(value, "HH:mm")


def datetime_medium(value: datetime) -> str:
    return format_datetime(value, "medium")


def datetime_short(value: datetime) -> str:
    return format_datetime(value, "short")


def iso(value: datetime) -> str:
    return value.isoformat()


def _local_date(value: datetime):
    # format_date does not shift time zones; take the Oslo calendar date first.
    from flask_babel import get_timezone

    return value.astimezone(get_timezone()).date()


FILTERS = {
    "date_long": date_long,
    "time_short": time_short,
    "datetime_medium": datetime_medium,
    "datetime_short": datetime_short,
    "iso": iso,
}
