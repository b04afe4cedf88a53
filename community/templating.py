"""Template globals and filters. Templates display; they never query."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime, timedelta
from functools import lru_cache, partial
from typing import Any

from babel import Locale, dates
from flask import Flask, current_app, request
from flask_babel import (
    force_locale,
    format_timedelta,
    get_locale,
    get_timezone,
    get_translations,
    to_user_timezone,
)
from flask_babel import format_datetime as babel_format_datetime
from flask_login import current_user
from markupsafe import Markup, escape

from models import utcnow

from .core.registry import nav_items, tool_links
from .i18n import LANGUAGE_NAMES, current_language
from .permissions import can

log = logging.getLogger(__name__)

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def _luminance(hex_colour: str) -> float:
    match = _HEX.match(hex_colour)
    if not match:
        return 0.0
    value = match.group(1)
    channels = []
    for i in (0, 2, 4):
        c = int(value[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG contrast)."""
    return (
        "#ffffff"
        if contrast_ratio(background, "#ffffff") >= contrast_ratio(background, "#000000")
        else "#000000"
    )


def brand_colour() -> str:
    colour = current_app.config["BRAND_COLOR"]
    return colour if _HEX.match(colour) else "#1f5f8b"


def brand_css() -> tuple[str, str]:
    """The stylesheet of the brand's colours and a short version of it (for URLs)."""
    return _brand_css(brand_colour())


@lru_cache(maxsize=16)
def _brand_css(colour: str) -> tuple[str, str]:
    body = f":root {{ --brand: {colour}; --brand-text: {text_colour_on(colour)}; }}\n"
    return body, hashlib.sha256(body.encode()).hexdigest()[:12]


_ZONE_FIELDS = frozenset("zZvVOXx")
_FIELDS = re.compile(r"%\((\w+)\)s")  # the fields of a parsed Babel pattern


@lru_cache(maxsize=32)
def _datetime_patterns(locale_id: str, fmt: str) -> tuple[str, Any, Any] | None:
    """The locale's date-time template (``"{1}, {0}"``) and its date and time patterns for
    ``fmt``; None when the time shows a time zone (left to Babel, which also needs the date
    for the zone's name)."""
    time_pattern = dates.get_time_format(fmt, locale=locale_id)
    if any(field[0] in _ZONE_FIELDS for field in _FIELDS.findall(time_pattern.format)):
        return None
    template = dates.get_datetime_format(fmt, locale=locale_id).replace("'", "")
    return template, dates.get_date_format(fmt, locale=locale_id), time_pattern


def format_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """``flask_babel.format_datetime``, with the locale's patterns looked up once: Babel
    looks them up again on every call (a fifth of a topic page's time, one per post);
    and each date's text kept per locale and time zone (a page shows the same dates to
    the next visitor)."""
    locale = get_locale()
    if value is None or locale is None or fmt not in ("short", "medium"):
        return babel_format_datetime(value, fmt)
    return _format_datetime(value, locale, get_timezone(), fmt)


# Texts of dates (a plain dict: worker threads share it; emptied when full).
_datetime_texts: dict[tuple, str] = {}


def _format_datetime(value: datetime, locale: Locale, zone: Any, fmt: str) -> str:
    """The text of ``value`` in ``locale`` and ``zone`` (the request's), kept."""
    key = (value, value.tzinfo, str(locale), zone, fmt)
    text = _datetime_texts.get(key)
    if text is None:
        text = _build_datetime(value, locale, fmt)
        if len(_datetime_texts) >= 20_000:
            _datetime_texts.clear()
        _datetime_texts[key] = text
    return text


def _build_datetime(value: datetime, locale: Locale, fmt: str) -> str:
    patterns = _datetime_patterns(str(locale), fmt)
    if patterns is None:
        return babel_format_datetime(value, fmt)
    template, date_pattern, time_pattern = patterns
    local = to_user_timezone(value)
    return template.replace("{0}", time_pattern.apply(local, locale)).replace(
        "{1}", date_pattern.apply(local, locale)
    )


_TIMEDELTA_UNITS = dates.TIMEDELTA_UNITS
_TIMEAGO_THRESHOLD = 1.1


def _timedelta_choice(seconds: float) -> tuple[str, int, bool]:
    """The unit, value and direction Babel's ``format_timedelta`` picks for ``seconds``
    (granularity "second", threshold 1.1): its text depends on nothing else."""
    size = abs(seconds)
    for unit, per_unit in _TIMEDELTA_UNITS:
        value = size / per_unit
        if value >= _TIMEAGO_THRESHOLD or unit == "second":
            if unit == "second" and value > 0:
                value = max(1, value)
            return unit, int(round(value)), seconds >= 0
    raise AssertionError("unreachable: the last unit is the granularity")  # pragma: no cover


_timeago_texts: dict[tuple, str] = {}


def timeago(value: datetime | None) -> str:
    """ "3 hours ago": Babel's ``format_timedelta``, its text kept per locale, unit, value
    and direction (a few hundred texts in all)."""
    if value is None:
        return ""
    return _timeago(value - utcnow(), get_locale())


def _timeago(delta: timedelta, locale: Locale | None) -> str:
    key = (str(locale), *_timedelta_choice(delta.total_seconds()))
    text = _timeago_texts.get(key)
    if text is None:
        text = format_timedelta(delta, add_direction=True, threshold=_TIMEAGO_THRESHOLD)
        if len(_timeago_texts) < 10_000:
            _timeago_texts[key] = text
    return text


_time_tags: dict[tuple, Markup] = {}


def datetime_tag(value: datetime | None, fmt: str = "medium") -> Markup:
    """A ``<time>`` element with the machine date and a localised label, kept per date,
    format, locale, time zone and relative text (a page's dates are shown again to the
    next visitor; the relative text is part of the key, so it never goes stale)."""
    if value is None:
        return Markup("")
    delta = value - utcnow()
    locale = get_locale()
    if locale is None or fmt not in ("short", "medium"):
        return _time_tag(value, format_datetime(value, fmt), _timeago(delta, locale))
    zone = get_timezone()
    key = (value, value.tzinfo, fmt, str(locale), zone, *_timedelta_choice(delta.total_seconds()))
    tag = _time_tags.get(key)
    if tag is None:
        tag = _time_tag(value, _format_datetime(value, locale, zone, fmt), _timeago(delta, locale))
        if len(_time_tags) >= 20_000:
            _time_tags.clear()
        _time_tags[key] = tag
    return tag


def _time_tag(value: datetime, label: str, relative: str) -> Markup:
    return Markup(
        f'<time datetime="{escape(value.isoformat())}" title="{escape(label)}">{escape(relative)}</time>'
    )


def init_templating(app: Flask) -> None:
    app.extensions["community.warm_up"] = partial(warm_up, app)  # gunicorn.conf.py
    app.jinja_env.globals.update(
        can=can,
        language_names=LANGUAGE_NAMES,
        current_language=current_language,
        nav_items=nav_items,
        tool_links=tool_links,
    )
    app.jinja_env.filters.update(
        datetime=format_datetime,
        timeago=timeago,
        time_tag=datetime_tag,
    )

    @app.context_processor
    def _brand() -> dict[str, Any]:
        colour = brand_colour()
        return {
            "brand_name": current_app.config["BRAND_NAME"],
            "brand_color": colour,
            "brand_text_color": text_colour_on(colour),
            "brand_css_version": brand_css()[1],
            # The user itself, not Flask-Login's proxy: templates ask ``can(current_user, ...)``
            # many times a page, and each use of the proxy looks the user up again.
            "current_user": current_user._get_current_object(),
            "request_path": request.full_path.rstrip("?") if request else "/",
        }


def warm_up(app: Flask) -> None:
    """Compile every template and load each language's locale data and translations.

    gunicorn.conf.py calls it in the master once the app is loaded, before it forks
    the workers: otherwise every worker spends about a second of CPU on its first
    pages (Babel's locale data, Jinja's compiler), and again after each restart
    (``max_requests``). No database access: the master never opens a connection."""
    for name in app.jinja_env.list_templates(extensions=("html", "xml", "txt")):
        try:
            app.jinja_env.get_template(name)
        except Exception:  # the page that uses it will show the error
            log.exception("template %s does not compile", name)
    with app.test_request_context():
        for language in app.config["LANGUAGES"]:
            Locale.parse(language)._data  # noqa: B018 - loads the locale data
            with force_locale(language):
                get_translations()
