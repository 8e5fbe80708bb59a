"""Helpers the views of every blueprint share, public and back office: carrying out a
service call in the request's transaction, and the look-ups that answer "not found"."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from flask import abort

from participation.extensions import db
from participation.models import Process
from participation.processes import service as processes

Result = TypeVar("Result")


def commit_or_refuse(
    call: Callable[[], Result], refusals: Mapping[type[Exception], object]
) -> tuple[Result | None, object | None]:
    """Run ``call`` (a service call): commit what it did and return ``(its result, None)``;
    when the service refuses with an exception ``refusals`` names, roll back and return
    ``(None, the message for it)`` for the page to show or flash.

    A class in ``refusals`` also answers for its subclasses that have no message of
    their own (a domain's base error gives the default message)."""
    try:
        result = call()
    except tuple(refusals) as refused:
        db.session.rollback()
        return None, next(refusals[kind] for kind in type(refused).__mro__ if kind in refusals)
    db.session.commit()
    return result, None


def public_process_or_404(slug: str) -> Process:
    """A process the public may see, by its address name; else not found."""
    process = processes.public_by_slug(db.session, slug)
    if process is None:
        abort(404)
    return process
