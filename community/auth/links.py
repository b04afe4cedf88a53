"""Signed, expiring links for e-mail confirmation, password reset and e-mail change."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from models import User


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"community.{purpose}")


def _fingerprint(user: User) -> str:
    """Changes once the password changes, so a reset link works once."""
    return user.password_hash[-16:]


def make_confirm_token(user: User) -> str:
    return _serializer("confirm").dumps({"uid": user.id, "email": user.email.lower()})


def make_reset_token(user: User) -> str:
    return _serializer("reset").dumps({"uid": user.id, "fp": _fingerprint(user)})


def make_email_change_token(user: User, new_email: str) -> str:
    return _serializer("email-change").dumps({"uid": user.id, "email": new_email})


def load_token(purpose: str, token: str, max_age: int) -> dict[str, Any] | None:
    """The payload of a valid, unexpired token, or None."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (BadSignature, ValueError, TypeError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("uid"), int) else None


def reset_token_matches(user: User, payload: dict[str, Any]) -> bool:
    return payload.get("fp") == _fingerprint(user)
