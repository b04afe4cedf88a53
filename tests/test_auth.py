"""Accounts: registration, confirmation, sign-in, passwords, e-mail, profile."""

from __future__ import annotations

import re

import pytest

from community.auth import queries
from models import User, db
from tests.factories import PASSWORD, UserFactory

LINK = re.compile(r"https?://[^/\s]+(/\S+)")


def _link(mailbox, to: str) -> str:
    return LINK.search(mailbox.text_of(mailbox.wait_for(to))).group(1)


def register(client, username="newbie", email="newbie@example.test", password="a good long password"):
    return client.post(
        "/register",
        data={"username": username, "email": email, "password": password, "confirm": password},
    )


def test_register_confirm_and_login(client, mailbox):
    response = register(client)
    assert response.status_code == 302
    user = queries.user_by_username("newbie")
    assert user is not None and user.email_confirmed_at is None
    assert user.password_hash.startswith("$argon2id$")
    message = mailbox.wait_for("newbie@example.test")
    assert message["Subject"] == "Confirm your e-mail address"
    assert message.get_body(preferencelist=("html",)) is not None
    assert client.get(_link(mailbox, "newbie@example.test")).status_code == 302
    db.session.expire_all()
    assert queries.user_by_username("newbie").email_confirmed_at is not None
    response = client.post(
        "/login", data={"login": "NEWBIE@example.test", "password": "a good long password"}
    )
    assert response.status_code == 302
    assert client.get("/api/v1/me").get_json()["username"] == "newbie"


def test_confirmation_mail_uses_the_registrants_language(client, mailbox):
    client.post("/register", headers={"Accept-Language": "fr"}, data={
        "username": "amelie", "email": "amelie@example.test",
        "password": "un mot de passe long", "confirm": "un mot de passe long",
    })  # fmt: skip
    message = mailbox.wait_for("amelie@example.test")
    assert message["Subject"] == "Confirmez votre adresse e-mail"
    assert "Bonjour" in mailbox.text_of(message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "x", "email": "a@b.test", "password": "long enough pw", "confirm": "long enough pw"},
         "3 to 32 letters"),
        ({"username": "okname", "email": "not-an-email", "password": "long enough pw", "confirm": "long enough pw"},
         "valid e-mail"),
        ({"username": "okname", "email": "a@b.test", "password": "short", "confirm": "short"}, "at least 10"),
        ({"username": "okname", "email": "a@b.test", "password": "long enough pw", "confirm": "other thing"},
         "do not match"),
        ({"username": "admin", "email": "a@b.test", "password": "long enough pw", "confirm": "long enough pw"},
         "reserved"),
    ],
)  # fmt: skip
def test_register_rejects_bad_input(client, data, message):
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0


def test_register_taken_username_is_refused(client, users):
    response = register(client, username="MEMBER")
    assert response.status_code == 422
    assert "already taken" in response.get_data(as_text=True)


def test_register_taken_email_reveals_nothing(client, users, mailbox):
    response = register(client, username="someoneelse", email="member@example.test")
    assert response.status_code == 302  # same answer as a new address
    assert queries.user_by_username("someoneelse") is None
    message = mailbox.wait_for("member@example.test")
    assert "already have one" in mailbox.text_of(message)


def test_login_by_username_or_email(auth, users):
    assert auth.login("member").status_code == 302
    auth.logout()
    assert auth.login("Member@Example.test").status_code == 302


def test_login_errors_do_not_reveal_accounts(auth, users):
    wrong_password = auth.login("member", "nope nope nope")
    no_account = auth.login("ghost", "nope nope nope")
    assert wrong_password.status_code == no_account.status_code == 422
    text = "The username, e-mail or password is not correct."
    assert text in wrong_password.get_data(as_text=True)
    assert text in no_account.get_data(as_text=True)


def test_inactive_accounts_cannot_sign_in(auth, users):
    users["member"].is_active = False
    db.session.commit()
    assert auth.login("member").status_code == 422


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/account", "/account"), ("https://evil.example/", "/"), ("//evil.example", "/"),
     ("/\\evil.example", "/"), ("javascript:alert(1)", "/")],
)  # fmt: skip
def test_next_only_redirects_within_the_site(client, users, target, expected):
    response = client.post(f"/login?next={target}", data={"login": "member", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_logout(client, login):
    login("member")
    assert client.post("/logout").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_forgot_password_says_the_same_for_unknown_addresses(client, users, mailbox):
    known = client.post("/forgot-password", data={"email": "member@example.test"}, follow_redirects=True)
    unknown = client.post("/forgot-password", data={"email": "ghost@example.test"}, follow_redirects=True)
    flash = "If an account uses this address"
    assert flash in known.get_data(as_text=True) and flash in unknown.get_data(as_text=True)
    mailbox.wait_for("member@example.test")
    assert not [m for m in mailbox.messages if "ghost" in str(m["To"])]


def test_reset_password_link_works_once(client, users, mailbox, auth):
    client.post("/forgot-password", data={"email": "member@example.test"})
    link = _link(mailbox, "member@example.test")
    assert client.get(link).status_code == 200
    new = {"password": "a brand new password", "confirm": "a brand new password"}
    assert client.post(link, data=new).status_code == 302
    assert auth.login("member", "a brand new password").status_code == 302
    auth.logout()
    again = client.post(link, data={"password": "yet another password", "confirm": "yet another password"})
    assert again.status_code == 422
    assert "invalid or has expired" in again.get_data(as_text=True)


def test_reset_link_tampered(client):
    response = client.get("/reset-password/not-a-token")
    assert response.status_code == 422


def test_change_password_ends_other_sessions(app, client, login, auth):
    login("member")
    other = app.test_client()
    assert other.post("/login", data={"login": "member", "password": PASSWORD}).status_code == 302
    response = client.post("/account/password", data={
        "pw-current": PASSWORD, "pw-password": "a new strong password", "pw-confirm": "a new strong password",
    })  # fmt: skip
    assert response.status_code == 302
    assert client.get("/api/v1/me").status_code == 200  # this session stays
    assert other.get("/api/v1/me").status_code == 401  # the other one is signed out


def test_change_password_needs_the_current_one(client, login):
    login("member")
    response = client.post("/account/password", data={
        "pw-current": "wrong wrong", "pw-password": "a new strong password", "pw-confirm": "a new strong password",
    })  # fmt: skip
    assert response.status_code == 422
    assert "current password is not correct" in response.get_data(as_text=True)


def test_change_email_after_confirmation(client, login, mailbox):
    user = login("member")
    response = client.post("/account/email", data={"em-email": "new@example.test", "em-current": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email == "member@example.test"  # not before the link is followed
    client.get(_link(mailbox, "new@example.test"))
    db.session.refresh(user)
    assert user.email == "new@example.test"


def test_profile_update_and_public_page(client, login):
    user = login("member")
    response = client.post(
        "/account", data={"display_name": "Marie Curie", "bio": "Physicist", "locale": "fr"}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.bio, user.locale) == ("Marie Curie", "Physicist", "fr")
    page = client.get("/u/member").get_data(as_text=True)
    assert "Marie Curie" in page and "Physicist" in page


def test_profile_rejects_unknown_language(client, login):
    login("member")
    response = client.post("/account", data={"display_name": "x", "bio": "", "locale": "de"})
    assert response.status_code == 422


def test_avatar_has_initials(client, users):
    users["member"].display_name = "marie curie"
    db.session.commit()
    response = client.get("/u/member/avatar.svg")
    assert response.mimetype == "image/svg+xml"
    assert ">MC</text>" in response.get_data(as_text=True)
    assert client.get("/u/nobody/avatar.svg").status_code == 404


def test_unconfirmed_member_can_resend_link(client, app, mailbox):
    UserFactory(username="late", email_confirmed_at=None)
    db.session.commit()
    client.post("/login", data={"login": "late", "password": PASSWORD})
    assert "not confirmed yet" in client.get("/account").get_data(as_text=True)
    client.post("/confirm/resend")
    assert mailbox.wait_for("late@example.test")["Subject"] == "Confirm your e-mail address"


def test_account_pages_need_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
