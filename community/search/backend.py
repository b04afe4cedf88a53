"""The interface every search backend serves, and the choice of backend.

``SEARCH_BACKEND=whoosh`` (default): an embedded Whoosh index in the instance folder.
``SEARCH_BACKEND=postgres``: PostgreSQL full-text search in the application's own
PostgreSQL database, shared by every app server.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from flask import Flask, current_app
from markupsafe import Markup

from .documents import MARK_END, MARK_START, SearchDoc

SORTS = ("relevance", "date")
_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')


@dataclass
class SearchQuery:
    text: str = ""
    types: list[str] = field(default_factory=list)
    scope: str = ""  # "category:3"
    author: str = ""  # username
    language: str = ""  # "en", "fr"
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10

    def terms(self) -> tuple[list[str], list[list[str]]]:
        """The words and the quoted phrases of the text, without any other syntax:
        operators, brackets and stray quotes are dropped, so no text can be an error."""
        text = self.text[:500]
        phrases = [words for words in (_WORD.findall(p) for p in _PHRASE.findall(text)) if words]
        rest = _PHRASE.sub(" ", text)
        words = [w.lower() for w in _WORD.findall(rest) if w not in ("AND", "OR", "NOT")]
        words = [w for w in words if w.strip("_")]
        return words[:20], [[w.lower() for w in p][:10] for p in phrases[:5]]

    def clean_text(self) -> str:
        """The text as words and quoted phrases only (safe for any parser)."""
        words, phrases = self.terms()
        return " ".join(words + [f'"{" ".join(p)}"' for p in phrases])


@dataclass
class Hit:
    id: str
    type: str
    title: str
    snippet: Markup
    url: str
    score: float  # relevance
    date: datetime | None = None
    author: str = ""
    author_name: str = ""
    scope: str = ""
    scope_label: str = ""
    language: str = ""

    @property
    def content_id(self) -> int | None:
        name, _, raw = self.id.partition(":")
        return int(raw) if name == "content" else None


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    suggestion: str | None = None  # "did you mean"
    exact: bool = True  # False: ``total`` is an upper estimate (large result sets)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def marked_to_html(text: str) -> Markup:
    """Escape everything, then turn the backend's highlight marks into <mark>."""
    escaped = html.escape(text, quote=False)
    # Unbalanced marks (cut fragments) must not leave an open element.
    out, depth = [], 0
    for part in re.split(f"([{MARK_START}{MARK_END}])", escaped):
        if part == MARK_START:
            if depth == 0:
                out.append("<mark>")
            depth += 1
        elif part == MARK_END:
            if depth == 1:
                out.append("</mark>")
            depth = max(0, depth - 1)
        else:
            out.append(part)
    if depth:
        out.append("</mark>")
    return Markup("".join(out))


def plain_snippet(text: str, length: int = 200) -> Markup:
    text = text.strip()
    if len(text) > length:
        text = text[:length].rsplit(" ", 1)[0] + "…"
    return Markup(html.escape(text, quote=False))


class Backend(Protocol):
    name: str

    def lock(self, blocking: bool = True) -> AbstractContextManager[bool]:
        """Exclusive right to write the index, across processes (and hosts for PostgreSQL)."""

    def apply(self, upserts: Iterable[SearchDoc], deletes: Iterable[str]) -> None: ...

    def clear(self) -> None: ...

    def bulk_load(self, docs: Iterator[SearchDoc]) -> Iterator[int]:
        """Replace the whole index with ``docs``; yields after each document (progress)."""

    def bulk_load_parts(self, parts: Sequence[Callable[[], Iterator[SearchDoc]]]) -> Iterator[int]:
        """:meth:`bulk_load` of the parts' documents in order (a backend may build the
        parts side by side); yields the count of documents written so far."""

    def count(self) -> int: ...

    def available(self) -> bool:
        """Whether the index can answer (False: never built, so callers use a fallback)."""

    def search(self, query: SearchQuery) -> SearchResults: ...

    def suggest(self, text: str, limit: int = 5) -> list[Hit]:
        """Titles for the header box as someone types (the last word is a prefix)."""

    def similar(self, title: str, types: list[str], limit: int = 5, exclude: str = "") -> list[Hit]: ...

    def close(self) -> None: ...


def get_backend(app: Flask | None = None) -> Backend:
    """The application's backend (one per application and process)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    backend = app.extensions.get("community.search")
    if backend is None:
        if app.config["SEARCH_BACKEND"] == "postgres":
            from .postgres_backend import PostgresBackend

            backend = PostgresBackend(app)
        else:
            from .whoosh_backend import WhooshBackend

            backend = WhooshBackend(app)
        app.extensions["community.search"] = backend
    return backend


def did_you_mean(words: list[str], known, candidates) -> str | None:  # noqa: ANN001
    """Shared correction logic: replace each unknown word by its closest known word.

    ``known(word) -> bool``; ``candidates(word) -> [(word, frequency)]``.
    """
    changed, out = False, []
    for word in words:
        if len(word) < 3 or word.isdigit() or known(word):
            out.append(word)
            continue
        best = None
        for cand, freq in candidates(word):
            dist = edit_distance(word, cand)
            if dist <= 2 and (best is None or (dist, -freq) < best[0]):
                best = ((dist, -freq), cand)
        if best is None:
            out.append(word)
        else:
            out.append(best[1])
            changed = True
    return " ".join(out) if changed else None


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
