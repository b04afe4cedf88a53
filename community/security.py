"""Security headers on every response.

The Content-Security-Policy allows scripts and style sheets from this site only: no
inline script or event handler, no ``eval``, no ``<style>`` element (the brand colours
come from ``/brand.css``), no framing. ``style="..."`` attributes are allowed (a
template may set a bar's width; Markdown never produces them: nh3 drops them). Images may also come from ``data:`` (Bootstrap's icons) and ``https:`` (images
that people embed in Markdown). A view that needs a stricter policy (an uploaded
image, an SVG avatar) sets its own headers, which are kept.

HSTS is sent on HTTPS requests (behind a proxy, set ``PROXY_COUNT`` so the app sees
the scheme) and on every response in production, where the site must be HTTPS.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.datastructures import Headers, ImmutableMultiDict, MultiDict

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # style="..." attributes (e.g. a bar's width) only; <style> elements stay forbidden.
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: https:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def security_headers(response: Response) -> Response:
    """Add the site-wide security headers, keeping any a view has set itself."""
    add_security_headers(response.headers, current_app.config, request.is_secure)
    return response


def add_security_headers(headers: Headers, config: Any, is_secure: bool) -> None:
    """The headers themselves (also used by the page cache's middleware, before Flask)."""
    headers.setdefault("Content-Security-Policy", config["CONTENT_SECURITY_POLICY"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    max_age = int(config["HSTS_MAX_AGE"])
    if max_age and (is_secure or config["ENV_NAME"] == "production"):
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")


def strip_nul_characters() -> None:
    """No text people write contains NUL, and PostgreSQL refuses it inside strings (a
    500): remove it from the query, the form and JSON bodies before any view reads them."""
    if any("\x00" in v for vs in request.args.listvalues() for v in vs):
        request.__dict__["args"] = _cleaned(request.args)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            raw = request.get_data(cache=True)
            if b"\\u0000" in raw:  # only valid JSON is cleaned; the parser refuses the rest
                try:
                    request._cached_data = json.dumps(_no_nul(json.loads(raw))).encode()
                except ValueError:
                    pass
        elif any("\x00" in v for vs in request.form.listvalues() for v in vs):
            request.__dict__["form"] = _cleaned(request.form)


def _no_nul(value):  # noqa: ANN001, ANN202
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_no_nul(v) for v in value]
    if isinstance(value, dict):
        return {_no_nul(k): _no_nul(v) for k, v in value.items()}
    return value


def _cleaned(values: MultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict([(k, v.replace("\x00", "")) for k, v in values.items(multi=True)])


def init_security(app: Flask) -> None:
    app.config.setdefault("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
    app.config.setdefault("HSTS_MAX_AGE", 365 * 24 * 3600)
    app.after_request(security_headers)
    app.before_request(strip_nul_characters)
