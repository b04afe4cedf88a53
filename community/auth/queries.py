"""Reads for accounts and tokens."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, or_, select

from models import ApiToken, User, db


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def user_by_login(login: str) -> User | None:
    """The account whose username or e-mail is ``login`` (any case)."""
    key = login.strip().lower()
    if not key:
        return None
    stmt = select(User).where(or_(func.lower(User.username) == key, func.lower(User.email) == key))
    return db.session.scalars(stmt).first()


def user_by_username(username: str) -> User | None:
    stmt = select(User).where(func.lower(User.username) == username.strip().lower())
    return db.session.scalars(stmt).first()


def user_by_email(email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == email.strip().lower())
    return db.session.scalars(stmt).first()


def active_token(secret: str) -> ApiToken | None:
    stmt = select(ApiToken).where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
    return db.session.scalars(stmt).first()


def tokens_of(user: User) -> list[ApiToken]:
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    )
    return list(db.session.scalars(stmt))
