"""Run-later work: e-mail, webhooks, indexing.

``JOBS_MODE=inline`` (development, tests) runs jobs once the current request has
finished, or at once outside a request. ``JOBS_MODE=rq`` puts them on Redis for
``flask --app app jobs worker``. A job is a module-level function named by its
dotted path, called with JSON-friendly arguments inside an application context.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import click
from flask import Flask, current_app, g, has_request_context
from flask.cli import with_appcontext

log = logging.getLogger(__name__)


def enqueue(path: str, *args: Any, **kwargs: Any) -> None:
    """Run the function at dotted ``path`` later with ``args`` and ``kwargs``."""
    if current_app.config["JOBS_MODE"] == "rq":
        from rq import Retry

        intervals = list(current_app.config["JOBS_RETRY_INTERVALS"])
        _queue().enqueue(
            "community.jobs.run_job",
            path,
            args,
            kwargs,
            retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        )
    elif has_request_context():
        g.setdefault("deferred_jobs", []).append((path, args, kwargs))
    else:
        _call(path, args, kwargs)


def _call(path: str, args: Any, kwargs: Any) -> None:
    module_name, _, func_name = path.rpartition(".")
    func = getattr(importlib.import_module(module_name), func_name)
    func(*args, **kwargs)


def discard_deferred() -> None:
    """Forget the jobs of a request whose changes were rolled back."""
    if has_request_context():
        g.pop("deferred_jobs", None)


def _run_deferred(exc: BaseException | None) -> None:
    jobs = g.pop("deferred_jobs", [])
    if exc is not None:
        return
    for path, args, kwargs in jobs:
        try:
            _call(path, args, kwargs)
        except Exception:
            log.exception("inline job %s failed", path)


_worker_app: Flask | None = None


def run_job(path: str, args: Any, kwargs: Any) -> None:
    """Entry point of RQ workers: run the job inside an application context."""
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        _call(path, args, kwargs)


def _queue():  # noqa: ANN202
    from redis import Redis
    from rq import Queue

    return Queue(current_app.config["JOBS_QUEUE"], connection=Redis.from_url(current_app.config["REDIS_URL"]))


def init_app(app: Flask) -> None:
    app.teardown_request(_run_deferred)


@click.group("jobs", help="Background jobs.")
def jobs_cli() -> None:
    pass


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run an RQ worker on REDIS_URL."""
    from rq import Worker

    if not current_app.config["REDIS_URL"]:
        raise click.UsageError("REDIS_URL is not set: jobs run inline.")
    queue = _queue()
    Worker([queue], connection=queue.connection).work(burst=burst)
