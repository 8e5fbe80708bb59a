"""The back office's own rows: staff accounts, passwords and logging in and out.

Passwords use werkzeug's default hash (scrypt). Functions take a session, flush,
raise a ``UserError`` when the rules refuse and record the audit entry; the
caller commits.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from participation import audit
from participation.common import normalize_email
from participation.db import get_or_raise
from participation.models import Role, User, utcnow

MIN_PASSWORD_LENGTH = 12


class UserError(Exception):
    pass


class PasswordTooShort(UserError):
    pass


class EmailTaken(UserError):
    pass


class UserNotFound(UserError):
    pass


class LastAdministrator(UserError):
    """The change would leave no active administrator."""


class CannotLockOutSelf(UserError):
    """An administrator cannot deactivate or demote their own account."""


class WrongLogin(UserError):
    """No active account with this address and password (which one is not said)."""


# ---------------------------------------------------------------- accounts


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort()
    user.password_hash = generate_password_hash(password)


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


def create_user(session: Session, email: str, password: str, role: str, name: str = "") -> User:
    email = normalize_email(email)
    if role not in {r.value for r in Role}:
        raise UserError(f"unknown role {role}")
    if session.execute(select(User.id).where(User.email == email)).first():
        raise EmailTaken()
    user = User(email=email, name=name, role=role)
    set_password(user, password)
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.active.desc(), User.email)).scalars())


def add_user(
    session: Session, actor: User, *, email: str, name: str, role: str, password: str
) -> User:
    user = create_user(session, email, password, role, name.strip())
    audit.record(session, actor, "user.create", "user", user.id, details={"role": role})
    return user


def update_user(
    session: Session,
    actor: User,
    user_id: int,
    *,
    name: str,
    role: str,
    active: bool,
    password: str | None = None,
) -> User:
    user = get_or_raise(session, User, user_id, UserNotFound)
    if role not in {r.value for r in Role}:
        raise UserError(f"unknown role {role}")
    if user.id == actor.id and (not active or role != Role.ADMIN):
        raise CannotLockOutSelf()
    losing_admin = user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active)
    if losing_admin:
        others = session.scalar(
            select(func.count(User.id)).where(
                User.role == Role.ADMIN, User.active, User.id != user.id
            )
        )
        if not others:
            raise LastAdministrator()
    # What really changed, old and new ("Rolle: Saksbehandlar → Administrator"); never
    # the password itself.
    changes: dict = {}
    if user.role != role:
        changes["role"] = [user.role, role]
    if user.active != active:
        changes["active"] = [user.active, active]
    user.name = name.strip()
    user.role = role
    user.active = active
    if password:
        set_password(user, password)
        changes["password"] = True
    session.flush()
    audit.record(session, actor, "user.update", "user", user.id, details={"changes": changes})
    return user


# ---------------------------------------------------------------- logging in


@cache
def _dummy_hash() -> str:
    """Compared against when the account does not exist, so both cases take as long."""
    return generate_password_hash("no such account")


def log_in(session: Session, email: str, password: str) -> User:
    """The active account with this address and password, its login recorded.

    Raises :class:`WrongLogin` otherwise; a failed attempt on an existing account is
    recorded too (the attempt, never the password).
    """
    user = session.execute(
        select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()
    if user is None:
        check_password_hash(_dummy_hash(), password)
        raise WrongLogin()
    if not (check_password(user, password) and user.active):
        audit.record(session, user, "login.failed", "user", user.id)
        session.flush()
        raise WrongLogin(user.id)
    user.last_login_at = utcnow()
    audit.record(session, user, "login", "user", user.id)
    session.flush()
    return user


def log_out(session: Session, user: User) -> None:
    audit.record(session, user, "logout", "user", user.id)
    session.flush()


def session_expired(session: Session, user: User) -> None:
    audit.record(session, user, "session.expired")
    session.flush()
