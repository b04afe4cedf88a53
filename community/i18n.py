"""Language selection: the member's preference, then the session's choice, then
Accept-Language, then the default."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept

from .extensions import babel

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return anonymous_language(session.get("lang"), request.accept_languages, current_app.config)


def anonymous_language(chosen: str | None, accepted: LanguageAccept, config: Any) -> str:
    """The language of a visitor who is not signed in: the session's choice, then
    Accept-Language, then the default (also used by the page cache before Flask runs)."""
    languages = config["LANGUAGES"]
    if chosen in languages:
        return chosen
    return accepted.best_match(languages) or config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
