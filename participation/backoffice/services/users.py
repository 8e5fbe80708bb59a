"""Staff accounts managed by administrators."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation import audit
from participation.models import Role, User
from participation.users import UserError, create_user, set_password


class LastAdministrator(UserError):
    """The change would leave no active administrator."""


class CannotLockOutSelf(UserError):
    """An administrator cannot deactivate or demote their own account."""


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
    user = session.get(User, user_id)
    if user is None:
        raise UserError("no such user")
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
    changes = {}
    if user.role != role:
        changes["role"] = role
    if user.active != active:
        changes["active"] = active
    user.name = name.strip()
    user.role = role
    user.active = active
    if password:
        set_password(user, password)
        changes["password"] = "changed"
    session.flush()
    audit.record(session, actor, "user.update", "user", user.id, details=changes)
    return user
