"""Events are delivered after commit and dropped on rollback; inline jobs run after the request."""

from __future__ import annotations

from community import events
from models import db
from tests.factories import UserFactory


def test_events_wait_for_commit(app):
    seen: list[dict] = []

    def listener(sender, **payload):
        seen.append(payload)

    events.user_registered.connect(listener)
    try:
        user = UserFactory()
        events.announce(events.user_registered, user_id=user.id)
        assert seen == []
        db.session.commit()
        assert seen == [{"user_id": user.id}]
        events.announce(events.user_registered, user_id=999)
        db.session.rollback()
        db.session.commit()
        assert seen == [{"user_id": user.id}]
    finally:
        events.user_registered.disconnect(listener)


def test_a_failing_listener_does_not_break_the_commit(app):
    def broken(sender, **payload):
        raise RuntimeError("listener bug")

    events.user_registered.connect(broken)
    try:
        UserFactory()
        events.announce(events.user_registered, user_id=1)
        db.session.commit()
    finally:
        events.user_registered.disconnect(broken)


calls: list[str] = []


def record(value: str) -> None:
    calls.append(value)


def test_inline_jobs_run_after_the_request_and_not_after_errors(app, client):
    from community import jobs

    calls.clear()

    @app.get("/job-ok")
    def job_ok():
        jobs.enqueue("tests.test_events.record", "ok")
        assert calls == []  # not yet: after the response
        return "done"

    @app.get("/job-fail")
    def job_fail():
        jobs.enqueue("tests.test_events.record", "fail")
        raise RuntimeError("the request failed")

    assert client.get("/job-ok").status_code == 200
    assert calls == ["ok"]
    assert client.get("/job-fail").status_code == 500
    assert calls == ["ok"]
