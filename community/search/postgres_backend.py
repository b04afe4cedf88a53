"""PostgreSQL full-text backend (``SEARCH_BACKEND=postgres`` on a PostgreSQL database).

The index is a table in the application's database, shared by every app server:
``search_document`` with one ``tsvector`` column per language (``tsv_fr``,
``tsv_en``, each with a GIN index; a document fills the one of its language),
queried with ``websearch_to_tsquery`` (which never fails on broken syntax) and
highlighted with ``ts_headline``. The text search configurations ``search_fr`` and
``search_en`` add ``unaccent`` before stemming. "Did you mean" uses ``pg_trgm`` on
``search_word`` (the words seen in documents). The tables are derived data, outside the
models' metadata: migration ``0012_postgres_search`` creates them, and the backend creates
what is missing on first use (``flask search rebuild`` recreates their content).

Writers serialise on a PostgreSQL advisory lock, so indexers on several hosts
never interleave.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from .analysis import normalize_fr
from .backend import Hit, SearchQuery, SearchResults, did_you_mean, marked_to_html, plain_snippet
from .documents import MARK_END, MARK_START, SearchDoc

log = logging.getLogger(__name__)
LOCK_KEY = 0x5EA4C4  # advisory lock id of the search writers
SCHEMA_LOCK_KEY = 0x5EA4C5
_WORDS = re.compile(r"[^\W\d_]{3,30}", re.UNICODE)

_CONFIG_SQL = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'search_{lang}') THEN
    CREATE TEXT SEARCH CONFIGURATION search_{lang} (COPY = {name});
    {unaccent}
  END IF;
END $$;
"""
_UNACCENT = (
    "ALTER TEXT SEARCH CONFIGURATION search_{lang} ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, {name}_stem;"
)
_TABLES_SQL = [
    """CREATE TABLE IF NOT EXISTS search_document (
        id text PRIMARY KEY, type text NOT NULL, title text NOT NULL DEFAULT '',
        body text NOT NULL DEFAULT '', author text NOT NULL DEFAULT '',
        author_name text NOT NULL DEFAULT '', scope text NOT NULL DEFAULT '',
        scope_label text NOT NULL DEFAULT '', language text NOT NULL DEFAULT 'en',
        date timestamptz, score double precision NOT NULL DEFAULT 0, url text NOT NULL DEFAULT '',
        tsv_fr tsvector, tsv_en tsvector)""",
    "CREATE INDEX IF NOT EXISTS ix_search_document_tsv_fr ON search_document USING gin (tsv_fr)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_tsv_en ON search_document USING gin (tsv_en)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_date ON search_document (date)",
    "CREATE TABLE IF NOT EXISTS search_word (word text PRIMARY KEY)",
]
_TRGM_SQL = "CREATE INDEX IF NOT EXISTS ix_search_word_trgm ON search_word USING gin (word gin_trgm_ops)"

_UPSERT = """
INSERT INTO search_document (id, type, title, body, author, author_name, scope, scope_label,
    language, date, score, url, tsv_fr, tsv_en)
VALUES (:id, :type, :title, :body, :author, :author_name, :scope, :scope_label, :language,
    :date, :score, :url,
    CASE WHEN :language = 'fr' THEN setweight(to_tsvector('search_fr', :ntitle), 'A')
         || setweight(to_tsvector('search_fr', :nbody), 'B') END,
    CASE WHEN :language = 'en' THEN setweight(to_tsvector('search_en', :ntitle), 'A')
         || setweight(to_tsvector('search_en', :nbody), 'B') END)
ON CONFLICT (id) DO UPDATE SET type = excluded.type, title = excluded.title, body = excluded.body,
    author = excluded.author, author_name = excluded.author_name, scope = excluded.scope,
    scope_label = excluded.scope_label, language = excluded.language, date = excluded.date,
    score = excluded.score, url = excluded.url, tsv_fr = excluded.tsv_fr, tsv_en = excluded.tsv_en
"""

_COLUMNS = "d.id, d.type, d.title, d.body, d.author, d.author_name, d.scope, d.scope_label, d.language, d.date, d.url"
# The queries are written out where they are used (not read from a CTE), so that the
# planner sees their values: it estimates how many documents match and picks the GIN
# indexes for rare words (a CTE's tsquery is opaque to it: it then walked the date index
# testing every document, 170 ms for a common word with a language filter).
_FR, _EN = "websearch_to_tsquery('search_fr', :qfr)", "websearch_to_tsquery('search_en', :qen)"


def _match(fr: str = _FR, en: str = _EN) -> str:
    return f"(d.tsv_fr @@ {fr} OR d.tsv_en @@ {en})"


def _rank(fr: str = _FR, en: str = _EN) -> str:
    return f"ts_rank_cd(coalesce(d.tsv_fr, d.tsv_en), CASE WHEN d.language = 'fr' THEN {fr} ELSE {en} END)"


_MATCH, _RANK = _match(), _rank()
# For a search's transaction: its matches are read through the GIN indexes, never by a
# table scan. PostgreSQL's costs underrate testing a tsquery against every stored tsvector:
# it scanned the table for common words (`bivouac`, 21,584 matches: 98 ms against about
# 30 ms by the index) and for an EXISTS planned for its first row, which reads the whole
# table when the word is in no document, the very case of "did you mean" (100-150 ms
# against 2-13 ms).
_INDEXES_ONLY = "SET LOCAL enable_seqscan = off"
_CONFIG = "CASE WHEN d.language = 'fr' THEN 'search_fr'::regconfig ELSE 'search_en'::regconfig END"
_HEADLINE = (
    f"ts_headline({_CONFIG}, translate(d.body, '<>', :tagsafe), "
    f"CASE WHEN d.language = 'fr' THEN {_FR} ELSE {_EN} END, :opts)"
)
_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)

# ts_headline drops anything that looks like an HTML tag: hide < and > from it.
_TAG_SAFE = "\ue002\ue003"
_TAG_BACK = str.maketrans(_TAG_SAFE, "<>")


class PostgresBackend:
    name = "postgres"

    def __init__(self, app: Flask) -> None:
        from models import db

        with app.app_context():
            self.engine: Engine = db.engine
        if self.engine.dialect.name != "postgresql":
            raise RuntimeError("SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
        self._ready = False
        self._trgm = False
        self._guard = threading.Lock()
        self.max_matches = int(app.config.get("SEARCH_MAX_MATCHES") or 0)

    # -- schema -----------------------------------------------------------------

    def _ensure(self) -> None:
        if self._ready:
            return
        with self._guard, self.engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK_KEY})
            unaccent = self._extension(conn, "unaccent")
            self._trgm = self._extension(conn, "pg_trgm")
            for lang, name in (("fr", "french"), ("en", "english")):
                extra = _UNACCENT.format(lang=lang, name=name) if unaccent else ""
                conn.execute(text(_CONFIG_SQL.format(lang=lang, name=name, unaccent=extra)))
            for statement in _TABLES_SQL:
                conn.execute(text(statement))
            if self._trgm:
                conn.execute(text(_TRGM_SQL))
            self._ready = True

    @staticmethod
    def _extension(conn: Connection, name: str) -> bool:
        try:
            with conn.begin_nested():
                conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {name}"))
            return True
        except Exception:
            log.warning("PostgreSQL extension %s is not available", name)
            return False

    # -- writing ----------------------------------------------------------------

    @contextmanager
    def lock(self, blocking: bool = True) -> Iterator[bool]:
        self._ensure()
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            if blocking:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
            elif not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
                yield False
                return
            try:
                yield True
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})

    @staticmethod
    def _params(doc: SearchDoc) -> dict:
        lang = doc.language if doc.language in ("fr", "en") else "en"
        norm = normalize_fr if lang == "fr" else (lambda s: s)
        return {
            "id": doc.id, "type": doc.type, "title": doc.title, "body": doc.text,
            "author": doc.author, "author_name": doc.author_name, "scope": doc.scope,
            "scope_label": doc.scope_label, "language": lang, "date": doc.date,
            "score": float(doc.score or 0), "url": doc.url,
            "ntitle": norm(doc.title), "nbody": norm(doc.text),
        }  # fmt: skip

    def _write(self, conn: Connection, docs: list[SearchDoc]) -> None:
        if not docs:
            return
        conn.execute(text(_UPSERT), [self._params(doc) for doc in docs])
        words = sorted({w.lower() for doc in docs for w in _WORDS.findall(f"{doc.title} {doc.text}")})
        if words:
            conn.execute(
                text(
                    "INSERT INTO search_word (word) SELECT unnest(CAST(:w AS text[])) ON CONFLICT DO NOTHING"
                ),
                {"w": words},
            )

    def apply(self, upserts: Iterable[SearchDoc], deletes: Iterable[str]) -> None:
        self._ensure()
        upserts, deletes = list(upserts), list(deletes)
        with self.engine.begin() as conn:
            if deletes:
                conn.execute(text("DELETE FROM search_document WHERE id = ANY(:ids)"), {"ids": deletes})
            self._write(conn, upserts)

    def clear(self) -> None:
        self._ensure()
        with self.engine.begin() as conn:
            conn.execute(text("TRUNCATE search_document, search_word"))

    def bulk_load(self, docs: Iterator[SearchDoc]) -> Iterator[int]:
        """Replace every document in one transaction (readers see the old index until it commits)."""
        self._ensure()
        done = 0
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM search_document"))
            conn.execute(text("DELETE FROM search_word"))
            batch: list[SearchDoc] = []
            for doc in docs:
                batch.append(doc)
                done += 1
                if len(batch) >= 500:
                    self._write(conn, batch)
                    batch = []
                yield done
            self._write(conn, batch)

    def bulk_load_parts(self, parts: Sequence[Callable[[], Iterator[SearchDoc]]]) -> Iterator[int]:
        """One transaction, the parts one after the other (PostgreSQL does the indexing)."""
        return self.bulk_load(chain.from_iterable(part() for part in parts))

    def available(self) -> bool:
        self._ensure()  # the tables exist from the first use on
        return True

    def count(self) -> int:
        self._ensure()
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM search_document")).scalar() or 0)

    def close(self) -> None:
        pass

    # -- reading ----------------------------------------------------------------

    @staticmethod
    def _filters(query: SearchQuery, types: list[str] | None = None) -> tuple[str, dict]:
        # Documents dated in the future (scheduled articles) appear at their time.
        sql, params = ["d.date <= now()"], {}
        kinds = types if types is not None else query.types
        if kinds:
            sql.append("d.type = ANY(:types)")
            params["types"] = list(kinds)
        if query.scope:
            sql.append("d.scope = :scope")
            params["scope"] = query.scope
        if query.author:
            sql.append("d.author = :author")
            params["author"] = query.author
        if query.language in ("fr", "en"):
            sql.append("d.language = :language")
            params["language"] = query.language
        if query.date_from:
            sql.append("d.date >= :date_from")
            params["date_from"] = query.date_from
        if query.date_to:
            sql.append("d.date <= :date_to")
            params["date_to"] = query.date_to
        return "".join(f" AND {s}" for s in sql), params

    @staticmethod
    def _hit(row, snippet) -> Hit:  # noqa: ANN001
        return Hit(
            id=row.id, type=row.type, title=row.title, snippet=snippet, url=row.url,
            score=round(float(row.rank or 0), 4), date=row.date, author=row.author,
            author_name=row.author_name, scope=row.scope, scope_label=row.scope_label,
            language=row.language,
        )  # fmt: skip

    def search(self, query: SearchQuery) -> SearchResults:
        page, per_page = max(1, query.page), max(1, min(query.per_page, 50))
        clean = query.clean_text()
        if not clean:
            return SearchResults([], 0, page, per_page)
        self._ensure()
        where, params = self._filters(query)
        # The matches are read once, through the GIN indexes (ids and dates only), for
        # the count and the page. Asked for a page of newest matches, the planner walked
        # the date index testing every document instead (a rare word in one type: 130 ms;
        # `fit` in English by date, counted by a window: 85 ms). A date sort ranks only
        # the page's documents; a relevance sort ranks the newest SEARCH_MAX_MATCHES
        # matches, as Whoosh does (ranking every match of a common word was most of its cost).
        count = f"SELECT count(*) FROM search_document d WHERE {_MATCH}{where}"
        matches = (
            f"""matches AS MATERIALIZED (SELECT d.id, d.date FROM search_document d WHERE {_MATCH}{where})"""
        )
        if query.sort == "date":
            sql = f"""
                WITH {matches},
                page AS (SELECT id FROM matches ORDER BY date DESC, id LIMIT :limit OFFSET :offset)
                SELECT {_COLUMNS}, {_RANK} AS rank, {_HEADLINE} AS headline,
                       (SELECT count(*) FROM matches) AS total
                FROM page p JOIN search_document d ON d.id = p.id ORDER BY d.date DESC, d.id
            """
        else:
            cap = f"ORDER BY date DESC LIMIT {self.max_matches}" if self.max_matches else ""
            sql = f"""
                WITH {matches},
                ranked AS (SELECT id FROM matches {cap}),
                page AS (
                    SELECT d.id, d.date, {_RANK} AS rank FROM ranked r JOIN search_document d ON d.id = r.id
                    ORDER BY rank DESC, d.date DESC, d.id LIMIT :limit OFFSET :offset)
                SELECT {_COLUMNS}, p.rank, {_HEADLINE} AS headline, (SELECT count(*) FROM matches) AS total
                FROM page p JOIN search_document d ON d.id = p.id ORDER BY p.rank DESC, d.date DESC, d.id
            """
        params.update(
            qfr=normalize_fr(clean), qen=clean, limit=per_page, offset=(page - 1) * per_page,
            opts=_HEADLINE_OPTIONS, tagsafe=_TAG_SAFE,
        )  # fmt: skip
        with self.engine.connect() as conn:
            conn.execute(text(_INDEXES_ONLY))
            rows = conn.execute(text(sql), params).all()
            total = rows[0].total if rows else 0
            if not rows and page > 1:  # past the last page: say how many there are
                total = conn.execute(text(count), params).scalar() or 0
            total = int(total)
            hits = []
            for row in rows:
                headline = (row.headline or "").translate(_TAG_BACK)
                snippet = marked_to_html(headline) if MARK_START in headline else plain_snippet(row.body)
                hits.append(self._hit(row, snippet))
            suggestion = self._suggestion(conn, query) if total < 3 else None
        return SearchResults(hits, int(total), page, per_page, suggestion)

    def _suggestion(self, conn: Connection, query: SearchQuery) -> str | None:
        words, phrases = query.terms()
        if not words or phrases or not self._trgm:
            return None

        def known(word: str) -> bool:
            return (
                bool(
                    conn.execute(
                        text(
                            "SELECT EXISTS (SELECT 1 FROM search_document WHERE "
                            "tsv_fr @@ plainto_tsquery('search_fr', :fr) OR tsv_en @@ plainto_tsquery('search_en', :en))"
                        ),
                        {"fr": normalize_fr(word), "en": word},
                    ).scalar()
                )
                or not conn.execute(
                    text(
                        "SELECT numnode(plainto_tsquery('search_fr', :w)) * numnode(plainto_tsquery('search_en', :w))"
                    ),
                    {"w": word},
                ).scalar()
            )

        def candidates(word: str) -> list[tuple[str, int]]:
            rows = conn.execute(
                text(
                    "SELECT word, similarity(word, :w) AS sim FROM search_word WHERE word % :w "
                    "ORDER BY word <-> :w LIMIT 8"
                ),
                {"w": word},
            ).all()
            return [(row.word, int(row.sim * 1000)) for row in rows]

        return did_you_mean(words, known, candidates)

    def _simple(
        self, tsquery_fr: str, tsquery_en: str, types: list[str], limit: int, exclude: str
    ) -> list[Hit]:
        self._ensure()
        where, params = self._filters(SearchQuery(), types)
        if exclude:
            where += " AND d.id <> :exclude"
            params["exclude"] = exclude
        fr, en = "to_tsquery('search_fr', :qfr)", "to_tsquery('search_en', :qen)"
        sql = f"""
            SELECT {_COLUMNS}, {_rank(fr, en)} AS rank FROM search_document d
            WHERE {_match(fr, en)}{where} ORDER BY rank DESC, d.date DESC LIMIT :limit
        """
        params.update(qfr=tsquery_fr, qen=tsquery_en, limit=limit)
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), params).all()
        return [self._hit(row, plain_snippet(row.body, 140)) for row in rows]

    def suggest(self, text_: str, limit: int = 5) -> list[Hit]:
        words, _ = SearchQuery(text_).terms()
        words = [w for w in words if w.replace("_", "")]
        if not words or len(words[-1]) < 2:
            return []
        fr = [normalize_fr(w) for w in words[:-1]] + [normalize_fr(words[-1]) + ":*"]
        en = words[:-1] + [words[-1] + ":*"]
        return self._simple(" & ".join(fr), " & ".join(en), [], limit, "")

    def similar(self, title: str, types: list[str], limit: int = 5, exclude: str = "") -> list[Hit]:
        words, _ = SearchQuery(title).terms()
        words = [w for w in words if w.replace("_", "")]
        if not words:
            return []
        return self._simple(
            " | ".join(normalize_fr(w) for w in words), " | ".join(words), types, limit, exclude
        )
