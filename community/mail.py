"""Outgoing e-mail: rendered in the recipient's language, sent by a job.

``MAIL_BACKEND=console`` (development) prints messages instead of sending them;
``smtp`` sends through Flask-Mail to ``MAIL_SERVER``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message

from . import jobs
from .extensions import mail

log = logging.getLogger(__name__)


def render_templated(
    to: str,
    locale: str | None,
    subject: Any,
    template: str,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> dict[str, Any]:
    """The message dict of ``mail/<template>.txt`` and ``.html`` rendered in ``locale``
    (``subject`` may be a lazy string or a callable, evaluated in that locale)."""
    lang = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        context.setdefault("brand_name", current_app.config["BRAND_NAME"])
        message: dict[str, Any] = {
            "to": to,
            "subject": str(subject() if callable(subject) else subject),
            "text": render_template(f"mail/{template}.txt", **context),
            "html": render_template(f"mail/{template}.html", **context),
        }
    if headers:
        message["headers"] = dict(headers)
    return message


def send_templated(
    to: str,
    locale: str | None,
    subject: Any,
    template: str,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> None:
    """Render ``mail/<template>.txt`` and ``.html`` in ``locale`` and queue the message;
    ``headers`` are extra e-mail headers (e.g. List-Unsubscribe)."""
    jobs.enqueue(
        "community.mail.deliver", render_templated(to, locale, subject, template, headers, **context)
    )


def deliver(message: dict[str, Any]) -> None:
    """Job: hand one message to the configured backend."""
    if current_app.config["MAIL_BACKEND"] == "console":
        print(f"--- mail to {message['to']}: {message['subject']}\n{message['text']}\n---", flush=True)
        return
    msg = Message(
        subject=message["subject"],
        recipients=[message["to"]],
        body=message["text"],
        html=message["html"],
        extra_headers=message.get("headers"),
    )
    mail.send(msg)
