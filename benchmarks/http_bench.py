"""HTTP benchmark (issue 11, "Speed"): the seeded site under gunicorn, measured with wrk,
next to a bare Flask app serving pages of the same sizes under the same gunicorn settings.

    # once: a seeded instance (benchmarks/seed_scale.py), and wrk (a benchmark-only tool,
    # Debian package ``wrk``: ``apt-get install wrk``)
    INSTANCE_PATH=/tmp/big SECRET_KEY=x .venv/bin/python benchmarks/seed_scale.py
    .venv/bin/python benchmarks/http_bench.py --instance /tmp/big --workers 2 --seconds 10

    # PostgreSQL: the same, with DATABASE_URL (and SEARCH_BACKEND=postgres) in the environment.

Both servers use ``gunicorn.conf.py`` (gthread workers; ``--workers`` fixes their number,
``GUNICORN_THREADS`` their threads), bound to 127.0.0.1, no access log. Pages: home,
a forum category list, the long topic's first page and a deep page, a product page and
a search. For each: requests per second and p99 latency (wrk ``--latency``), the bare
Flask figures for a page of the same byte size, their ratios, and the number of SQL
queries of the page (counted in-process with a SQLAlchemy ``before_cursor_execute``
listener, anonymous, after one warm-up request).

Variants: ``uncached`` runs the app with ``--uncached-env`` (settings that turn the
anonymous page cache off, e.g. ``--uncached-env PAGE_CACHE=0``), ``cached`` with
``--cached-env`` (the settings that turn it on); a variant whose option is not given is
skipped, except ``uncached`` which then runs with the default settings. Targets on the
2-core machine: cached anonymous pages at least 1/2 of the bare Flask rate, uncached at
least 1/4. Writes (replaces) the "HTTP benchmark" section of ``benchmarks/RESULTS.md``
unless ``--no-write``. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import requests
from servers import free_port, wait_up

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## HTTP benchmark"

BARE_APP = textwrap.dedent(
    """
    from flask import Flask

    app = Flask(__name__)
    PAGES = {}

    @app.get("/<int:size>")
    def page(size):
        body = PAGES.get(size)
        if body is None:
            body = PAGES[size] = "<!doctype html><html><body>" + "x" * max(0, size - 41) + "</body></html>"
        return body
    """
)


def env_pairs(text: str | None) -> dict[str, str]:
    out = {}
    for pair in (text or "").split(","):
        if pair.strip():
            key, _, value = pair.partition("=")
            out[key.strip()] = value.strip()
    return out


def gunicorn(chdir: str, target: str, port: int, env: dict[str, str], workers: int) -> subprocess.Popen:
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
           "GUNICORN_ACCESS_LOG": "", "LOG_LEVEL": "WARNING"}  # fmt: skip
    return subprocess.Popen(
        # No control socket: two masters (app and bare Flask) would share its default path.
        [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--no-control-socket", "--chdir", chdir,
         target],
        env=env, stdout=subprocess.DEVNULL, stderr=open(Path(tempfile.gettempdir()) / f"http-bench-{port}.log", "w"),
    )  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url: str, seconds: float, connections: int, threads: int) -> tuple[float, float, int]:
    """(requests per second, p99 latency in ms, non-2xx/3xx responses)."""
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "30s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", out)
    p99 = float(m.group(1)) * _UNITS[m.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, p99, int(bad.group(1)) if bad else 0


def pick_pages(app) -> list[tuple[str, str]]:  # noqa: ANN001
    from sqlalchemy import select

    from models import ForumCategory, Product, Topic, db

    with app.app_context():
        topic = db.session.scalars(select(Topic).order_by(Topic.last_position.desc()).limit(1)).first()
        category = db.session.scalars(
            select(ForumCategory).order_by(ForumCategory.topic_count.desc())
        ).first()
        product = db.session.scalars(select(Product).order_by(Product.review_count.desc())).first()
        per_page = 20
        last_page = topic.last_position // per_page + 1
        deep = max(1, min(last_page - 1, int(last_page * 0.8)))
        return [
            ("home", "/"),
            (
                f"category list ({category.slug}, {category.topic_count:,} topics)",
                f"/forum/c/{category.slug}",
            ),
            (f"long topic, page 1 ({topic.reply_count:,} replies)", f"/forum/t/{topic.slug}/{topic.id}"),
            (f"long topic, page {deep} of {last_page}", f"/forum/t/{topic.slug}/{topic.id}?page={deep}"),
            (f"product ({product.slug}, {product.review_count:,} reviews)", f"/products/{product.slug}"),
            ("search (tente)", "/search?q=tente"),
        ]


def count_queries(app, paths: list[str]) -> dict[str, int]:  # noqa: ANN001
    """SQL statements per anonymous request, through the test client (after a warm-up)."""
    from sqlalchemy import event

    from models import db

    counts = {}
    with app.app_context():
        client = app.test_client()
        statements: list[str] = []

        def before(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            for path in paths:
                client.get(path)
                statements.clear()
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                counts[path] = len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", required=True, help="a seeded instance folder (INSTANCE_PATH)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--uncached-env", default="", help="KEY=VALUE,... turning the page cache off")
    parser.add_argument("--cached-env", default=None, help="KEY=VALUE,... turning the page cache on")
    parser.add_argument("--only", help="comma-separated page numbers (1-based) to run")
    parser.add_argument(
        "--only-cached", action="store_true", help="skip the uncached variant (needs --cached-env)"
    )
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--warmup", type=int, default=1,
        help="seconds of wrk before each measured run, unmeasured (each worker's own page cache fills)",
    )  # fmt: skip
    parser.add_argument("--note", default="", help="a line added under the table")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk (Debian package; a benchmark-only tool)")

    # Production settings, as the site is served (development re-reads static files to
    # version their URLs on every page, and other checks meant for editing code).
    base_env = {
        "COMMUNITY_ENV": "production",
        **os.environ,
        "INSTANCE_PATH": args.instance,
        "FLASK_DEBUG": "0",
    }
    base_env.setdefault("SECRET_KEY", "bench")
    os.environ.update({k: v for k, v in base_env.items() if k in ("INSTANCE_PATH", "SECRET_KEY")})
    sys.path.insert(0, str(ROOT))
    from community import create_app

    # Queries of the view itself, everything rendered: not of a cache hit or cached fragments.
    app = create_app({"PAGE_CACHE_SECONDS": 0, "FRAGMENT_CACHE_SECONDS": 0})
    pages = pick_pages(app)
    if args.only:
        keep = {int(x) for x in args.only.split(",")}
        pages = [p for i, p in enumerate(pages, 1) if i in keep]
    queries = count_queries(app, [path for _label, path in pages])
    db_name = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
    search_backend = app.config.get("SEARCH_BACKEND")
    del app

    variants = [] if args.only_cached else [("uncached", env_pairs(args.uncached_env))]
    if args.cached_env is not None:
        variants.append(("cached", env_pairs(args.cached_env)))

    bare_dir = tempfile.mkdtemp(prefix="bare-flask-")
    Path(bare_dir, "bare.py").write_text(BARE_APP)
    bare_port = free_port()
    bare = gunicorn(bare_dir, "bare:app", bare_port, base_env, args.workers)
    bare_base = f"http://127.0.0.1:{bare_port}"
    load_before = os.getloadavg()
    rows: list[dict] = []
    try:
        wait_up(bare_base + "/100", timeout=90, probe_timeout=5)
        for variant, extra in variants:
            port = free_port()
            server = gunicorn(str(ROOT), "app:app", port, {**base_env, **extra}, args.workers)
            base = f"http://127.0.0.1:{port}"
            try:
                wait_up(base + "/healthz", timeout=90, probe_timeout=5)
                for label, path in pages:
                    response = requests.get(base + path, timeout=60)
                    assert response.status_code == 200, (path, response.status_code)
                    size = len(response.content)
                    if args.warmup:  # every worker and thread, not only the one that answered above
                        wrk(base + path, args.warmup, args.connections, args.wrk_threads)
                        wrk(f"{bare_base}/{size}", args.warmup, args.connections, args.wrk_threads)
                    rate, p99, bad = wrk(base + path, args.seconds, args.connections, args.wrk_threads)
                    bare_rate, bare_p99, _ = wrk(f"{bare_base}/{size}", args.seconds, args.connections,
                                                 args.wrk_threads)  # fmt: skip
                    row = {"variant": variant, "label": label, "path": path, "bytes": size, "rate": rate,
                           "p99": p99, "bare_rate": bare_rate, "bare_p99": bare_p99, "bad": bad,
                           "queries": queries[path]}  # fmt: skip
                    rows.append(row)
                    print(f"{variant:9} {label[:48]:48} {size:7,} B {rate:7.1f} req/s p99 {p99:7.1f} ms | "
                          f"bare {bare_rate:7.1f} req/s p99 {bare_p99:6.1f} ms | ratio {rate / bare_rate:.2f} "
                          f"| {queries[path]} queries" + (f" | {bad} non-2xx" if bad else ""), flush=True)  # fmt: skip
            finally:
                stop(server)
    finally:
        stop(bare)
        shutil.rmtree(bare_dir, ignore_errors=True)
    load_after = os.getloadavg()
    if not args.no_write:
        write_results(args, rows, db_name, search_backend, load_before, load_after)
    return 0


def write_results(args, rows, db_name, search_backend, load_before, load_after) -> None:  # noqa: ANN001
    cmd = "`" + " ".join(["python benchmarks/http_bench.py", *sys.argv[1:]]) + "`"
    targets = {"cached": 0.5, "uncached": 0.25}
    lines = [
        SECTION,
        "",
        cmd,
        "",
        f"- Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; database {db_name}, search {search_backend}; "
        f"gunicorn.conf.py with {args.workers} workers x {os.environ.get('GUNICORN_THREADS', '4')} threads (gthread), "
        f"127.0.0.1; wrk {args.wrk_threads} threads, {args.connections} connections, {args.seconds:g} s per page after {args.warmup} s of warm-up.",
        f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs shared with other engineers' work; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after: figures are noisy.",
        "- Bare Flask: a Flask app under the same gunicorn settings in the same run, returning a page of the "
        "same byte size. req/s ratio = app / bare (target: cached >= 0.5, uncached >= 0.25); p99 ratio = app p99 / bare p99.",
        "- Queries: SQL statements of one anonymous request (test client, after a warm-up request).",
        "",
        "| variant | page | bytes | queries | req/s | p99 ms | bare req/s | bare p99 ms | req/s ratio | p99 ratio | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ratio = r["rate"] / r["bare_rate"] if r["bare_rate"] else 0.0
        target = targets[r["variant"]]
        verdict = ("met" if ratio >= target else "missed") + f" ({target:g})"
        lines.append(
            f"| {r['variant']} | {r['label']} | {r['bytes']:,} | {r['queries']} | {r['rate']:.1f} | {r['p99']:.0f} | "
            f"{r['bare_rate']:.1f} | {r['bare_p99']:.0f} | {ratio:.2f} | {r['p99'] / max(r['bare_p99'], 0.001):.1f}× | {verdict} |"
        )
    if args.note:
        lines += ["", args.note]
    section = "\n".join(lines) + "\n"
    text = RESULTS.read_text()
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[nxt + 1 :] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
