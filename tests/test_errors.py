"""Every failure becomes a clear page (HTML) or a JSON error (API), never a crash."""

from __future__ import annotations

import pytest

from community.auth import services as account_services
from models import ApiToken, db


@pytest.fixture
def app_config():
    return {"MAX_CONTENT_LENGTH": 4096}


def test_404_html_and_json(client):
    html = client.get("/missing")
    assert html.status_code == 404 and html.mimetype == "text/html"
    api = client.get("/api/v1/missing")
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == "not_found"


def test_405_json_on_api(client):
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_413_for_large_bodies(client, login):
    response = client.post("/login", data={"login": "x" * 10_000, "password": "y"})
    assert response.status_code == 413
    assert "larger than the allowed size" in response.get_data(as_text=True)
    login("member")
    api = client.patch("/api/v1/me", data="x" * 10_000, content_type="application/json")
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "payload_too_large"


def test_403_for_someone_elses_token(client, login, users):
    token, _secret = account_services.create_token(users["staff"], "theirs")
    db.session.commit()
    login("member")
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 403
    assert "Access denied" in response.get_data(as_text=True)
    db.session.refresh(token)
    assert token.revoked_at is None


def test_500_page_rolls_back_and_answers_in_the_visitors_language(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = client.get("/boom", headers={"Accept-Language": "fr"})
    assert response.status_code == 500
    assert "Une erreur s’est produite" in response.get_data(as_text=True)


def test_400_on_missing_csrf_token(app, client, users):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"login": "member", "password": "whatever"})
    assert response.status_code == 400
    assert "session expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/register", "/login", "/forgot-password", "/reset-password/x", "/account"])
@pytest.mark.parametrize(
    "payload",
    [{"username": ["a", "b"]}, {"email": "\x00\x01"}, {"password": "é" * 300}, {"csrf_token": "forged"}, {}],
)
def test_junk_never_crashes_forms(client, path, payload):
    response = client.post(path, data=payload)
    assert response.status_code < 500


def test_bad_tokens_never_crash(client):
    for path in ("/confirm/%00", "/confirm/" + "a" * 3000, "/account/email/x.y.z", "/reset-password/.."):
        assert client.get(path).status_code in (404, 422)
    assert db.session.query(ApiToken).count() == 0


class TestRateLimits:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"}

    def test_login_is_rate_limited_with_a_clear_page(self, client, users):
        for _ in range(3):
            client.post("/login", data={"login": "member", "password": "wrong wrong"})
        response = client.post("/login", data={"login": "member", "password": "wrong wrong"})
        assert response.status_code == 429
        assert "Retry-After" in response.headers
        assert "too many requests" in response.get_data(as_text=True)
        assert client.get("/login").status_code == 200  # reading the form is not limited


def test_nul_characters_are_removed_from_input(client, login, users):
    assert client.get("/search?q=a%00b").status_code == 200
    assert client.get("/api/v1/topics?page=1%00").status_code == 200
    assert (
        client.post("/login", data={"login": "member\x00", "password": "correct horse battery"}).status_code
        == 302
    )
    api = client.patch("/api/v1/me", data='{"bio": "a\\u0000b"}', content_type="application/json")
    assert api.status_code == 200 and api.get_json()["email"] and users["member"].bio == "ab"


def test_numbers_beyond_a_column_find_nothing(client):
    response = client.get("/api/v1/topics?category_id=-13555734845763373576841347465216")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
