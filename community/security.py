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

from flask import Flask, Response, current_app, request

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
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", config["CONTENT_SECURITY_POLICY"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    max_age = int(config["HSTS_MAX_AGE"])
    if max_age and (request.is_secure or config["ENV_NAME"] == "production"):
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
    return response


def init_security(app: Flask) -> None:
    app.config.setdefault("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
    app.config.setdefault("HSTS_MAX_AGE", 365 * 24 * 3600)
    app.after_request(security_headers)
