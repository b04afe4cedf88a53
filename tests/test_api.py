"""API base: the OpenAPI document, authentication, CSRF, JSON errors."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from community.auth import services as account_services
from models import ApiToken, db


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_openapi_document_is_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/me"} <= set(document["paths"])
    assert "bearerAuth" in document["components"]["securitySchemes"]


def test_me_needs_authentication(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json() == {
        "error": {"code": "unauthorized", "message": "Sign in or send a valid personal access token."}
    }


def test_bearer_token_authenticates(client, users):
    token, secret = account_services.create_token(users["staff"], "ci")
    db.session.commit()
    assert secret.startswith("rsb_") and token.token_hash != secret and secret not in token.prefix + "x"
    body = client.get("/api/v1/me", headers=_bearer(secret)).get_json()
    assert body["username"] == "staff" and body["role"] == "staff"


def test_revoked_or_wrong_tokens_are_refused(client, users):
    token, secret = account_services.create_token(users["member"], "old")
    db.session.commit()
    account_services.revoke_token(users["member"], token.id)
    db.session.commit()
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 401
    assert client.get("/api/v1/me", headers=_bearer("rsb_nope")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_tokens_do_not_sign_in_html_pages(client, users):
    _token, secret = account_services.create_token(users["member"], "t")
    db.session.commit()
    assert client.get("/account", headers=_bearer(secret)).status_code == 302


def test_token_created_and_revoked_from_the_account_page(client, login):
    login("member")
    response = client.post("/account/tokens", data={"tk-name": "my script"}, follow_redirects=True)
    secret = re.search(r"(rsb_[A-Za-z0-9_-]+)", response.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    token = db.session.query(ApiToken).one()
    client.post(f"/account/tokens/{token.id}/revoke")
    assert client.application.test_client().get("/api/v1/me", headers=_bearer(secret)).status_code == 401


def test_patch_me_validates_input(client, users):
    _token, secret = account_services.create_token(users["member"], "t")
    db.session.commit()
    bad = client.patch("/api/v1/me", json={"locale": "klingon", "display_name": 5}, headers=_bearer(secret))
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["code"] == "invalid_input" and {"locale", "display_name"} <= set(error["details"]["fields"])
    db.session.refresh(users["member"])
    assert users["member"].locale is None
    good = client.patch("/api/v1/me", json={"display_name": "Marie", "locale": "fr"}, headers=_bearer(secret))
    assert good.status_code == 200 and good.get_json()["name"] == "Marie"


def test_patch_me_rejects_non_json(client, users):
    _token, secret = account_services.create_token(users["member"], "t")
    db.session.commit()
    response = client.patch(
        "/api/v1/me", data="{not json", content_type="application/json", headers=_bearer(secret)
    )
    assert response.status_code in (400, 422)
    assert "error" in response.get_json()


def test_cookie_sessions_need_the_csrf_header(app, client, login):
    app.config["WTF_CSRF_ENABLED"] = True
    client.get("/login")
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert (
        client.post(
            "/login", data={"login": "member", "password": "correct horse battery", "csrf_token": csrf}
        ).status_code
        == 302
    )
    refused = client.patch("/api/v1/me", json={"bio": "x"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    accepted = client.patch("/api/v1/me", json={"bio": "x"}, headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200


def test_healthz_json(client):
    assert client.get("/healthz").get_json()["database"] == "ok"
