"""Security headers on every response, no inline script or style, secure cookies."""

from __future__ import annotations

import re

import pytest

from community import create_app
from community.security import CONTENT_SECURITY_POLICY
from models import db
from tests.conftest import make_config

# One of each kind of response: page, form, API JSON, API error, HTML error, static, CSS.
PATHS = [
    "/",
    "/login",
    "/register",
    "/api/v1/openapi.json",
    "/api/v1/me",
    "/missing",
    "/static/css/community.css",
]


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("path", PATHS)
def test_every_response_has_the_security_headers(client, path):
    response = client.get(path)
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP outside production
    response.close()


def test_the_policy_allows_no_inline_script_style_or_framing():
    policy = _directives(CONTENT_SECURITY_POLICY)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["style-src-attr"] == ["'unsafe-inline'"]  # style="" attributes only
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY.replace("style-src-attr 'unsafe-inline'", "")


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script element without src
    re.compile(r"<style\b", re.I),
    re.compile(r"\son[a-z]+=", re.I),  # onclick=, onload= ...
    re.compile(r"javascript:", re.I),
]


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/forgot-password", "/missing"])
def test_pages_have_no_inline_script_or_style(client, path):
    page = client.get(path).get_data(as_text=True)
    for pattern in INLINE:
        assert not pattern.search(page), f"{pattern.pattern} in {path}"


def test_signed_in_pages_have_no_inline_script_or_style(client, login):
    login("member")
    for path in ("/", "/account", "/u/member"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        for pattern in INLINE:
            assert not pattern.search(page), f"{pattern.pattern} in {path}"


def test_hsts_on_https_requests(client):
    response = client.get("/", base_url="https://community.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_views_keep_their_own_stricter_policy(client, users):
    avatar = client.get("/u/member/avatar.svg")
    assert avatar.status_code == 200
    assert avatar.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert avatar.headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def production_app(tmp_path, mail_server):
    app = create_app(make_config(tmp_path, mail_server, ENV_NAME="production", COOKIE_SECURE=None))
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_production_sends_hsts_and_secure_cookies(production_app):
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    client = production_app.test_client()
    response = client.get("/login")  # the form's CSRF token starts a session
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_cookies_work_over_plain_http(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_hsts_can_be_turned_off(make_app):
    app = make_app(ENV_NAME="production", HSTS_MAX_AGE=0)
    with app.app_context():
        response = app.test_client().get("/brand.css", base_url="https://community.test")
        assert response.status_code == 200
        assert "Strict-Transport-Security" not in response.headers


def test_only_trusted_hosts_are_served(make_app):
    app = make_app(TRUSTED_HOSTS=["community.test"], PAGE_CACHE_SECONDS=60)
    client = app.test_client()
    with app.app_context():
        db.create_all()
    assert client.get("/", base_url="http://community.test").status_code == 200
    refused = client.get("/", base_url="http://evil.example")
    assert refused.status_code == 400
    assert "Bad request" in refused.get_data(as_text=True) and "evil.example" not in refused.get_data(
        as_text=True
    )
    assert "Content-Security-Policy" in refused.headers
    french = client.get("/", base_url="http://evil.example", headers={"Accept-Language": "fr"})
    assert french.status_code == 400 and "Requête incorrecte" in french.get_data(as_text=True)
    api = client.get("/api/v1/categories", base_url="http://evil.example")
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "bad_request"


def test_trusted_hosts_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "community.example.com, www.community.example.com,")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["TRUSTED_HOSTS"] == ["community.example.com", "www.community.example.com"]
