"""Account writes: registration, confirmation, passwords, e-mail, profile, tokens.

Services take the actor explicitly, only add and flush (the caller commits), and
raise :mod:`community.errors` exceptions with messages for people.
"""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l

from models import ApiToken, Role, User, db, utcnow

from .. import events
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..mail import send_templated
from ..permissions import can
from ..urls import external_url
from . import links, queries
from .passwords import hash_password, needs_rehash, verify_password

TOKEN_PREFIX = "rsb_"

# Called as ``check(user)`` at sign-in once the password is right; may raise a
# DomainError whose message the member sees (moderation: suspensions and bans).
LOGIN_CHECKS: list = []
# Called as ``hook(user)`` after a successful sign-in, in the same transaction
# (moderation counts the day's visit for trust levels).
LOGIN_HOOKS: list = []


def create_user(
    username: str,
    email: str,
    password: str,
    *,
    role: Role = Role.MEMBER,
    locale: str | None = None,
    display_name: str = "",
    confirmed: bool = False,
) -> User:
    """Create an account. Raises :class:`Conflict` when the name or address is taken."""
    if queries.user_by_username(username) is not None:
        raise Conflict(_l("This username is already taken."), code="username_taken")
    if queries.user_by_email(email) is not None:
        raise Conflict(_l("An account already uses this e-mail address."), code="email_taken")
    user = User(
        username=username.strip(),
        email=email.strip(),
        password_hash=hash_password(password),
        role=Role(role).value,
        locale=locale,
        display_name=display_name.strip(),
        email_confirmed_at=utcnow() if confirmed else None,
        trust_level=1 if role != Role.MEMBER else 0,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register(username: str, email: str, password: str, locale: str | None) -> User | None:
    """Self-registration. Returns the new account, or None when the address is taken.

    A taken address is not revealed to the visitor: its owner gets an e-mail instead.
    Raises :class:`Conflict` for a taken username (usernames are public anyway).
    """
    existing = queries.user_by_email(email)
    if existing is not None:
        send_templated(
            existing.email,
            existing.locale or locale,
            _l("Someone tried to register with your address"),
            "already_registered",
            user=existing,
            login_url=external_url("auth.login"),
            reset_url=external_url("auth.forgot_password"),
        )
        return None
    user = create_user(username, email, password, locale=locale)
    send_confirmation(user)
    events.announce(events.user_registered, user_id=user.id)
    return user


def send_confirmation(user: User) -> None:
    send_templated(
        user.email,
        user.locale,
        _l("Confirm your e-mail address"),
        "confirm",
        user=user,
        url=external_url("auth.confirm_email", token=links.make_confirm_token(user)),
    )


def confirm_email(token: str) -> User:
    """Mark the address in ``token`` as confirmed. Raises :class:`InvalidInput`."""
    payload = links.load_token("confirm", token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["uid"]) if payload else None
    if user is None or user.email.lower() != payload.get("email"):
        raise InvalidInput(_l("This confirmation link is invalid or has expired."), code="bad_token")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


def authenticate(login: str, password: str) -> User | None:
    """The account for these credentials, or None (without saying which part was wrong)."""
    user = queries.user_by_login(login)
    ok = verify_password(user.password_hash if user else None, password)
    if user is not None and ok:
        for check in LOGIN_CHECKS:
            check(user)
    if user is None or not ok or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_seen_at = utcnow()
    for hook in LOGIN_HOOKS:
        hook(user)
    return user


def request_password_reset(email: str) -> None:
    """Send a reset link if an account has this address; say nothing either way."""
    user = queries.user_by_email(email)
    if user is None or not user.is_active:
        return
    send_templated(
        user.email,
        user.locale,
        _l("Reset your password"),
        "reset",
        user=user,
        url=external_url("auth.reset_password", token=links.make_reset_token(user)),
    )


def user_for_reset_token(token: str) -> User:
    payload = links.load_token("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["uid"]) if payload else None
    if user is None or not links.reset_token_matches(user, payload):
        raise InvalidInput(_l("This reset link is invalid or has expired."), code="bad_token")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    if user.email_confirmed_at is None:  # the link proved the address
        user.email_confirmed_at = utcnow()
    return user


def change_password(user: User, current: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current):
        raise InvalidInput(_l("Your current password is not correct."), code="wrong_password")
    _set_password(user, new_password)


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.session_version += 1


def request_email_change(user: User, password: str, new_email: str) -> None:
    """Send a confirmation link to ``new_email``; the address changes once it is followed."""
    if not verify_password(user.password_hash, password):
        raise InvalidInput(_l("Your current password is not correct."), code="wrong_password")
    if new_email.strip().lower() == user.email.lower():
        raise InvalidInput(_l("This is already your address."), code="same_email")
    if queries.user_by_email(new_email) is not None:
        return  # say nothing: the link is simply never sent
    send_templated(
        new_email.strip(),
        user.locale,
        _l("Confirm your new e-mail address"),
        "email_change",
        user=user,
        url=external_url(
            "auth.confirm_email_change",
            token=links.make_email_change_token(user, new_email.strip()),
        ),
    )


def confirm_email_change(token: str) -> User:
    payload = links.load_token("email-change", token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["uid"]) if payload else None
    new_email = str(payload.get("email", "")) if payload else ""
    if user is None or not new_email:
        raise InvalidInput(_l("This confirmation link is invalid or has expired."), code="bad_token")
    if queries.user_by_email(new_email) not in (None, user):
        raise Conflict(_l("An account already uses this e-mail address."), code="email_taken")
    user.email = new_email
    user.email_confirmed_at = utcnow()
    return user


def update_profile(user: User, *, display_name: str, bio: str, locale: str | None) -> None:
    if locale is not None and locale not in current_app.config["LANGUAGES"]:
        raise InvalidInput(_l("This language is not available."), code="bad_locale")
    user.display_name = display_name.strip()
    user.bio = bio.strip()
    user.locale = locale or None


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise InvalidInput(_l("This language is not available."), code="bad_locale")
    user.locale = locale


def set_role(actor: User | None, target: User, role: str) -> None:
    """Change ``target``'s role. ``actor`` None means an operator on the command line."""
    try:
        new_role = Role(role)
    except ValueError:
        raise InvalidInput(_l("Unknown role."), code="bad_role") from None
    if actor is not None and not can(actor, "account.set_role", target):
        raise PermissionDenied()
    target.role = new_role.value
    if new_role != Role.MEMBER:
        target.trust_level = max(target.trust_level, 1)


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal access token; the secret is returned once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip() or "token",
        token_hash=queries.hash_token(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(actor: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound()
    if not can(actor, "token.revoke", token):
        raise PermissionDenied()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token
