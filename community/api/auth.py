"""API access helpers: JSON 401/403 instead of redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..errors import DomainError, PermissionDenied
from ..permissions import can


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"

    def default_message(self) -> Any:
        return _l("Sign in or send a valid personal access token.")


def refuse_blocked_token() -> None:
    """A valid token of a suspended or banned member: answer 403 with the reason the
    member would see at sign-in, instead of a bare 401."""
    user = request.environ.get("community.blocked_user")
    if user is None:
        return
    from ..auth.services import LOGIN_CHECKS

    for check in LOGIN_CHECKS:  # raises with the reason; the error handler rolls back
        check(user)


def login_required_json(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            refuse_blocked_token()
            raise Unauthorized()
        return view(*args, **kwargs)

    return wrapper


def require(action: str, obj: Any = None) -> None:
    """Raise 401 for visitors and 403 for members who may not do ``action``."""
    if not current_user.is_authenticated:
        refuse_blocked_token()
        raise Unauthorized()
    if not can(current_user, action, obj):
        raise PermissionDenied()
