"""The view helpers every blueprint shares (``participation.views``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.models import Region
from participation.views import commit_or_refuse


class DomainError(Exception):
    pass


class Refused(DomainError):
    pass


class Unmapped(DomainError):
    pass


def _add_region_then(session, error=None):
    session.add(Region(name="Nord", slug="nord"))
    session.flush()
    if error is not None:
        raise error
    return "done"


def _regions(session) -> list[str]:
    return list(session.execute(select(Region.name)).scalars())


def test_commit_or_refuse_commits_what_the_service_did(session):
    result, refusal = commit_or_refuse(lambda: _add_region_then(session), {Refused: "no"})
    session.remove()
    assert (result, refusal) == ("done", None)
    assert _regions(session) == ["Nord"]


def test_commit_or_refuse_rolls_back_and_gives_the_refusal(session):
    refusals = {Refused: "refused", DomainError: "any other"}
    assert commit_or_refuse(lambda: _add_region_then(session, Refused()), refusals) == (
        None,
        "refused",
    )
    # A subclass without a message of its own gets its base class's.
    assert commit_or_refuse(lambda: _add_region_then(session, Unmapped()), refusals) == (
        None,
        "any other",
    )
    assert _regions(session) == []


def test_commit_or_refuse_lets_other_errors_through(session):
    with pytest.raises(Unmapped):
        commit_or_refuse(lambda: _add_region_then(session, Unmapped()), {Refused: "no"})
