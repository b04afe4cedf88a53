"""The embedded backend: a Whoosh (whoosh3) index in the instance folder.

One writer at a time: every write runs under :meth:`WhooshBackend.lock`, an
``fcntl.flock`` on a lock file beside the index, held by whichever process drains
the outbox; readers never lock.
"""

from __future__ import annotations

import fcntl
import logging
import multiprocessing
import os
import re
import shutil
import threading
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from flask import Flask
from whoosh import collectors, highlight, index, sorting
from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.matching import ListMatcher, NullMatcher, ReadTooFar
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup
from whoosh.query import And, ConstantScoreQuery, DateRange, NullQuery, Or, Prefix, Query, Term
from whoosh.support.charset import accent_map
from whoosh.support.levenshtein import distance

from models import db

from .analysis import fold, fr_singular
from .backend import Hit, SearchQuery, SearchResults, did_you_mean, marked_to_html, plain_snippet
from .documents import MARK_END, MARK_START, SearchDoc

log = logging.getLogger(__name__)
LANGS = ("fr", "en")
_WORDS = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)  # RegexTokenizer's default expression
EXCERPT = 1500  # characters of a body kept for snippets: highlighting cost grows with it
LATE_MAX = 20_000  # documents out of date order a rebuild holds back (in memory) for its second segment


class _FrenchPlural(Filter):
    def __call__(self, tokens):  # noqa: ANN001, ANN204
        for t in tokens:
            t.text = fr_singular(t.text)
            yield t


def analyzer_chain(lang: str):  # noqa: ANN201
    """The reference chain of Whoosh filters; :class:`LanguageAnalyzer` gives the same tokens."""
    chain = RegexTokenizer() | LowercaseFilter() | StopFilter(lang=lang)
    if lang == "fr":
        chain = chain | _FrenchPlural()
    return chain | StemFilter(lang=lang, cachesize=50000) | CharsetFilter(accent_map)


class LanguageAnalyzer(Analyzer):
    """:func:`analyzer_chain` in one pass, with each word's term cached: tokenize,
    lowercase, drop stop words (renumbering positions), fold French plurals, stem,
    fold accents. Five chained generators per token cost most of a rebuild's analysis."""

    CACHE = 200_000

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._setup()

    def _setup(self) -> None:
        stops = set(STOP_WORDS) | set(stopwords_for_language(self.lang))
        self._stops = frozenset(stops)
        self._stem = stemmer_for_language(self.lang)
        self._cache: dict[str, str | None] = {}

    def __getstate__(self) -> dict:  # the schema is pickled into the index
        return {"lang": self.lang}

    def __setstate__(self, state: dict) -> None:
        self.lang = state["lang"]
        self._setup()

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.lang == other.lang  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.lang))

    def __repr__(self) -> str:
        return f"LanguageAnalyzer({self.lang!r})"

    def _term(self, low: str) -> str | None:
        """The indexed term of a lowercase word, None for a stop word."""
        if len(low) < 2 or low in self._stops:
            return None
        word = fr_singular(low) if self.lang == "fr" else low
        return self._stem(word).translate(_ACCENTS)

    def __call__(  # noqa: PLR0913
        self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
        removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
        mode: str = "", **kwargs,
    ):  # noqa: ANN003, ANN204  # fmt: skip
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = _WORDS.finditer(value) if tokenize else None
        cache, french = self._cache, self.lang == "fr"
        pos = None
        for number, match in enumerate(matches) if matches is not None else [(0, None)]:
            word = match.group(0) if match is not None else value
            low = word.lower()
            term = cache.get(low, _MISSING)
            if term is _MISSING:
                term = self._term(low)
                if len(cache) >= self.CACHE:
                    cache.clear()
                cache[low] = term
            t.boost = 1.0
            if keeporiginal:
                t.original = word
            if term is None:  # a stop word
                if removestops:
                    continue
                t.stopped = True
                t.text = (fr_singular(low) if french else low).translate(_ACCENTS)
                if positions:
                    t.pos = start_pos + number
            else:
                t.stopped = False
                t.text = term
                if positions:
                    pos = start_pos + number if pos is None else pos + 1
                    t.pos = pos
            if chars:
                t.startchar = start_char + (match.start() if match is not None else 0)
                t.endchar = start_char + (match.end() if match is not None else len(value))
            yield t


_MISSING = object()
_ACCENTS = {ord(k) if isinstance(k, str) else k: v for k, v in accent_map.items()}


def analyzer(lang: str) -> LanguageAnalyzer:
    return LanguageAnalyzer(lang)


class HourDate(DATETIME):
    """A date stored and sorted exactly, but indexed to the hour (for the range filters).

    The filters take whole days (``from``/``to``), and the dated-ahead check compares
    the stored dates: the exact time is never searched. Indexed exactly, each document
    brought four terms of its own (microseconds, ...), half the rebuild's term writing."""

    def index(self, value, **kwargs):  # noqa: ANN001, ANN003, ANN201
        if isinstance(value, datetime):
            value = value.replace(minute=0, second=0, microsecond=0)
        return super().index(value, **kwargs)


class StoredNumber(NUMERIC):
    """A number stored with the document and never searched: it writes no terms (indexed,
    a float wrote 16 per document). Still a NUMERIC, so that segments written while it
    was indexed keep merging with new ones (a STORED field has no postings format)."""

    def index(self, value, **kwargs):  # noqa: ANN001, ANN003, ANN201, ARG002
        return iter(())


def make_schema() -> Schema:
    fields = {
        "id": ID(stored=True, unique=True),
        "type": ID(stored=True),
        "title": STORED(),
        "text": STORED(),
        "author": ID(stored=True),
        "author_name": STORED(),
        "scope": ID(stored=True),
        "scope_label": STORED(),
        "language": ID(stored=True),
        "date": HourDate(stored=True, sortable=True),
        "item_score": StoredNumber(float, stored=True),
        "url": STORED(),
        # Plain lowercase words (no stemming) for "did you mean".
        "words": TEXT(analyzer=RegexTokenizer() | LowercaseFilter(), phrase=False),
    }
    for lang in LANGS:
        a = analyzer(lang)
        fields[f"title_{lang}"] = TEXT(analyzer=a, field_boost=2.0)
        fields[f"text_{lang}"] = TEXT(analyzer=a)
    return Schema(**fields)


def _spelling_words(text: str) -> str:
    """The distinct words "did you mean" may suggest: each once (only its document
    frequency is used), without numbers and words under three letters, which are never
    corrected (:func:`backend.did_you_mean`) and are a quarter of a document's words."""
    words = dict.fromkeys(_WORDS.findall(text.lower()))
    return " ".join(w for w in words if len(w) > 2 and not w.isdigit())


class _Bounded:
    """Collector mixin bounding a query's cost: stop after ``max_matches`` matching
    documents, or once ``deadline`` (a ``perf_counter`` time) has passed after at least
    ``MIN_MATCHES`` matches (never on small result sets, whatever the machine's load).

    With the index in newest-first order (see :func:`documents.all_content` and
    :func:`_newest_first_run`), a very common word or phrase ranks its newest matches
    only, instead of scoring every match; the total is then an estimate.
    """

    MIN_MATCHES = 20
    max_matches = 0
    deadline = 0.0
    seen = 0
    cut = False

    filtered = False  # True when a _Filtered collector drops matches: it counts instead
    partial = False  # True when matches were left uncounted without stopping the query

    def tick(self) -> bool:
        """Count one kept match; True once the query must stop."""
        self.seen += 1
        if (self.max_matches and self.seen >= self.max_matches) or (
            self.deadline and self.seen >= self.MIN_MATCHES and time.perf_counter() > self.deadline
        ):
            self.cut = True
        return self.cut

    def _source(self):  # noqa: ANN202
        return super().matches()  # type: ignore[misc]

    def matches(self):  # noqa: ANN201
        if self.cut:
            return
        for docnum in self._source():
            yield docnum
            if not self.filtered and self.tick():
                return

    def computes_count(self) -> bool:
        return not (self.cut or self.partial) and super().computes_count()  # type: ignore[misc]


def _newest_first_run(self) -> None:  # noqa: ANN001
    """``Collector.run`` over the segments newest first: documents written since the
    last rebuild live in the later segments."""
    try:
        for subsearcher, offset in reversed(list(self.top_searcher.leaf_searchers())):
            self.set_subsearcher(subsearcher, offset)
            self.collect_matches()
    finally:
        self.finish()


class _Top(_Bounded, collectors.TopCollector):
    run = _newest_first_run


class _Sorted(_Bounded, collectors.SortingCollector):
    """Newest first. A segment whose documents are in date order (a rebuild's main
    segment; ``ordered(reader)`` tells) gives its first ``limit`` kept matches and no
    more: they are its newest, so the rest is neither read nor sorted. Other segments
    (written since the rebuild, or merged) have all their matches sorted, as before."""

    run = _newest_first_run
    ordered = None  # callable: segment reader -> bool
    in_order = False
    taken = 0

    def set_subsearcher(self, subsearcher, offset: int) -> None:  # noqa: ANN001
        super().set_subsearcher(subsearcher, offset)
        self.in_order = bool(self.ordered and self.ordered(subsearcher.reader()))
        self.taken = 0

    def _source(self):  # noqa: ANN202
        # Step through the matches: whoosh's unscored path (``all_ids``) intersects two
        # matchers by reading both to the end (every reply for a type filter).
        return self._step_through_matches()

    def tick(self) -> bool:
        if super().tick():
            return True
        if self.in_order:
            self.taken += 1
            if self.taken >= self.limit:  # this segment's newest: skip the rest of it
                self.partial = True
                return True
        return False


class _Filtered(collectors.FilterCollector):
    """Drops the dated-ahead documents (scheduled articles) before the bounds count: the
    cap and the time budget count only matches that can be shown. The other filters are
    in the query itself (:meth:`WhooshBackend._with_filters`)."""

    run = _newest_first_run

    def matches(self):  # noqa: ANN201
        for docnum in super().matches():
            yield docnum
            if self.child.tick():
                return

    def computes_count(self) -> bool:
        # whoosh's wrapping collectors answer True whatever their child does: the
        # results then counted themselves by running the query again, unbounded.
        return self.child.computes_count()


class _Skipping(ListMatcher):
    """A list matcher that skips by bisection (whoosh's steps through the list)."""

    def skip_to(self, id: int) -> None:  # noqa: A002
        if not self.is_active():
            raise ReadTooFar
        self._i = bisect_left(self._ids, id, self._i)


class _InFilter(Query):
    """A filter's documents, scoring nothing, from the backend's per-segment cache of
    them: as ``ConstantScoreQuery(part, 0.0)``, which reads the filter's postings into
    a list for every query (every reply's number for a type filter: 50-100 ms at
    117,000 documents)."""

    def __init__(self, part: Query, size: int, segments: dict) -> None:
        self.part, self.size, self.segments = part, size, segments

    def __repr__(self) -> str:
        return f"_InFilter({self.part!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.part == self.part and other.segments is self.segments  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self.part)

    def field(self) -> None:  # no terms: nothing to highlight
        return None

    def estimate_size(self, ixreader) -> int:  # noqa: ANN001, ARG002
        return self.size

    def matcher(self, searcher, context=None):  # noqa: ANN001, ANN201
        segment = searcher.reader().segment()
        if segment is None:  # not one segment: read the postings
            return ConstantScoreQuery(self.part, 0.0).matcher(searcher, context)
        ids = self.segments.get(segment.segment_id())
        if not ids:
            return NullMatcher
        return _Skipping(ids, all_weights=0.0)


class _Marks(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):  # noqa: ANN001, ANN201
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


def _naive(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


class WhooshBackend:
    name = "whoosh"

    def __init__(self, app: Flask) -> None:
        self.dir = Path(app.config["SEARCH_INDEX_DIR"])
        self.lock_path = self.dir.with_name(self.dir.name + ".lock")
        self.schema = make_schema()
        self.max_matches = int(app.config.get("SEARCH_MAX_MATCHES") or 0)
        self.time_budget = int(app.config.get("SEARCH_TIME_BUDGET_MS") or 0) / 1000
        self.rebuild_mb = int(app.config.get("SEARCH_REBUILD_MEMORY_MB") or 256)
        self._ix = None
        self._inode: int | None = None
        self._pool: list = []  # (index, searcher) ready for reuse
        self._filters: dict = {}  # (reader, generation, filter) -> (mask, count, per segment)
        self._ordered: dict = {}  # (index, segment id) -> in date order
        self._guard = threading.Lock()
        self._parsers = {
            (lang, group): MultifieldParser([f"title_{lang}", f"text_{lang}"], self.schema, group=group)
            for lang in LANGS
            for group in (AndGroup, OrGroup)
        }
        for parser in self._parsers.values():
            # Only words and quoted phrases reach the parser; keep it to those.
            for plugin_name in ("WildcardPlugin", "FieldsPlugin", "RangePlugin", "BoostPlugin"):
                for plugin in list(parser.plugins):
                    if type(plugin).__name__ == plugin_name:
                        parser.remove_plugin(plugin)

    # -- the index --------------------------------------------------------------

    @contextmanager
    def lock(self, blocking: bool = True) -> Iterator[bool]:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _open(self, create: bool = False):  # noqa: ANN202
        with self._guard:
            if self._ix is None:
                if index.exists_in(str(self.dir)):
                    self._ix = index.open_dir(str(self.dir), schema=self.schema)
                elif create:  # callers hold self.lock()
                    self.dir.mkdir(parents=True, exist_ok=True)
                    self._ix = index.create_in(str(self.dir), self.schema)
            return self._ix

    def _fields(self, doc: SearchDoc) -> dict:
        lang = doc.language if doc.language in LANGS else "en"
        return {
            "id": doc.id,
            "type": doc.type,
            "title": doc.title,
            "text": doc.text[:EXCERPT],  # what snippets are cut from
            "author": doc.author,
            "author_name": doc.author_name,
            "scope": doc.scope,
            "scope_label": doc.scope_label,
            "language": lang,
            "date": _naive(doc.date),
            "item_score": float(doc.score or 0),
            "url": doc.url,
            "words": _spelling_words(f"{doc.title} {doc.text}"),
            f"title_{lang}": doc.title,
            f"text_{lang}": doc.text,
        }

    def apply(self, upserts: Iterable[SearchDoc], deletes: Iterable[str]) -> None:
        upserts, deletes = list(upserts), list(deletes)
        if not upserts and not deletes:
            return
        ix = self._open(create=True)
        writer = ix.writer(timeout=30)
        try:
            for doc_id in deletes:
                writer.delete_by_term("id", doc_id)
            for doc in upserts:
                writer.update_document(**self._fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def _forget(self) -> None:
        """Drop the open index and its pooled searchers (call with ``self._guard`` held)."""
        pool, self._pool, self._ix = self._pool, [], None
        self._filters.clear()
        self._ordered.clear()
        for _ix, searcher in pool:
            try:
                searcher.close()
            except OSError:
                pass

    def clear(self) -> None:
        with self._guard:
            self._forget()
            if self.dir.exists():
                shutil.rmtree(self.dir)
            self.dir.mkdir(parents=True, exist_ok=True)
            self._ix = index.create_in(str(self.dir), self.schema)

    def bulk_load(self, docs: Iterator[SearchDoc]) -> Iterator[int]:
        """Build a fresh index from ``docs`` (newest first) beside the live one, then
        swap it in; yields the count after each document."""
        return self.bulk_load_parts([lambda: docs])

    def bulk_load_parts(self, parts: Sequence[Callable[[], Iterator[SearchDoc]]]) -> Iterator[int]:
        """Build a fresh index beside the live one, then swap it in; yields the count of
        documents written so far.

        ``parts`` are consecutive runs of documents, newest first
        (:func:`documents.document_parts`). The first is written in this process and
        each other one in a forked process of its own, every part as one segment in a
        folder of its own; the segments are then moved into one index, oldest part
        first (queries read the last segments first: the newest documents). A document
        dated after one already written in its part (a product, a scheduled article) is
        held back and written with the others like it in a small segment after its part,
        so that every main segment stays in date order: :class:`_Sorted` takes a date
        sort's newest matches from its start instead of sorting them
        (:meth:`_in_date_order` checks)."""
        tmp = self.dir.with_name(self.dir.name + ".new")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        folders = [tmp / f"part{number}" for number in range(len(parts))]
        children: list = []
        try:
            if len(parts) > 1:
                # No pooled connection may cross the fork: parent and child would share
                # its socket (SQLAlchemy's advice: dispose before forking).
                db.session.close()
                db.engine.dispose()
            context = multiprocessing.get_context("fork")
            for part, folder in zip(parts[1:], folders[1:], strict=True):
                counter = context.Value("q", 0, lock=False)
                child = context.Process(
                    target=self._write_part_in_child, args=(part, folder, counter), daemon=True
                )
                child.start()
                children.append((child, counter))
            own = 0
            for own in self._write_part(parts[0](), folders[0]):
                if own % 100 == 0 or not children:
                    yield own + sum(counter.value for _child, counter in children)
            while any(child.is_alive() for child, _counter in children):
                for child, _counter in children:
                    child.join(0.2)
                yield own + sum(counter.value for _child, counter in children)
            failed = [child.exitcode for child, _counter in children if child.exitcode != 0]
            if failed:
                raise RuntimeError(f"search rebuild: a part's process failed (exit codes {failed})")
            yield own + sum(counter.value for _child, counter in children)
            self._assemble(tmp, folders)
        except BaseException:
            for child, _counter in children:
                if child.is_alive():
                    child.terminate()
                child.join()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        with self._guard:
            self._forget()
            old = self.dir.with_name(self.dir.name + ".old")
            if old.exists():
                shutil.rmtree(old)
            if self.dir.exists():
                os.replace(self.dir, old)
            os.replace(tmp, self.dir)
            shutil.rmtree(old, ignore_errors=True)

    def _write_part(self, docs: Iterator[SearchDoc], folder: Path) -> Iterator[int]:
        """One part as an index of its own in ``folder``: its documents in one segment,
        newest first, then those held back (dated after one already written) in a second."""
        folder.mkdir()
        ix = index.create_in(str(folder), self.schema)
        writer = ix.writer(limitmb=self.rebuild_mb)
        done, oldest, late = 0, None, []
        try:
            for doc in docs:
                fields = self._fields(doc)
                date = fields["date"]
                if oldest is not None and date > oldest and len(late) < LATE_MAX:
                    late.append(fields)
                else:
                    writer.add_document(**fields)
                    oldest = date if oldest is None else min(oldest, date)
                done += 1
                yield done
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        if late:
            writer = ix.writer(limitmb=64)
            for fields in sorted(late, key=lambda f: f["date"], reverse=True):
                writer.add_document(**fields)
            writer.commit(merge=False)
        ix.close()

    def _write_part_in_child(self, part: Callable[[], Iterator[SearchDoc]], folder: Path, counter) -> None:  # noqa: ANN001
        db.engine.dispose(close=False)  # the parent's pool is not ours (it was emptied before the fork)
        done = 0
        for done in self._write_part(part(), folder):
            if done % 100 == 0:
                counter.value = done
        counter.value = done

    def _assemble(self, tmp: Path, folders: list[Path]) -> None:
        """Move every part's segments into the index at ``tmp``: the parts' main segments
        oldest part first, then the held-back ones."""
        main, late = [], []
        for folder in reversed(folders):
            segments = index.open_dir(str(folder), schema=self.schema)._read_toc().segments
            for segment in segments:
                prefix = segment.segment_id() + "."
                for name in os.listdir(folder):
                    if name.startswith(prefix):
                        os.replace(folder / name, tmp / name)
            if segments:
                main.append(segments[0])
                late.extend(segments[1:])
            shutil.rmtree(folder)
        segments = main + late
        storage = FileStorage(str(tmp))
        TOC(self.schema, segments, 0).write(storage, index._DEF_INDEX_NAME)
        clean_files(storage, index._DEF_INDEX_NAME, 0, segments)

    def available(self) -> bool:
        return self._current() is not None

    def count(self) -> int:
        ix = self._open()
        return ix.doc_count() if ix is not None else 0

    def close(self) -> None:
        with self._guard:
            if self._ix is not None:
                self._ix.close()
            self._forget()

    # -- reading ----------------------------------------------------------------

    def _searcher(self):  # noqa: ANN202
        """A new searcher on the current index (the caller closes it), or None."""
        ix = self._current()
        return ix.searcher() if ix is not None else None

    def _current(self):  # noqa: ANN202
        """The open index, reopened when a rebuild swapped the directory (in any process)."""
        try:
            inode = os.stat(self.dir).st_ino
        except OSError:
            inode = None
        if self._ix is not None and inode != self._inode:
            with self._guard:
                self._forget()
        ix = self._open()
        if ix is not None and self._inode != inode:
            self._inode = inode
        return ix

    @contextmanager
    def _reading(self) -> Iterator:
        """A searcher from a small pool, replaced only when the index changed since
        its last use (a commit by any process); None without an index. Readers are
        reused across requests, so their caches (and ours: filters) stay warm."""
        ix = self._current()
        if ix is None:
            yield None
            return
        with self._guard:
            pooled = self._pool.pop() if self._pool else None
        searcher = pooled[1] if pooled is not None else None
        if searcher is not None and (pooled[0] is not ix or not searcher.up_to_date()):
            # A new searcher, not ``refresh()``: whoosh3's reader reuse keeps the
            # segments a merge replaced, so deleted documents would come back.
            searcher.close()
            searcher = None
        if searcher is None:
            searcher = ix.searcher()
        try:
            yield searcher
        finally:
            with self._guard:
                if self._ix is ix and len(self._pool) < 8:
                    self._pool.append((ix, searcher))
                    searcher = None
            if searcher is not None:
                searcher.close()

    def _text_query(self, query: SearchQuery, group=AndGroup):  # noqa: ANN001, ANN202
        text = query.clean_text()
        if not text:
            return None
        parts = []
        for lang in LANGS:
            parsed = self._parsers[(lang, group)].parse(text)
            if parsed is not NullQuery:  # a document only has the fields of its language
                parts.append(parsed)
        return Or(parts) if parts else None

    @staticmethod
    def _filter_parts(query: SearchQuery, types: list[str] | None = None) -> list:
        parts = []
        kinds = types if types is not None else query.types
        if kinds:
            parts.append(Or([Term("type", t) for t in sorted(kinds)]))
        if query.scope:
            parts.append(Term("scope", query.scope))
        if query.author:
            parts.append(Term("author", query.author))
        if query.language in LANGS:
            parts.append(Term("language", query.language))
        if query.date_from or query.date_to:
            parts.append(DateRange("date", _naive(query.date_from), _naive(query.date_to)))
        return parts

    def _filters_of(self, searcher, query: SearchQuery, types: list[str] | None = None) -> list:  # noqa: ANN001
        """The query's filters, each with its documents (:meth:`_filter_set`: cached per
        reader generation, since the type, language and scope filters repeat across
        requests), looked up once for :meth:`_allowed` and :meth:`_with_filters`."""
        return [(part, self._filter_set(searcher, part)) for part in self._filter_parts(query, types)]

    @staticmethod
    def _allowed(filters: list) -> int | None:
        """How many documents the filters allow, or None without filters: bit masks
        intersect and count in microseconds (whoosh's BitSet took 20-30 ms to intersect
        and count 117,000 documents in Python)."""
        if not filters:
            return None
        mask = -1
        for _part, (bits, _count, _segments) in filters:
            mask &= bits
        return mask.bit_count()

    @staticmethod
    def _with_filters(q, filters: list):  # noqa: ANN001, ANN205
        """The text query intersected with the filters (scoring nothing): the matcher then
        skips to the documents the filters keep instead of yielding every text match for
        the collector to drop (a rare type among a common word's matches: 630 -> a few ms
        at 117,000 documents). The filters' cached document sets still answer "nothing can
        match" at once and bound the estimated totals."""
        if not filters:
            return q
        return And([q, *(_InFilter(part, count, segments) for part, (_bits, count, segments) in filters)])

    def _future(self, searcher) -> set[int]:  # noqa: ANN001
        """Documents dated after now (scheduled articles): kept out until their time.

        The dated-ahead documents are found once per index generation; each query
        then only compares their dates with the clock."""
        key = (self._inode, searcher.ixreader.generation(), "future")
        with self._guard:
            ahead = self._filters.get(key)
        if ahead is None:
            hour = _naive(datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
            later = DateRange("date", hour, None)  # dates are indexed to the hour
            ahead = {n: searcher.stored_fields(n).get("date") for n in searcher.docs_for_query(later)}
            with self._guard:
                self._filters[key] = ahead
        now = _naive(datetime.now(UTC))
        return {n for n, date in ahead.items() if date is not None and date > now}

    def _filter_set(self, searcher, part):  # noqa: ANN001, ANN202
        """A filter's documents: (a bit mask of their numbers, how many, {segment id: their
        sorted numbers in that segment}), cached per reader generation."""
        key = (self._inode, searcher.ixreader.generation(), repr(part))
        with self._guard:
            found = self._filters.get(key)
        if found is None:
            bits, segments = bytearray((searcher.doc_count_all() + 7) // 8), {}
            for sub, offset in searcher.leaf_searchers():
                ids = array("I", sub.docs_for_query(part))
                segments[sub.reader().segment().segment_id()] = ids
                for n in ids:
                    bits[(n + offset) >> 3] |= 1 << ((n + offset) & 7)
            mask = int.from_bytes(bits, "little")
            found = (mask, mask.bit_count(), segments)
            with self._guard:
                if len(self._filters) >= 256:
                    self._filters.clear()
                self._filters[key] = found
        return found

    def _hit(self, hit, snippet) -> Hit:  # noqa: ANN001
        date = hit.get("date")
        return Hit(
            id=hit["id"], type=hit["type"], title=hit.get("title", ""), snippet=snippet,
            url=hit.get("url", ""), score=round(float(hit.score or 0), 4),
            date=date.replace(tzinfo=UTC) if date else None, author=hit.get("author", ""),
            author_name=hit.get("author_name", ""), scope=hit.get("scope", ""),
            scope_label=hit.get("scope_label", ""), language=hit.get("language", ""),
        )  # fmt: skip

    def search(self, query: SearchQuery) -> SearchResults:
        """The page's hits, ranked over every match with Whoosh's block-quality skipping
        (blocks that cannot reach the page are not scored). The total is exact when
        the matches fit in the pages collected, otherwise an upper estimate."""
        page, per_page = max(1, query.page), max(1, min(query.per_page, 50))
        empty = SearchResults([], 0, page, per_page)
        q = self._text_query(query)
        if q is None:
            return empty
        with self._reading() as searcher:
            if searcher is None:
                return empty
            filters = self._filters_of(searcher, query)
            allowed = self._allowed(filters)
            if allowed is not None and not allowed:
                return empty
            q = self._with_filters(q, filters)
            limit = page * per_page
            results, cut = self._run(searcher, q, limit, query.sort == "date")
            total, exact = self._total(searcher, results, q, limit, allowed, cut)
            start = (page - 1) * per_page
            suggestion = self._suggestion(searcher, query) if total < 3 else None
            if start >= results.scored_length():
                return SearchResults([], total, page, per_page, suggestion, exact=exact)
            results.fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)
            results.formatter = _Marks()
            hits = []
            for n in range(start, min(start + per_page, results.scored_length())):
                hit = results[n]
                excerpt = hit.get("text", "")
                marked = hit.highlights(f"text_{hit.get('language', 'en')}", text=excerpt, top=2)
                snippet = marked_to_html(marked) if marked else plain_snippet(excerpt)
                hits.append(self._hit(hit, snippet))
            return SearchResults(hits, total, page, per_page, suggestion, exact=exact)

    def _run(self, searcher, q, limit: int, by_date: bool = False):  # noqa: ANN001, ANN202
        """Run ``q`` (its filters already in it: :meth:`_with_filters`): the results and
        whether the match cap stopped it early. Only the dated-ahead documents are left
        for the collector to drop."""
        if by_date:
            inner = _Sorted(sorting.FieldFacet("date", reverse=True), limit=limit)
            inner.ordered = self._in_date_order
        else:
            inner = _Top(limit)
        inner.max_matches = self.max_matches
        future = self._future(searcher)
        if future:
            inner.filtered = True
            collector = _Filtered(inner, restrict=future)
        else:
            collector = inner
        if self.time_budget:  # started once the filters are ready
            inner.deadline = time.perf_counter() + self.time_budget
        searcher.search_with_collector(q, collector)
        return collector.results(), inner.cut or inner.partial

    def _in_date_order(self, reader) -> bool:  # noqa: ANN001
        """Whether a segment's documents are in date order, newest first (see
        :meth:`bulk_load`). Checked once per segment: a segment never changes (but
        for deletions, which keep the order)."""
        segment = reader.segment()
        if segment is None:
            return False
        key = (self._inode, "in date order", segment.segment_id())
        with self._guard:
            found = self._ordered.get(key)
        if found is None:
            dates = list(reader.column_reader("date", translate=False))
            found = all(a >= b for a, b in pairwise(dates))
            with self._guard:
                if len(self._ordered) >= 64:
                    self._ordered.clear()
                self._ordered[key] = found
        return found

    @staticmethod
    def _total(searcher, results, q, limit: int, allowed, cut: bool) -> tuple[int, bool]:  # noqa: ANN001
        scored = results.scored_length()
        if cut:
            estimate = q.estimate_size(searcher.reader())
            if allowed is not None:
                estimate = min(estimate, allowed)
            return max(estimate, scored), False
        if results.has_exact_length():
            return len(results), True
        if scored < limit:  # nothing was skipped before the heap filled
            return scored, True
        estimate = q.estimate_size(searcher.reader())
        if allowed is not None:
            estimate = min(estimate, allowed)
        return max(estimate, scored), False

    def _suggestion(self, searcher, query: SearchQuery) -> str | None:  # noqa: ANN001
        words, phrases = query.terms()
        if not words or phrases:
            return None
        reader = searcher.reader()
        analyzers = {lang: self.schema[f"text_{lang}"].analyzer for lang in LANGS}

        def known(word: str) -> bool:
            for lang, a in analyzers.items():
                tokens = [t.text for t in a(word)]
                if not tokens:
                    return True  # a stop word
                for token in tokens:
                    for name in (f"text_{lang}", f"title_{lang}"):
                        if reader.doc_frequency(name, token):
                            return True
            return False

        field = self.schema["words"]

        def candidates(word: str) -> list[tuple[str, int]]:
            """Known words within two edits sharing the first letter: ``reader.terms_within``
            without computing the distance of words that length or letters rule out (most
            of those with the same first letter: 30 -> 10 ms at 117,000 documents)."""
            found, letters = [], set(word)
            for btext in reader.expand_prefix("words", word[:1]):
                cand = field.from_bytes(btext)
                if (
                    abs(len(cand) - len(word)) <= 2
                    and len(set(cand) - letters) <= 2  # each edit brings at most one letter
                    and distance(cand, word, limit=2) <= 2
                ):
                    found.append((cand, reader.doc_frequency("words", cand)))
            return found

        suggestion = did_you_mean(words, known, candidates)
        if suggestion and suggestion != " ".join(words):
            return suggestion
        return None

    def suggest(self, text: str, limit: int = 5) -> list[Hit]:
        words, _ = SearchQuery(text).terms()
        if not words or len(words[-1]) < 2:
            return []
        *full, last = words
        parts = []
        for lang in LANGS:
            sub = [Term("language", lang)]
            if full:
                parsed = self._parsers[(lang, AndGroup)].parse(" ".join(full))
                if parsed is not NullQuery:
                    sub.append(parsed)
            prefix = fold(last.lower())
            options = [Prefix(f"title_{lang}", prefix), Prefix(f"text_{lang}", prefix)]
            whole = self._parsers[(lang, AndGroup)].parse(last)
            if whole is not NullQuery:
                options.append(whole)  # "tentes" is no prefix of its stem "tent"
            sub.append(Or(options))
            parts.append(And(sub))
        return self._simple(Or(parts), None, limit, "")

    def similar(self, title: str, types: list[str], limit: int = 5, exclude: str = "") -> list[Hit]:
        q = self._text_query(SearchQuery(title), group=OrGroup)
        if q is None:
            return []
        return self._simple(q, types, limit, exclude)

    def _simple(self, q, types: list[str] | None, limit: int, exclude: str) -> list[Hit]:  # noqa: ANN001
        with self._reading() as searcher:
            if searcher is None:
                return []
            filters = self._filters_of(searcher, SearchQuery(), types or None)
            allowed = self._allowed(filters)
            if allowed is not None and not allowed:  # an empty filter would mean "no filter"
                return []
            q = self._with_filters(q, filters)
            results, _cut = self._run(searcher, q, limit + 1)
            hits = [
                self._hit(hit, plain_snippet(hit.get("text", ""), 140))
                for hit in results
                if hit["id"] != exclude
            ]
        return hits[:limit]
