"""The JSON API under ``/api/v1``, documented at ``/api/v1/openapi.json``.

flask-smorest generates the OpenAPI 3 document from the marshmallow schemas and
decorators on each endpoint and validates input with webargs (422 on bad input).
Each feature keeps its endpoints in ``<feature>/api.py`` and registers its
blueprint here through :func:`register`.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user
from flask_smorest import Api as _Api
from flask_smorest import Blueprint

from ..auth.session import authenticated_by_token
from ..extensions import csrf
from .schemas import ErrorSchema

PREFIX = "/api/v1"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class Api(_Api):
    """flask-smorest's Api without its app-wide error handler: ours serves both
    pages and JSON (``community.errors``)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        pass


SPEC_KWARGS: dict = {
    "info": {"description": "The Rassembleur community API."},
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"},
            "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
        }
    },
    # Reading is open to visitors ({}): endpoints that need an account answer 401.
    "security": [{}, {"bearerAuth": []}, {"cookieAuth": []}],
}


def _csrf_for_cookie_sessions() -> None:
    """Writes authenticated by the session cookie need the CSRF token header;
    bearer-token requests cannot be forged by a browser and skip it."""
    if request.method in SAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if current_user.is_authenticated and not authenticated_by_token():
        csrf.protect()


def register(app: Flask, blueprint: Blueprint) -> None:
    """Mount a feature's API blueprint under ``/api/v1`` and document it."""
    if not getattr(blueprint, "_community_api_ready", False):
        blueprint.before_request(_csrf_for_cookie_sessions)
        blueprint._community_api_ready = True  # type: ignore[attr-defined]
    csrf.exempt(blueprint)
    app.extensions["community.api"].register_blueprint(blueprint, url_prefix=PREFIX)


def init_api(app: Flask) -> None:
    """One :class:`Api` per application, so each app has its own document."""
    from .views import blp as core_blp

    api = Api(app, spec_kwargs=SPEC_KWARGS)
    app.extensions["community.api"] = api
    register(app, core_blp)
