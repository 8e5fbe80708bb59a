"""Staff accounts: creation and passwords (werkzeug's default hash, scrypt)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from participation.models import Role, User

MIN_PASSWORD_LENGTH = 12


class UserError(Exception):
    pass


class PasswordTooShort(UserError):
    pass


class EmailTaken(UserError):
    pass


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort()
    user.password_hash = generate_password_hash(password)


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


def create_user(session: Session, email: str, password: str, role: str, name: str = "") -> User:
    email = email.strip().lower()
    if role not in {r.value for r in Role}:
        raise UserError(f"unknown role {role}")
    if session.execute(select(User.id).where(User.email == email)).first():
        raise EmailTaken()
    user = User(email=email, name=name, role=role)
    set_password(user, password)
    session.add(user)
    session.flush()
    return user
