"""Languages: complete catalogues, selection order, the switcher."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from models import db

ROOT = Path(__file__).resolve().parent.parent


def _translations_module():
    spec = importlib.util.spec_from_file_location("translations_script", ROOT / "scripts/translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_is_translated_into_french():
    script = _translations_module()
    missing = [m.id for m in script.missing("fr")]
    assert missing == [], f"untranslated: {missing[:20]}"


def test_french_plurals_fill_every_form():
    script = _translations_module()
    catalog = script.load_sources("fr")
    for message in catalog:
        if isinstance(message.string, tuple) and message.id:
            assert len(message.string) == catalog.num_plurals and all(message.string), message.id


def test_accept_language_picks_french(client):
    page = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="fr">' in page and "Bienvenue dans la communauté" in page


def test_default_language_is_english(client):
    page = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Welcome to the" in page


def test_switcher_remembers_the_choice_for_visitors(client):
    response = client.post("/language", data={"lang": "fr", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert "Se connecter" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_switcher_ignores_foreign_next(client):
    response = client.post("/language", data={"lang": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_member_preference_wins_over_the_browser(client, login, users):
    login("member")
    client.post("/language", data={"lang": "fr", "next": "/"})
    db.session.refresh(users["member"])
    assert users["member"].locale == "fr"
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in page


@pytest.mark.parametrize(("lang", "text"), [("en", "Page not found"), ("fr", "Page introuvable")])
def test_error_pages_in_both_languages(client, lang, text):
    response = client.get("/no/such/page", headers={"Accept-Language": lang})
    assert response.status_code == 404 and text in response.get_data(as_text=True)


def test_form_errors_are_translated(client):
    response = client.post(
        "/register", headers={"Accept-Language": "fr"},
        data={"username": "ok_name", "email": "nope", "password": "x", "confirm": "y"},
    )  # fmt: skip
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Saisissez une adresse e-mail valide." in text and "Corrigez les erreurs ci-dessous." in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_dates_read_as_babel_formats_them(app, lang):
    """The templates' date filter looks the locale's patterns up once (community/templating.py):
    the same text as Flask-Babel's format_datetime, in every format, around the year."""
    from datetime import UTC, datetime, timedelta

    from flask_babel import force_locale
    from flask_babel import format_datetime as babel_format_datetime

    from community.templating import format_datetime

    with app.test_request_context("/"), force_locale(lang):
        for fmt in ("short", "medium", "long", "full"):
            value = datetime(2025, 1, 1, 0, 0, 7)
            while value.year == 2025:  # both sides of the daylight saving changes, every hour
                for moment in (value, value.replace(tzinfo=UTC)):
                    assert format_datetime(moment, fmt) == babel_format_datetime(moment, fmt), (fmt, moment)
                value += timedelta(hours=13, minutes=37)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_relative_dates_read_as_babel_formats_them(app, lang, monkeypatch):
    """``timeago`` keeps each text per locale, unit, value and direction
    (community/templating.py): the same text as Babel for every delay, both ways."""
    from datetime import UTC, datetime, timedelta

    from flask_babel import force_locale, format_timedelta

    from community import templating

    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(templating, "utcnow", lambda: now)
    with app.test_request_context("/"), force_locale(lang):
        seconds = 0.0
        while seconds < 3 * 365 * 86400:
            for sign in (-1, 1):
                delta = timedelta(seconds=sign * seconds)
                expected = format_timedelta(delta, add_direction=True, threshold=1.1)
                assert templating.timeago(now + delta) == expected, (lang, delta)
            seconds = seconds * 1.07 + 0.5


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_time_tags_are_the_same_when_kept(app, lang, monkeypatch):
    """``datetime_tag`` keeps each tag per date, locale, zone and relative text: the same
    element as one built afresh, and a new relative text once the clock moves on."""
    from datetime import UTC, datetime, timedelta

    from flask_babel import force_locale, format_timedelta
    from flask_babel import format_datetime as babel_format_datetime
    from markupsafe import escape

    from community import templating

    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(templating, "utcnow", lambda: now)
    with app.test_request_context("/"), force_locale(lang):
        for minutes in (0, 1, 59, 61, 60 * 30, 60 * 24 * 40, 60 * 24 * 400):
            value = now - timedelta(minutes=minutes)
            for _ in range(2):  # built, then kept
                label = babel_format_datetime(value, "medium")
                relative = format_timedelta(value - now, add_direction=True, threshold=1.1)
                expected = (
                    f'<time datetime="{value.isoformat()}" title="{escape(label)}">{escape(relative)}</time>'
                )
                assert str(templating.datetime_tag(value)) == expected
        value = now - timedelta(minutes=5)
        before = str(templating.datetime_tag(value))
        monkeypatch.setattr(templating, "utcnow", lambda: now + timedelta(hours=3))
        assert str(templating.datetime_tag(value)) != before
