"""Jobs on a real Redis with RQ (JOBS_MODE=rq), as in the scaled-out configuration.

Redis runs on this machine and in CI (``.ci/run`` starts it), so these tests always
run: on ``TEST_REDIS_URL`` if set, else ``redis://127.0.0.1:6379/0``, and fail loudly
when no Redis answers. Each test has its own queue, deleted afterwards with its jobs.
"""

from __future__ import annotations

import itertools
import os

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue, SimpleWorker
from rq.job import JobStatus
from rq.registry import FailedJobRegistry, FinishedJobRegistry

from community import jobs
from models import User, db
from tests import backends

REDIS_URL = backends.REDIS_URL or "redis://127.0.0.1:6379/0"
_queues = itertools.count()
ATTEMPTS: list[str] = []


def always_fails(label: str) -> None:
    """A job that never succeeds."""
    ATTEMPTS.append(label)
    raise RuntimeError(f"job {label} broke")


@pytest.fixture(scope="module")
def redis_connection():
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisConnectionError as exc:  # pragma: no cover - the machine lacks Redis
        pytest.fail(f"Redis is required at {REDIS_URL} (start it as .ci/run does): {exc}")
    yield connection
    connection.close()


@pytest.fixture
def queue_name() -> str:
    return f"{backends.REDIS_PREFIX}_jobs_{os.getpid()}_{next(_queues)}"


@pytest.fixture
def app_config(queue_name):
    return {
        "JOBS_MODE": "rq",
        "REDIS_URL": REDIS_URL,
        "JOBS_QUEUE": queue_name,
        "JOBS_RETRY_INTERVALS": (0, 0),  # retry at once, twice: three attempts in all
    }


@pytest.fixture
def queue(app, redis_connection, queue_name, monkeypatch):
    # The worker runs jobs in this test's app (the real one builds its own from the environment).
    monkeypatch.setattr(jobs, "_worker_app", app)
    queue = Queue(queue_name, connection=redis_connection)
    yield queue
    for registry in (FailedJobRegistry(queue=queue), FinishedJobRegistry(queue=queue)):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    queue.delete(delete_jobs=True)
    backends.clean_redis(REDIS_URL, queue_name)


def work(queue: Queue) -> None:
    worker = SimpleWorker([queue], connection=queue.connection, name=f"{queue.name}_worker")
    assert worker.work(burst=True, with_scheduler=False)


def test_mail_is_queued_on_redis_and_delivered_by_the_worker(client, queue, mailbox):
    response = client.post(
        "/register",
        data={
            "username": "queued",
            "email": "queued@example.test",
            "password": "a good long password",
            "confirm": "a good long password",
        },
    )
    assert response.status_code == 302
    assert db.session.query(User).filter_by(username="queued").count() == 1
    assert queue.count == 1  # waiting on Redis, not sent by the request
    [job] = queue.get_jobs()
    assert job.func_name == "community.jobs.run_job" and job.args[0] == "community.mail.deliver"
    assert mailbox.messages == []
    work(queue)
    message = mailbox.wait_for("queued@example.test")
    assert message["Subject"] == "Confirm your e-mail address"
    assert "/confirm/" in mailbox.text_of(message)
    assert queue.count == 0
    assert FinishedJobRegistry(queue=queue).get_job_ids() == [job.id]


def test_a_failing_job_is_retried_then_kept_as_failed(app, queue):
    ATTEMPTS.clear()
    jobs.enqueue("tests.test_jobs_rq.always_fails", "boom")
    assert queue.count == 1
    [job] = queue.get_jobs()
    assert job.retries_left == 2
    work(queue)
    assert ATTEMPTS == ["boom", "boom", "boom"]  # the first try and two retries
    assert queue.count == 0
    failed = FailedJobRegistry(queue=queue)
    assert failed.get_job_ids() == [job.id]
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    assert job.retries_left == 0
    assert "RuntimeError: job boom broke" in job.latest_result().exc_string


def test_jobs_run_inline_without_redis(app, mailbox):
    """The embedded default needs no Redis: the same job runs at once."""
    app.config["JOBS_MODE"] = "inline"
    jobs.enqueue(
        "community.mail.deliver", {"to": "inline@example.test", "subject": "Hi", "text": "t", "html": "h"}
    )
    assert mailbox.wait_for("inline@example.test")["Subject"] == "Hi"
