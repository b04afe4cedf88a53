"""``flask --app app search rebuild | status | worker``."""

from __future__ import annotations

import os
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from . import indexer
from .backend import get_backend
from .documents import count_all, document_parts


@click.group("search", help="The search index.")
def search_cli() -> None:
    pass


@search_cli.command("rebuild")
@with_appcontext
def rebuild() -> None:
    """Rebuild the whole index from the database."""
    backend = get_backend()
    total = count_all()
    started = time.monotonic()
    state = {"done": 0}

    def info(_item: object) -> str:
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = state["done"] / elapsed
        return f"{state['done']}/{total} docs, {rate:,.0f}/s"

    # Documents carry page URLs: build them against SITE_URL, as the worker does.
    with backend.lock(), indexer.url_context():
        with click.progressbar(
            length=max(total, 1), label="Indexing", show_eta=True, show_pos=False, item_show_func=info
        ) as bar:
            for done in backend.bulk_load_parts(document_parts(rebuild_processes())):
                state["done"] = done
                bar.update(1, done)
    elapsed = time.monotonic() - started
    rate = state["done"] / max(elapsed, 1e-6)
    click.echo(f"Indexed {state['done']} documents in {elapsed:.1f}s ({rate:,.0f}/s, {backend.name}).")


def rebuild_processes() -> int:
    """``SEARCH_REBUILD_PROCESSES``, or one per CPU this process may use."""
    wanted = int(current_app.config.get("SEARCH_REBUILD_PROCESSES") or 0)
    return wanted if wanted > 0 else len(os.sched_getaffinity(0))


@search_cli.command("status")
@with_appcontext
def status() -> None:
    """Document count and outbox backlog."""
    click.echo(f"backend: {get_backend().name}")
    click.echo(f"documents: {get_backend().count()}")
    click.echo(f"outbox backlog: {indexer.backlog()}")


@search_cli.command("worker")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between polls when idle.")
@click.option("--once", is_flag=True, help="Drain once and stop.")
@with_appcontext
def worker(interval: float, once: bool) -> None:
    """Apply the outbox to the index, forever (production)."""
    current_app.logger.info("search worker started")
    indexer.run_worker(interval, once=once)
