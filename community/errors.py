"""Domain exceptions and the error handlers that turn every failure into a clear
page (HTML, in the visitor's language) or a JSON error (API)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from .extensions import db
from .jobs import discard_deferred

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A refused action; ``message`` is shown to the person who tried it."""

    status = 400
    code = "bad_request"

    def __init__(self, message: Any = None, *, code: str | None = None, **details: Any):
        super().__init__(str(message or self.default_message()))
        self.message = message or self.default_message()
        if code:
            self.code = code
        self.details = details

    def default_message(self) -> Any:
        return _l("This request could not be processed.")


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"

    def default_message(self) -> Any:
        return _l("You are not allowed to do that.")


class NotFound(DomainError):
    status = 404
    code = "not_found"

    def default_message(self) -> Any:
        return _l("This page does not exist or is no longer available.")


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RateLimited(DomainError):
    """Too many writes; ``retry_after`` seconds until the next one is allowed."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: Any = None, *, retry_after: int = 60, **details: Any):
        super().__init__(message, retry_after=int(retry_after), **details)
        self.retry_after = int(retry_after)

    def default_message(self) -> Any:
        return _l("You are writing too fast. Please wait a moment and try again.")


ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def _messages() -> dict[int, tuple[Any, Any]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please check what you sent.")),
        401: (_("Sign-in required"), _("Please sign in to continue.")),
        403: (_("Access denied"), _("You are not allowed to see this page or do this action.")),
        404: (_("Page not found"), _("This page does not exist or is no longer available.")),
        405: (_("Method not allowed"), _("This address does not accept that kind of request.")),
        409: (_("Conflict"), _("This conflicts with the current state of the page.")),
        413: (_("Too large"), _("What you sent is larger than the allowed size.")),
        415: (_("Unsupported format"), _("This format is not accepted here.")),
        422: (_("Invalid data"), _("Some of the data you sent is not valid.")),
        429: (
            _("Too many requests"),
            _("You have made too many requests. Please wait a moment and try again."),
        ),
        500: (
            _("Something went wrong"),
            _("An unexpected error occurred. It has been logged; please try again later."),
        ),
        503: (_("Unavailable"), _("The service is temporarily unavailable.")),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html
    )


def json_error(status: int, message: Any, code: str | None = None, **details: Any):
    body: dict[str, Any] = {"code": code or ERROR_CODES.get(status, "error"), "message": str(message)}
    if details:
        body["details"] = details
    return jsonify(error=body), status


def _render(status: int, message: Any = None, code: str | None = None, **details: Any):
    titles = _messages()
    title, default = titles.get(status, titles[500 if status >= 500 else 400])
    if wants_json():
        return json_error(status, message or default, code, **details)
    return render_template(
        "errors/error.html", status=status, title=title, message=message or default
    ), status


def _untrusted_host():
    """A Host header outside ``TRUSTED_HOSTS``: Flask builds no URL adapter for such a
    request, so the page is a bare one (no layout, whose links need ``url_for``)."""
    title, message = _messages()[400]
    if wants_json():
        return json_error(400, message)
    page = (
        f'<!doctype html><html lang="{escape(str(get_locale()))}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>"
        f"<p>{escape(message)}</p></main></body></html>"
    )
    return page, 400


def handle_http_exception(exc: HTTPException):
    if isinstance(exc, SecurityError):
        return _untrusted_host()
    status = exc.code or 500
    message = None
    details: dict[str, Any] = {}
    data = getattr(exc, "data", None)  # webargs/flask-smorest validation errors
    if isinstance(data, dict) and "messages" in data:
        details["fields"] = data["messages"].get("json", data["messages"])
        message = _("Some of the data you sent is not valid.")
    elif isinstance(exc, CSRFError):
        message = _(
            "Your session expired or the form was tampered with. Please reload the page and try again."
        )
        details = {}
        response = _render(400, message, "csrf_failed")
        return response
    elif status == 429:
        message = _("You have made too many requests. Please wait a moment and try again.")
    elif getattr(exc, "show_message", False):
        message = exc.description
    response = _render(status, message, **details)
    if status == 405 and hasattr(exc, "get_headers"):
        resp, code = response
        resp = _as_response(resp, code)
        for name, value in exc.get_headers():
            if name.lower() == "allow":
                resp.headers[name] = value
        return resp
    return response


def _as_response(body: Any, status: int):
    from flask import make_response

    return make_response(body, status)


def _rollback() -> None:
    db.session.rollback()
    discard_deferred()


def handle_domain_error(exc: DomainError):
    _rollback()
    body, status = _render(exc.status, exc.message, exc.code, **exc.details)
    response = _as_response(body, status)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _out_of_range(exc: Exception) -> bool:
    """A number too large for a database column (SQLite raises OverflowError,
    PostgreSQL a NumericValueOutOfRange DataError): the visitor's input, not a bug."""
    if isinstance(exc, OverflowError):
        return True
    return (
        isinstance(exc, DataError) and type(getattr(exc, "orig", None)).__name__ == "NumericValueOutOfRange"
    )


def handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    if _out_of_range(exc):
        _rollback()
        # No row can have such a number: nothing is found (as for an id in the path).
        return _render(404, _("A number in the request is out of range."), "not_found")
    _rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _render(500)


def init_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(InternalServerError, lambda e: handle_unexpected(e.original_exception or e))
    app.register_error_handler(Exception, handle_unexpected)
