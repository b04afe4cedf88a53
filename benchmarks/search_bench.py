"""Search benchmark: index N synthetic bilingual items, then time 200 queries.

    .venv/bin/python benchmarks/search_bench.py --n 5000 --backend whoosh
    .venv/bin/python benchmarks/search_bench.py --n 5000 --backend postgres

Or on a seeded instance (benchmarks/seed_scale.py: the demo seeder's text at 100,000
posts), with its own settings from the environment, and 200 fixed queries drawn from
that text (``--rebuild`` also times a full rebuild first):

    INSTANCE_PATH=/tmp/big SECRET_KEY=x .venv/bin/python benchmarks/search_bench.py --instance
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/big SEARCH_BACKEND=postgres \
        INSTANCE_PATH=/tmp/bigpg SECRET_KEY=x .venv/bin/python benchmarks/search_bench.py --instance --rebuild

Items are synthetic (random Boréal gear sentences, half French, half English), written
straight into content_item (no services) and indexed with the same code path as
``flask search rebuild``. Queries: single words, two words, phrases, misspellings and
filtered queries, a fixed list (seeded). Never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EN = ("tent stove jacket headlamp backpack boots sleeping bag zipper battery waterproof seams "
      "strap buckle lightweight warm rain wind trail summit camp night cold comfortable broke "
      "replaced warranty size fits heavy bright lasts weekend hike").split()  # fmt: skip
FR = ("tente réchaud veste lampe frontale sac à dos chaussures couchage fermeture batterie "
      "imperméable coutures sangle boucle léger chaud pluie vent sentier sommet camp nuit froid "
      "confortable cassé remplacé garantie taille lourd lumineux tient randonnée écran vélos").split()  # fmt: skip


def sentence(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def query_list(rng: random.Random, words_for, phrase, filtered) -> list[dict]:  # noqa: ANN001
    """200 fixed queries, a fifth of each kind: single words, two words, phrases,
    misspellings (a letter removed) and filtered queries. ``words_for(i) -> (lang, words)``
    gives the vocabulary of query ``i``; ``phrase(lang, words)`` and ``filtered(lang, words)``
    make the two kinds that differ between the synthetic and the seeded text."""
    out: list[dict] = []
    for i in range(200):
        lang, words = words_for(i)
        kind = i % 5
        if kind == 0:
            out.append({"text": rng.choice(words)})
        elif kind == 1:
            out.append({"text": f"{rng.choice(words)} {rng.choice(words)}"})
        elif kind == 2:
            out.append({"text": f'"{phrase(lang, words)}"'})
        elif kind == 3:
            w = rng.choice([w for w in words if len(w) > 4])
            j = rng.randrange(1, len(w) - 1)
            out.append({"text": w[:j] + w[j + 1 :]})
        else:
            out.append(filtered(lang, words))
    return out


def queries(rng: random.Random) -> list[dict]:
    """The synthetic text's queries: random language; phrases of two random words."""

    def words_for(_i: int) -> tuple[str, list[str]]:
        words = rng.choice([EN, FR])
        return ("fr" if words is FR else "en"), words

    return query_list(
        rng, words_for,
        phrase=lambda lang, words: f"{rng.choice(words)} {rng.choice(words)}",
        filtered=lambda lang, words: {"text": rng.choice(words), "language": lang, "sort": "date"},
    )  # fmt: skip


# Words of the seeded text (benchmarks/seed_scale.py): demo sentences and real reviews.
SEEDED = {
    "en": ("jacket tent stove headlamp boots sleeping bag dress fabric size small comfortable waterproof winter "
           "colour zipper quality warm rain price fit sweater soft flattering length spare warranty trip").split(),
    "fr": ("tente veste réchaud frontale chaussures couchage taille imperméable hiver garantie pluie léger "
           "confortable couture sortie montagne bivouac matelas lavage pièce randonnée vélo écran froid").split(),
}  # fmt: skip
SEEDED_PHRASES = {
    "en": ["sleeping bag", "runs small", "true to size", "spare parts", "after two seasons", "long hikes",
           "great report", "size up", "too big", "love this"],
    "fr": ["pièces détachées", "service client", "quelle taille", "premier bivouac", "bon rapport",
           "deuxième sortie", "programme synthétique", "longues randonnées", "taille petit", "une couture"],
}  # fmt: skip


def seeded_queries(rng: random.Random) -> list[dict]:
    """The seeded text's queries: languages alternate; real phrases; filters by type
    and/or language (the latter sorted by date)."""

    def filtered(lang: str, words: list[str]) -> dict:
        flt = rng.choice(["type", "language", "both"])
        q = {"text": rng.choice(words)}
        if flt in ("type", "both"):
            q["types"] = [rng.choice(["review", "topic", "reply", "idea"])]
        if flt in ("language", "both"):
            q["language"], q["sort"] = lang, "date"
        return q

    return query_list(
        rng, lambda i: ("fr", SEEDED["fr"]) if i % 2 else ("en", SEEDED["en"]),
        phrase=lambda lang, words: rng.choice(SEEDED_PHRASES[lang]), filtered=filtered,
    )  # fmt: skip


def time_queries(backend, qs: list[dict], slowest: int = 0) -> tuple[float, float, float]:  # noqa: ANN001
    """p50, p95 and max in ms of each query run once after 10 warm-up queries; prints
    the ``slowest`` queries."""
    from community.search.backend import SearchQuery

    for q in qs[:10]:  # warm up
        backend.search(SearchQuery(**q))
    timed = []
    for q in qs:
        t = time.perf_counter()
        backend.search(SearchQuery(**q))
        timed.append(((time.perf_counter() - t) * 1000, q))
    timed.sort(key=lambda pair: pair[0])
    for ms, q in reversed(timed[-slowest:] if slowest else []):
        print(f"{ms:7.1f} ms  {q}")
    timings = [ms for ms, _ in timed]
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], timings[-1]


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its finished children (a rebuild's parts)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def on_instance(rebuild: bool, slowest: int = 0, processes: int = 0) -> None:
    os.environ.setdefault("SECRET_KEY", "bench")
    from community import create_app
    from community.search import indexer
    from community.search.backend import get_backend
    from community.search.cli import rebuild_processes
    from community.search.documents import count_all, document_parts
    from models import db

    app = create_app()
    with app.app_context():
        backend = get_backend()
        total = count_all()
        took = cpu = None
        processes = processes or rebuild_processes()
        if rebuild:
            started, cpu_started = time.perf_counter(), _cpu_with_children()
            with backend.lock(), indexer.url_context():
                for _ in backend.bulk_load_parts(document_parts(processes)):
                    pass
            took, cpu = time.perf_counter() - started, _cpu_with_children() - cpu_started
        p50, p95, top = time_queries(backend, seeded_queries(random.Random(7)), slowest)
        print(f"backend={backend.name} db={db.engine.dialect.name} items={total} docs={backend.count()} "
              f"rebuild={f'{took:.1f}s (cpu {cpu:.1f}s, {processes} processes)' if took else '-'} p50={p50:.1f}ms p95={p95:.1f}ms max={top:.1f}ms "
              f"load={os.getloadavg()[0]:.1f} peak_rss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--backend", choices=["whoosh", "postgres"], default="whoosh")
    parser.add_argument("--instance", action="store_true", help="use the seeded instance of the environment")
    parser.add_argument("--rebuild", action="store_true", help="with --instance: time a full rebuild first")
    parser.add_argument("--slowest", type=int, default=0, help="print the N slowest queries")
    parser.add_argument(
        "--processes", type=int, default=0, help="rebuild processes (default: SEARCH_REBUILD_PROCESSES)"
    )
    args = parser.parse_args()
    if args.instance:
        on_instance(args.rebuild, args.slowest, args.processes)
        return

    import psycopg
    from sqlalchemy import insert

    from community import create_app
    from community.search.backend import get_backend
    from community.search.documents import all_documents, count_all
    from models import ContentItem, User, db, utcnow
    from tests.content_kinds import Note  # noqa: F401  (registers the kind)

    tmp = Path(tempfile.mkdtemp(prefix="search-bench-"))
    config = {"INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench", "SEARCH_BACKEND": args.backend,
              "SEARCH_INDEX_DIR": str(tmp / "index"), "ENV_NAME": "testing"}  # fmt: skip
    pg_name = None
    if args.backend == "postgres":
        pg_name = f"search_bench_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        config["SQLALCHEMY_DATABASE_URI"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}"
    app = create_app(config)
    rng = random.Random(42)
    try:
        with app.app_context():
            db.create_all()
            user = User(username="bench", email="bench@example.test", display_name="Bench", password_hash="x")
            db.session.add(user)
            db.session.commit()
            rows = []
            for i in range(args.n):
                words = FR if i % 2 else EN
                text = " ".join(sentence(rng, words, rng.randint(6, 14)) for _ in range(rng.randint(2, 6)))
                rows.append({"kind": "test_note", "author_id": user.id, "body_source": text,
                             "body_html": f"<p>{text}</p>", "state": "published",
                             "language": "fr" if i % 2 else "en", "created_at": utcnow(), "author_role": "member"})  # fmt: skip
                if len(rows) == 2000:
                    db.session.execute(insert(ContentItem), rows)
                    rows = []
            if rows:
                db.session.execute(insert(ContentItem), rows)
            db.session.commit()
            backend = get_backend()
            total = count_all()
            started = time.perf_counter()
            with backend.lock():
                for _ in backend.bulk_load(all_documents()):
                    pass
            rebuild = time.perf_counter() - started
            p50, p95, top = time_queries(backend, queries(random.Random(7)))
            print(f"backend={args.backend} n={total} rebuild={rebuild:.1f}s "
                  f"p50={p50:.1f}ms p95={p95:.1f}ms max={top:.1f}ms load={os.getloadavg()[0]:.1f}")  # fmt: skip
            db.session.remove()
            db.engine.dispose()
    finally:
        if pg_name:
            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
