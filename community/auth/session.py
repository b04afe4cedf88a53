"""Who is asking: session cookies for pages, bearer tokens for the API."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from models import User, db

from ..extensions import login_manager
from . import queries


def _load_user(user_id: str) -> User | None:
    """Session ids are ``"<id>:<session_version>"``: a password change ends other sessions."""
    raw_id, _, version = user_id.partition(":")
    if not (raw_id.isascii() and raw_id.isdecimal()) or not (version.isascii() and version.isdecimal()):
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def _load_user_from_request(req) -> User | None:  # noqa: ANN001
    """Personal access tokens, accepted on the API only."""
    if not req.path.startswith("/api/"):
        return None
    header = req.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = queries.active_token(secret.strip())
    if token is not None and not token.user.is_active:
        # Suspended or banned: not signed in, but the API says why (see api.auth).
        request.environ["community.blocked_user"] = token.user
    if token is None or not token.user.is_active:
        return None
    request.environ["community.bearer"] = True
    return token.user


def authenticated_by_token() -> bool:
    return bool(request.environ.get("community.bearer"))


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_request)
