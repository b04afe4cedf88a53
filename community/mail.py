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


def send_templated(to: str, locale: str | None, subject: Any, template: str, **context: Any) -> None:
    """Render ``mail/<template>.txt`` and ``.html`` in ``locale`` and queue the message."""
    lang = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        context.setdefault("brand_name", current_app.config["BRAND_NAME"])
        message = {
            "to": to,
            "subject": str(subject),
            "text": render_template(f"mail/{template}.txt", **context),
            "html": render_template(f"mail/{template}.html", **context),
        }
    jobs.enqueue("community.mail.deliver", message)


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
