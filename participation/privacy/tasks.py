"""The nightly retention purge as periodic work of the job queue (02:15 UTC)."""

from __future__ import annotations

from flask import Flask

from participation.extensions import db
from participation.jobs import periodic
from participation.privacy.service import purge_expired


@periodic("retention_purge", minute="15", hour="2")
def retention_purge(app: Flask) -> None:
    purge_expired(db.session, retention_days=app.config["RETENTION_DAYS"])
    db.session.commit()
