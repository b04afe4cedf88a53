"""Load and fault test: concurrent writers, a SIGKILL in the middle, nothing acknowledged lost.

Run by hand (never part of the timed test suite; tests/test_load_fault.py runs it tiny):

    .venv/bin/python benchmarks/load_fault.py --config sqlite --config postgres --results

For each configuration it prepares a fresh database in a temporary directory (SQLite file, or
a temporary PostgreSQL database on 127.0.0.1:5432, dropped afterwards) with the migrations and
a small fixture (a forum category with topics, products, ideas, members with personal access
tokens), then starts what production runs: ``gunicorn -c gunicorn.conf.py app:app`` with 4
workers, ``flask --app app search worker`` and, with Redis, ``flask --app app jobs worker``.

Clients (threads, one keep-alive session and one token each) write through the API: replies to
topics, product reviews and idea votes. Every acknowledged write (2xx with an id) is recorded.
In the middle of the load the gunicorn master, its workers and the workers are killed with
SIGKILL, then restarted at once (what a supervisor does); the load goes on. Afterwards the
script checks that every acknowledged write is in the database, that the counters match the
rows, that the search outbox is drained and that every published item is in the index.

Everything listens on 127.0.0.1; the run is bounded by ``--seconds`` and ``--max-writes``.
Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from servers import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/12"

# Members at trust level 2 get a write limit that the load cannot reach, so the load is
# not just 429s; a few newcomers (trust level 0) keep the default limit (5 writes per
# 10 minutes) and show the limiter answering 429 under load.
INSTANCE_CONFIG = """\
WRITE_RATE_LIMITS = {{0: (5, 600), 1: (15, 600), 2: (100000, 600), 3: (100000, 600), 4: (100000, 600)}}
JOBS_QUEUE = {queue!r}
"""

SENTENCES = [
    "The jacket kept me dry during three days of rain in the Vosges.",
    "Seams held up well, although the zip started to stick after a month.",
    "Sizing runs a little small, so I would order one size up next time.",
    "Good value for the price and the colour has not faded at all.",
    "La veste m'a gardé au sec pendant trois jours de pluie.",
    "Les coutures tiennent bien mais la fermeture éclair accroche un peu.",
]


@dataclass
class Run:
    name: str
    clients: int
    seconds: float
    kill_at: float | None
    workers: int
    search_backend: str
    database_url: str | None = None
    redis_url: str | None = None
    tmp: Path = Path()
    port: int = 0
    env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: list[Any] = field(default_factory=list)


# --- processes ----------------------------------------------------------------------------


def _env(run: Run) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "TEST_"))}
    for key in ("DATABASE_URL", "REDIS_URL", "JOBS_MODE", "SEARCH_BACKEND", "RATELIMIT_STORAGE_URI"):
        env.pop(key, None)
    env.update(
        COMMUNITY_ENV="production",
        SECRET_KEY="load-fault-" + uuid.uuid4().hex,
        INSTANCE_PATH=str(run.tmp / "instance"),
        COOKIE_SECURE="false",
        MAIL_BACKEND="console",
        SITE_URL=f"http://127.0.0.1:{run.port}",
        SEARCH_BACKEND=run.search_backend,
        GUNICORN_BIND=f"127.0.0.1:{run.port}",
        GUNICORN_WORKERS=str(run.workers),
        GUNICORN_ACCESS_LOG="",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if run.database_url:
        env["DATABASE_URL"] = run.database_url
    if run.redis_url:
        env["REDIS_URL"] = run.redis_url
    return env


def _spawn(run: Run, name: str, argv: list[str]) -> None:
    log = open(run.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop_all
    run.logs.append(log)
    run.procs[name] = subprocess.Popen(
        argv, cwd=ROOT, env=run.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=_die_with_parent,
    )  # fmt: skip


def _die_with_parent() -> None:
    """In the child: SIGKILL it if this script dies (a killed test run leaves no server
    behind; gunicorn's workers leave when their master is gone)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def start_all(run: Run) -> float:
    """Start the web server and the workers; return seconds until /healthz answered 200."""
    started = time.monotonic()
    _spawn(run, "gunicorn", [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "app:app"])
    _spawn(run, "search", [str(BIN / "flask"), "--app", "app", "search", "worker", "--interval", "0.5"])
    if run.redis_url:
        _spawn(run, "jobs", [str(BIN / "flask"), "--app", "app", "jobs", "worker"])
    url = f"http://127.0.0.1:{run.port}/healthz"
    while time.monotonic() - started < 60:
        if run.procs["gunicorn"].poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {run.tmp / 'gunicorn.log'}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def kill_all(run: Run) -> None:
    """SIGKILL every process group: the gunicorn master and its workers, the workers."""
    for proc in run.procs.values():
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for proc in run.procs.values():
        proc.wait()
    run.procs.clear()


def stop_all(run: Run) -> None:
    for proc in run.procs.values():
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in run.procs.values():
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    run.procs.clear()
    for log in run.logs:
        log.close()
    run.logs.clear()


# --- database and fixture -----------------------------------------------------------------


def _app(run: Run, **overrides: Any):  # noqa: ANN202
    """An app object in this process, configured like the server (the environment is set
    for the duration of create_app only)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(run.env)
    try:
        from community import create_app

        return create_app(overrides)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def prepare(run: Run, topics: int, products: int, ideas: int, newcomers: int) -> dict[str, Any]:
    """Migrate a fresh database and create the fixture; return ids and tokens."""
    (run.tmp / "instance").mkdir(parents=True)
    queue = f"loadfault-{uuid.uuid4().hex[:8]}"
    (run.tmp / "instance" / "config.py").write_text(INSTANCE_CONFIG.format(queue=queue))
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=run.env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"flask db upgrade failed:\n{done.stderr[-3000:]}")
    app = _app(run, ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=1024, ARGON2_PARALLELISM=1)
    with app.app_context():
        from community.auth import services as auth
        from community.forum import services as forum
        from community.ideas import services as idea_services
        from community.reviews import services as reviews
        from models import Role, db

        admin = auth.create_user(
            "loadadmin", "admin@load.test", "admin-password-1", role=Role.ADMIN, confirmed=True
        )
        category = forum.save_category(admin, None, slug="load", name_en="Load", name_fr="Charge")
        topic_ids = [
            forum.open_topic(
                category, admin, f"Load topic {i}: rain jackets", SENTENCES[i % 4] + " " + SENTENCES[1]
            ).id
            for i in range(topics)
        ]
        pcat = reviews.create_category("load-gear", "Load gear", "Matériel de charge")
        product_ids = [
            reviews.save_product(
                admin,
                None,
                slug=f"load-{i}",
                name_en=f"Load jacket {i}",
                name_fr=f"Veste {i}",
                category_id=pcat.id,
            ).id
            for i in range(products)
        ]
        idea_ids = [
            idea_services.create_idea(admin, f"Load idea {i}: more pockets", SENTENCES[i % 6]).id
            for i in range(ideas)
        ]
        members = []
        for i in range(run.clients):
            user = auth.create_user(f"loader{i}", f"loader{i}@load.test", "member-password-1", confirmed=True)
            user.trust_level = 0 if i < newcomers else 2
            _token, secret = auth.create_token(user, "load")
            members.append({"id": user.id, "token": secret, "trust_level": user.trust_level})
        db.session.commit()
        from community.search.indexer import drain

        drain()
    _dispose(app)
    return {"topics": topic_ids, "products": product_ids, "ideas": idea_ids, "members": members}


def _dispose(app: Any) -> None:
    with app.app_context():
        from models import db

        db.session.remove()
        db.engine.dispose()


# --- load -----------------------------------------------------------------------------------


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    replies: list[tuple[int, int]] = field(default_factory=list)  # (reply id, topic id)
    reviews: list[tuple[int, int, int]] = field(default_factory=list)  # (review id, product, user)
    votes: list[tuple[int, int]] = field(default_factory=list)  # (idea id, user id)
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    writes: int = 0


def _client(base: str, fixture: dict[str, Any], member: dict[str, Any], index: int, stats: Stats,
            stop: threading.Event, max_writes: int) -> None:  # fmt: skip
    rnd = random.Random(index)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {member['token']}"
    products = list(fixture["products"])
    ideas = list(fixture["ideas"])
    rnd.shuffle(products)
    rnd.shuffle(ideas)
    while not stop.is_set():
        with stats.lock:
            if stats.writes >= max_writes:
                return
            stats.writes += 1
        kinds = ["reply"] + (["review"] if products else []) + (["vote"] if ideas else [])
        kind = rnd.choice(kinds)
        tag = uuid.uuid4().hex[:12]
        if kind == "reply":
            topic = rnd.choice(fixture["topics"])
            url = f"{base}/api/v1/topics/{topic}/posts"
            body = {"body": f"{rnd.choice(SENTENCES)} Reply {tag} from loader {index}."}
        elif kind == "review":
            product = products.pop()
            url = f"{base}/api/v1/products/{product}/reviews"
            body = {
                "rating": rnd.randint(1, 5),
                "title": f"Review {tag}",
                "body": f"{rnd.choice(SENTENCES)} {rnd.choice(SENTENCES)} Review {tag}.",
                "language": "en",
            }
        else:
            idea = ideas.pop()
            url = f"{base}/api/v1/ideas/{idea}/vote"
            body = None
        started = time.monotonic()
        try:
            response = session.post(url, json=body, timeout=30)
        except requests.RequestException as exc:
            with stats.lock:
                stats.errors[type(exc).__name__] += 1
            time.sleep(0.2)  # the server is down (the fault phase): try again shortly
            continue
        elapsed = time.monotonic() - started
        status = response.status_code
        with stats.lock:
            stats.statuses[status] += 1
            stats.by_kind[(kind, status)] += 1
            stats.latencies.append(elapsed)
            if status >= 500:
                stats.server_errors.append(f"{kind} {url} {status} {response.text[:300]}")
            elif status in (200, 201):
                if kind == "reply":
                    stats.replies.append((response.json()["id"], topic))
                elif kind == "review":
                    stats.reviews.append((response.json()["id"], product, member["id"]))
                else:
                    stats.votes.append((idea, member["id"]))
            elif status == 429:
                pass
            elif status == 409 and kind in ("review", "vote"):
                pass  # a retry of a write whose answer was lost in the kill: already there
            else:
                stats.unexpected.append(f"{kind} {url} {status} {response.text[:300]}")
        if status == 429:
            time.sleep(min(float(response.headers.get("Retry-After", "1")), 1.0))


def _outbox(run: Run) -> tuple[int, int | None]:
    """(rows waiting, highest id) in the search outbox."""
    from sqlalchemy import create_engine, text

    url = run.env.get("DATABASE_URL") or f"sqlite:///{run.tmp / 'instance' / 'community.db'}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = _ENGINES.get(url) or _ENGINES.setdefault(url, create_engine(url))
    with engine.connect() as conn:
        count, top = conn.execute(text("SELECT count(*), max(id) FROM search_outbox")).one()
    return int(count), top


_ENGINES: dict[str, Any] = {}


def _rows_at_or_below(run: Run, top: int) -> int:
    from sqlalchemy import text

    url = next(iter(_ENGINES))
    with _ENGINES[url].connect() as conn:
        return int(
            conn.execute(text("SELECT count(*) FROM search_outbox WHERE id <= :t"), {"t": top}).scalar()
        )


def _wait_drained(run: Run, timeout: float = 180) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if _outbox(run)[0] == 0:
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def load(run: Run, fixture: dict[str, Any], max_writes: int) -> dict[str, Any]:
    base = f"http://127.0.0.1:{run.port}"
    stats, stop = Stats(), threading.Event()
    threads = [
        threading.Thread(target=_client, args=(base, fixture, m, i, stats, stop, max_writes), daemon=True)
        for i, m in enumerate(fixture["members"])
    ]
    fault: dict[str, Any] = {}
    started = time.monotonic()
    for thread in threads:
        thread.start()
    if run.kill_at is not None:
        time.sleep(run.seconds * run.kill_at)
        with stats.lock:
            fault["acknowledged_before_kill"] = len(stats.replies) + len(stats.reviews) + len(stats.votes)
        kill_all(run)
        fault["killed_at_s"] = round(time.monotonic() - started, 1)
        fault["outbox_backlog_after_kill"], top = _outbox(run)
        fault["restart_s"] = round(start_all(run), 2)
        restarted = time.monotonic()
        # How long the restarted search worker takes to apply what the kill left behind.
        while top is not None and _rows_at_or_below(run, top) and time.monotonic() - restarted < 120:
            time.sleep(0.05)
        left = _rows_at_or_below(run, top) if top is not None else 0
        fault["backlog_caught_up_s"] = round(time.monotonic() - restarted, 2) if not left else None
    remaining = run.seconds - (time.monotonic() - started)
    if remaining > 0:
        stop.wait(remaining)
    stop.set()
    for thread in threads:
        thread.join(60)
    duration = time.monotonic() - started
    backlog_at_end = _outbox(run)[0]
    drain = _wait_drained(run)
    lat = sorted(stats.latencies)
    acked = len(stats.replies) + len(stats.reviews) + len(stats.votes)
    return {
        "stats": stats,
        "fault": fault,
        "duration_s": round(duration, 1),
        "requests": len(lat),
        "acknowledged": acked,
        "writes_per_s": round(acked / duration, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 1) if lat else None,
        "statuses": dict(sorted(stats.statuses.items())),
        "by_kind": {f"{k} {s}": n for (k, s), n in sorted(stats.by_kind.items())},
        "connection_errors": dict(stats.errors),
        "outbox_backlog_at_end": backlog_at_end,
        "outbox_drain_s": round(drain, 2) if drain is not None else None,
    }


# --- checks ---------------------------------------------------------------------------------


def verify(run: Run, fixture: dict[str, Any], stats: Stats) -> dict[str, Any]:
    app = _app(run)
    with app.app_context():
        from sqlalchemy import func, select

        from community.search.backend import get_backend
        from models import (
            ContentItem,
            ContentState,
            ForumCategory,
            Idea,
            IdeaVote,
            Product,
            Reply,
            Review,
            Topic,
            db,
        )

        published = ContentItem.state == ContentState.PUBLISHED.value
        replies = dict(db.session.execute(select(Reply.id, Reply.topic_id)).all())
        lost_replies = [rid for rid, topic in stats.replies if replies.get(rid) != topic]
        reviews = {r.id: (r.product_id, r.author_id) for r in db.session.scalars(select(Review))}
        lost_reviews = [rid for rid, product, user in stats.reviews if reviews.get(rid) != (product, user)]
        votes = set(db.session.execute(select(IdeaVote.idea_id, IdeaVote.user_id)).all())
        lost_votes = [v for v in stats.votes if tuple(v) not in votes]

        bad_counters = []
        published_replies = dict(
            db.session.execute(
                select(Reply.topic_id, func.count(Reply.id)).where(published).group_by(Reply.topic_id)
            ).all()
        )
        topics_by_category: Counter = Counter()
        posts_by_category: Counter = Counter()
        for topic in db.session.scalars(select(Topic)):
            count = published_replies.get(topic.id, 0)
            top = db.session.scalar(select(func.max(Reply.position)).where(Reply.topic_id == topic.id)) or 0
            if topic.reply_count != count:
                bad_counters.append(f"topic {topic.id}: reply_count {topic.reply_count}, rows {count}")
            if topic.last_position < top:
                bad_counters.append(f"topic {topic.id}: last_position {topic.last_position} < {top}")
            if topic.state == ContentState.PUBLISHED.value:
                topics_by_category[topic.category_id] += 1
                posts_by_category[topic.category_id] += 1 + count
        for category in db.session.scalars(select(ForumCategory)):
            topics, posts = topics_by_category[category.id], posts_by_category[category.id]
            if (category.topic_count, category.post_count) != (topics, posts):
                bad_counters.append(
                    f"category {category.id}: topic_count {category.topic_count}, post_count "
                    f"{category.post_count}; rows {topics}, {posts}"
                )
        from community.reviews.services import recompute_aggregates

        for product in db.session.scalars(select(Product).where(Product.id.in_(fixture["products"]))):
            fresh = recompute_aggregates(product.id)
            stored = {key: getattr(product, key) for key in fresh}
            if stored != fresh:
                bad_counters.append(f"product {product.id}: stored {stored}, rows {fresh}")
        for idea in db.session.scalars(select(Idea).where(Idea.id.in_(fixture["ideas"]))):
            count = db.session.scalar(
                select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea.id)
            )
            if idea.vote_count != count:
                bad_counters.append(f"idea {idea.id}: vote_count {idea.vote_count}, rows {count}")

        expected = {f"content:{i}" for i in db.session.scalars(select(ContentItem.id).where(published))}
        expected |= {f"product:{i}" for i in db.session.scalars(select(Product.id).where(Product.active))}
        backend = get_backend()
        indexed = _indexed_ids(backend, app.config["SEARCH_BACKEND"])
        acked_docs = {f"content:{rid}" for rid, _ in stats.replies} | {
            f"content:{rid}" for rid, *_ in stats.reviews
        }
        acked_published = acked_docs & expected
        result = {
            "lost_replies": lost_replies,
            "lost_reviews": lost_reviews,
            "lost_votes": lost_votes,
            "lost": len(lost_replies) + len(lost_reviews) + len(lost_votes),
            "bad_counters": bad_counters,
            "outbox_left": db.session.scalar(
                select(func.count()).select_from(db.metadata.tables["search_outbox"])
            ),
            "index_count": backend.count(),
            "expected_documents": len(expected),
            "acknowledged_not_indexed": sorted(acked_published - indexed)[:20],
            "indexed_not_published": sorted(indexed - expected)[:20],
            "missing_from_index": len(expected - indexed),
        }
        backend.close()
    _dispose(app)
    return result


def _indexed_ids(backend: Any, kind: str) -> set[str]:
    if kind == "postgres":
        from sqlalchemy import text

        from models import db

        return set(db.session.scalars(text("SELECT id FROM search_document")))
    ix = backend._open()
    if ix is None:
        return set()
    with ix.searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


# --- one configuration ----------------------------------------------------------------------


def run_config(name: str, *, clients: int, seconds: float, kill_at: float | None, workers: int = 4,
               max_writes: int = 100_000, newcomers: int | None = None) -> dict[str, Any]:  # fmt: skip
    database, _, search = name.partition("+")
    search = search or ("postgres" if database == "postgres" else "whoosh")
    run = Run(
        name=name, clients=clients, seconds=seconds, kill_at=kill_at, workers=workers, search_backend=search
    )
    run.tmp = Path(tempfile.mkdtemp(prefix=f"loadfault-{database}-"))
    run.port = free_port()
    pg_name = None
    if database == "postgres":
        import psycopg

        pg_name = f"loadfault_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        run.database_url = f"postgresql://postgres@127.0.0.1:5432/{pg_name}"
        run.redis_url = REDIS_URL
    run.env = _env(run)
    newcomers = max(1, clients // 10) if newcomers is None else newcomers
    count = max(10, int(seconds))  # each client reviews a product and votes for an idea once
    try:
        fixture = prepare(run, topics=10, products=count, ideas=count, newcomers=newcomers)
        boot = start_all(run)
        result = load(run, fixture, max_writes)
        stats = result.pop("stats")
        stop_all(run)
        checks = verify(run, fixture, stats)
        server_log = ""
        for log_name in ("gunicorn", "search", "jobs"):
            path = run.tmp / f"{log_name}.log"
            if path.exists():
                text = path.read_text(errors="replace")
                if "Traceback" in text or "database is locked" in text:
                    server_log += f"--- {log_name}.log ---\n{text[-4000:]}\n"
        return {
            "config": name,
            "database": database,
            "search_backend": search,
            "clients": clients,
            "newcomers": newcomers,
            "workers": workers,
            "boot_s": round(boot, 2),
            **result,
            "server_errors": stats.server_errors[:20],
            "unexpected": stats.unexpected[:20],
            "checks": checks,
            "tracebacks": server_log,
            "ok": not stats.server_errors and not stats.unexpected and checks["lost"] == 0
            and not checks["bad_counters"] and checks["outbox_left"] == 0
            and not checks["acknowledged_not_indexed"] and checks["missing_from_index"] == 0
            and checks["index_count"] == checks["expected_documents"] and not server_log,
        }  # fmt: skip
    finally:
        if run.procs:
            stop_all(run)
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
        if pg_name:
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if run.redis_url:
            _clean_redis(run)
        if os.environ.get("LOADFAULT_KEEP") is None:
            import shutil

            shutil.rmtree(run.tmp, ignore_errors=True)


def _clean_redis(run: Run) -> None:
    """Remove this run's RQ keys: its queue (named for the run) and its jobs and results
    (worker keys expire by themselves)."""
    import redis

    client = redis.Redis.from_url(run.redis_url)
    text = (run.tmp / "instance" / "config.py").read_text()
    name = text.split("JOBS_QUEUE = ")[1].split()[0].strip("'\"")
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    client.srem("rq:queues", f"rq:queue:{name}")
    for worker in client.smembers("rq:workers"):  # stopped workers' entries
        if not client.exists(worker):
            client.srem("rq:workers", worker)
    for key in client.scan_iter("rq:job:*"):
        if client.type(key) == b"hash" and client.hget(key, "origin") == name.encode():
            job_id = key.decode().split(":", 2)[2]
            client.delete(key, f"rq:results:{job_id}")


# --- report -----------------------------------------------------------------------------------


def markdown(results: list[dict[str, Any]], command: str, load_avg: str) -> str:
    lines = [
        "## Load and fault test",
        "",
        f"`{command}`",
        "",
        f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs shared with other engineers' test runs "
        f"(load average {load_avg}): figures are noisy and pessimistic.",
        "- Server: `gunicorn -c gunicorn.conf.py app:app`, 4 gthread workers × 4 threads, "
        "`COMMUNITY_ENV=production`, on 127.0.0.1; the search worker (`flask --app app search worker`) "
        "and, with Redis, the RQ worker (`flask --app app jobs worker`).",
        "- Clients: threads, each its own keep-alive session and personal access token, writing "
        "through the API: replies (`POST /api/v1/topics/<id>/posts`), reviews "
        "(`POST /api/v1/products/<id>/reviews`, one per product per member) and idea votes "
        "(`POST /api/v1/ideas/<id>/vote`). Fixture: 10 topics, one product and one idea per second "
        "of load, members with personal access tokens.",
        "- Rate limits: `WRITE_RATE_LIMITS` (a Python value, so set in the run's `instance/config.py`, "
        "not an environment variable) gives trust level 2 100,000 writes per 10 minutes; one client "
        "in ten is a newcomer (trust level 0) with the default 5 writes per 10 minutes: **every 429 "
        "comes from those newcomers** (expected: the limiter at work). 409s are review or vote "
        "retries after a connection lost in the kill (the write had landed: one review per product, "
        "one vote per idea).",
        "- Fault: at half time the gunicorn master and its workers, the search worker and the RQ "
        "worker are killed with SIGKILL (their process groups), then restarted at once. Requests "
        "refused or cut while the server is down are connection errors (never acknowledged).",
        "- Checks afterwards: every acknowledged write (id from the 201/200 answer) is in the "
        "database; `reply_count`/`last_position` of every topic, `post_count` of the category, every "
        "product's review aggregates and every idea's `vote_count` match the rows; the outbox is "
        "empty; the index holds exactly the published items and products.",
        "",
        "| config | search | clients | s | acked writes | writes/s | p50 ms | p99 ms | statuses "
        "| conn. errors | lost | counters wrong | restart s | kill backlog caught up s | drain at end s "
        "| index docs / expected | ok |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        checks, fault = r["checks"], r["fault"]
        statuses = ", ".join(f"{s}: {n}" for s, n in r["statuses"].items())
        errors = ", ".join(f"{k}: {n}" for k, n in r["connection_errors"].items()) or "0"
        lines.append(
            f"| {r['database']} | {r['search_backend']} | {r['clients']} | {r['duration_s']} | "
            f"{r['acknowledged']:,} | {r['writes_per_s']} | {r['p50_ms']} | {r['p99_ms']} | {statuses} | "
            f"{errors} | {checks['lost']} | {len(checks['bad_counters'])} | {fault.get('restart_s', '-')} | "
            f"{fault.get('backlog_caught_up_s', '-')} (backlog {fault.get('outbox_backlog_after_kill', '-')}) | "
            f"{r['outbox_drain_s']} (backlog {r['outbox_backlog_at_end']}) | "
            f"{checks['index_count']:,} / {checks['expected_documents']:,} | {'yes' if r['ok'] else '**no**'} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--config", action="append", choices=["sqlite", "sqlite+postgres", "postgres", "postgres+whoosh"],
        help="database[+search backend] (repeatable; default: sqlite and postgres)",
    )  # fmt: skip
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--max-writes", type=int, default=100_000, help="stop after this many requests")
    parser.add_argument("--kill-at", type=float, default=0.5, help="fraction of the run; negative: no kill")
    parser.add_argument("--results", action="store_true", help="append the section to benchmarks/RESULTS.md")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args()
    if args.seconds > 600 or args.clients > 200:
        parser.error("bounded: at most 600 seconds and 200 clients")
    results = []
    for name in args.config or ["sqlite", "postgres"]:
        result = run_config(
            name, clients=args.clients, seconds=args.seconds, workers=args.workers,
            kill_at=args.kill_at if args.kill_at >= 0 else None, max_writes=args.max_writes,
        )  # fmt: skip
        results.append(result)
        print(json.dumps(result, indent=2, default=str), flush=True)
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    command = "python benchmarks/load_fault.py " + " ".join(sys.argv[1:])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    if args.results:
        with open(ROOT / "benchmarks" / "RESULTS.md", "a") as out:
            out.write("\n" + markdown(results, command, load_avg))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
