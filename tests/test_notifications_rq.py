"""Notification e-mail through RQ on the machine's Redis: queued, sent by a worker,
and a failing send retried by RQ while the delivery row records each attempt."""

from __future__ import annotations

import socket

from sqlalchemy import select

from community.forum import services as forum
from models import EmailDelivery, db
from tests.test_jobs_rq import app_config, queue, queue_name, redis_connection, work  # noqa: F401


def _question(users):
    cat = forum.save_category(users["admin"], None, slug="gear", name_en="Gear", name_fr="Matériel")
    topic = forum.open_topic(
        cat, users["member"], "Warm enough?", "For March in the Vosges.", "question", "en"
    )
    db.session.commit()
    return topic


def test_notification_email_goes_through_rq(app, users, queue, mailbox):  # noqa: F811
    topic = _question(users)
    forum.reply(topic, users["staff"], "Yes, with the -5 °C bag.")
    db.session.commit()
    delivery = db.session.scalar(select(EmailDelivery))
    assert delivery.status == "pending" and mailbox.messages == []
    work(queue)
    assert "The brand answered" in mailbox.wait_for(users["member"].email)["Subject"]
    db.session.expire_all()
    assert db.session.get(EmailDelivery, delivery.id).status == "sent"


def test_rq_retries_a_failed_send_and_records_attempts(app, users, queue, mailbox):  # noqa: F811
    topic = _question(users)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    good = app.extensions["mail"].port
    app.extensions["mail"].port = closed
    try:
        forum.reply(topic, users["staff"], "An answer while SMTP is down.")
        db.session.commit()
        work(queue)  # first try and two retries, all failing
    finally:
        app.extensions["mail"].port = good
    db.session.expire_all()
    delivery = db.session.scalar(select(EmailDelivery))
    assert delivery.status == "failed" and delivery.attempts == 3 and delivery.last_error
    from community.notifications import email

    delivery.next_attempt_at = None
    db.session.commit()
    assert email.retry_failed() == (1, 0)  # nothing lost: sent once the server is back
    assert mailbox.wait_for(users["member"].email)
