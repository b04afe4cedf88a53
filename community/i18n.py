"""Language selection: the member's preference, then the session's choice, then
Accept-Language, then the default."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, get_translations
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
    _install_template_gettext(app)


def _install_template_gettext(app: Flask) -> None:
    """Templates translate with the catalogue of the current locale, found in a dictionary:
    Flask-Babel's ``get_translations()`` walks about ten context-local proxies per call,
    and a page translates a hundred strings or more (a tenth of a topic page's time).
    The locale is still asked each time, so ``force_locale`` (e-mails) works as before."""
    catalogues: dict[str, Any] = {}

    def translations() -> Any:
        locale = get_locale()
        if locale is None:  # outside a request
            return get_translations()
        key = str(locale)
        found = catalogues.get(key)
        if found is None:
            found = catalogues[key] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
