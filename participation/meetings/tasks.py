"""The meeting reminders as periodic work of the job queue: every hour, each confirmed
participant of a meeting starting within MEETING_REMINDER_HOURS gets one reminder."""

from __future__ import annotations

from flask import Flask

from participation.extensions import db
from participation.jobs import periodic
from participation.meetings.service import send_reminders


@periodic("meeting_reminders", minute="5")
def meeting_reminders(app: Flask) -> None:
    send_reminders(db.session, hours=app.config["MEETING_REMINDER_HOURS"])
    db.session.commit()
