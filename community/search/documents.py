"""Search documents and where they come from.

**Content kinds.** A kind may describe its document with a builder in its
registration's extras::

    register(ContentKind(..., extras={"search": review_document}))

    def review_document(item: Review) -> SearchDoc | None:
        return SearchDoc(title=item.title, text=html_to_text(item.body_html),
                         scope=f"product:{item.product_id}", scope_label=product.name,
                         score=item.rating)

The builder is called with a loaded item whose state is ``published`` (others are
never indexed). It must not rely on lazy relationships (they are ``lazy="raise"``):
load what it needs with ``db.session.get(...)``. It may leave ``id``, ``type``,
``url``, ``author``, ``language`` and ``date`` empty: they are filled from the item
and its kind. Returning ``None`` keeps the item out of the index. A kind without a
builder is indexed with :func:`fallback_document` (its ``title_text`` and the text
of its body).

**Other sources** (products are not content items)::

    register_source("product", load_all=all_product_docs, load_one=product_doc)

``load_one(id) -> SearchDoc | None`` (None removes the document), ``load_all()``
yields every document for a rebuild. Tell the index about a change with
``community.search.outbox.queue_reindex("product", product.id)`` inside the
transaction that changes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectin_polymorphic

from models import ContentItem, ContentState, User, db

from ..content.registry import all_kinds, kind_of
from ..markup import html_to_text

CONTENT = "content"
# Characters the backends use as highlight marks; never stored in a document.
MARK_START = "\ue000"
MARK_END = "\ue001"
_RESERVED = {MARK_START, MARK_END, "\ue002", "\ue003", "\x00"}
_DROP_RESERVED = dict.fromkeys(map(ord, _RESERVED))


@dataclass
class SearchDoc:
    title: str = ""
    text: str = ""
    author: str = ""  # the author's username (filterable)
    author_name: str = ""  # shown
    scope: str = ""  # "category:3", "product:12": filterable
    scope_label: str = ""  # shown: the category or product name
    language: str = ""  # "en" or "fr"; the item's language when empty
    date: datetime | None = None
    score: float = 0.0  # the item's own score (votes, rating): shown, never relevance
    # Filled from the item and its kind when a builder leaves them empty.
    id: str = ""  # "content:12"
    type: str = ""  # "review", "reply", "product"
    url: str = ""

    def cleaned(self) -> SearchDoc:
        def clean(value: str) -> str:
            return (value or "").translate(_DROP_RESERVED)

        return replace(
            self,
            title=clean(self.title)[:300],
            text=clean(self.text),
            language=self.language if self.language in ("en", "fr") else "en",
            date=self.date or datetime.now(UTC),
        )


Builder = Callable[[ContentItem], SearchDoc | None]


@dataclass(frozen=True)
class Source:
    name: str
    load_all: Callable[[], Iterable[SearchDoc]]
    load_one: Callable[[int], SearchDoc | None]
    # Optional: how many documents load_all yields (for the rebuild's progress bar).
    count: Callable[[], int] | None = None
    label: Any = None  # shown in the type filter, e.g. _l("Product")


_SOURCES: dict[str, Source] = {}


def register_source(
    name: str,
    load_all: Callable[[], Iterable[SearchDoc]],
    load_one: Callable[[int], SearchDoc | None],
    count: Callable[[], int] | None = None,
    label: Any = None,
) -> Source:
    """Index documents that are not content items (products): ids are ``"<name>:<id>"``."""
    if name == CONTENT:
        raise ValueError("'content' is the content items' source")
    source = Source(name, load_all, load_one, count, label or name.title())
    _SOURCES[name] = source
    return source


def sources() -> list[Source]:
    return list(_SOURCES.values())


def source_of(doc_id: str) -> tuple[str, int]:
    name, _, raw = doc_id.partition(":")
    return name, int(raw)


def fallback_document(item: ContentItem) -> SearchDoc:
    return SearchDoc(title=item.title_text or "", text=html_to_text(item.body_html or ""))


def content_document(item: ContentItem, authors: dict[int, User] | None = None) -> SearchDoc | None:
    """The document of a content item, or None when it must not be in the index."""
    if item.state != ContentState.PUBLISHED.value:
        return None
    try:
        kind = kind_of(item)
    except KeyError:
        return None
    builder: Builder = kind.extras.get("search") or fallback_document
    doc = builder(item)
    if doc is None:
        return None
    if not doc.scope and kind.context is not None:
        try:
            context = kind.context(item)
        except Exception:  # a context needing unloaded relationships: no scope
            context = None
        if context is not None:
            doc.scope = f"{context.scope[0]}:{context.scope[1]}" if context.scope else ""
            doc.scope_label = doc.scope_label or str(context.label)
    author = None
    if item.author_id is not None:
        author = (authors or {}).get(item.author_id) or db.session.get(User, item.author_id)
    doc.id = f"{CONTENT}:{item.id}"
    doc.type = doc.type or kind.name
    doc.url = doc.url or kind.url(item)
    if author is not None:
        doc.author = doc.author or author.username
        doc.author_name = doc.author_name or author.name
    doc.language = doc.language or item.language
    doc.date = doc.date or item.created_at
    return doc.cleaned()


def _polymorphic():
    models = [kind.model for kind in all_kinds() if kind.model is not ContentItem]
    return selectin_polymorphic(ContentItem, models) if models else None


# Functions given a batch of loaded items, which load what the builders will ask the
# session for (parents, categories, products) in a few queries, so that a rebuild's
# ``session.get`` calls find them in the identity map instead of querying once per item.
PREFETCHERS: list[Callable[[list[ContentItem]], Any]] = []


def load_content(ids: list[int]) -> dict[int, SearchDoc | None]:
    """Documents of these content items (None for those to remove), in few queries."""
    stmt = select(ContentItem).where(ContentItem.id.in_(ids))
    option = _polymorphic()
    if option is not None:
        stmt = stmt.options(option)
    items = list(db.session.scalars(stmt))
    held = [prefetch(items) for prefetch in PREFETCHERS]  # noqa: F841 - the identity map holds weak references
    author_ids = {item.author_id for item in items if item.author_id}
    authors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(author_ids)))}
    found = {item.id: content_document(item, authors) for item in items}
    return {i: found.get(i) for i in ids}


def _published_newest_first() -> list[int]:
    stmt = (
        select(ContentItem.id)
        .where(ContentItem.state == ContentState.PUBLISHED.value)
        .order_by(ContentItem.created_at.desc(), ContentItem.id.desc())
    )
    return list(db.session.scalars(stmt))


def _content_documents(ids: list[int], batch: int = 500) -> Iterator[SearchDoc]:
    for start in range(0, len(ids), batch):
        for doc in load_content(ids[start : start + batch]).values():
            if doc is not None:
                yield doc
        db.session.expunge_all()


def all_content(batch: int = 500) -> Iterator[SearchDoc]:
    """Every published item's document, newest first by creation date (for a rebuild:
    the Whoosh backend answers date-sorted queries from that order, and caps the
    matches it ranks keeping the first, newest, it meets)."""
    yield from _content_documents(_published_newest_first(), batch)


def count_all() -> int:
    from sqlalchemy import func

    total = db.session.scalar(
        select(func.count()).select_from(ContentItem).where(ContentItem.state == ContentState.PUBLISHED.value)
    )
    for source in sources():
        if source.count is not None:
            total += source.count()
    return int(total or 0)


def all_documents() -> Iterator[SearchDoc]:
    yield from all_content()
    yield from _source_documents()


def _source_documents() -> Iterator[SearchDoc]:
    for source in sources():
        for doc in source.load_all():
            yield _finish_source_doc(source.name, doc)


def document_parts(count: int) -> list[Callable[[], Iterator[SearchDoc]]]:
    """:func:`all_documents` cut into ``count`` parts of consecutive published items,
    newest first (the other sources' documents end the first part), for a rebuild that
    builds the parts side by side (:meth:`WhooshBackend.bulk_load_parts`). Each part
    loads its own rows when called, so that it can run in another process."""
    ids = _published_newest_first()
    size = -(-len(ids) // max(count, 1)) or 1
    chunks = [ids[start : start + size] for start in range(0, len(ids), size)] or [[]]

    def first() -> Iterator[SearchDoc]:
        yield from _content_documents(chunks[0])
        yield from _source_documents()

    return [first, *(partial(_content_documents, chunk) for chunk in chunks[1:])]


def _finish_source_doc(name: str, doc: SearchDoc) -> SearchDoc:
    if not doc.id:
        raise ValueError(f"documents of source {name!r} need an id")
    if not doc.id.startswith(f"{name}:"):
        doc.id = f"{name}:{doc.id}"
    doc.type = doc.type or name
    return doc.cleaned()


def load_documents(doc_ids: list[str]) -> dict[str, SearchDoc | None]:
    """Current documents for these ids (None: remove from the index)."""
    result: dict[str, SearchDoc | None] = {}
    content_ids = []
    for doc_id in doc_ids:
        name, ident = source_of(doc_id)
        if name == CONTENT:
            content_ids.append(ident)
        elif name in _SOURCES:
            doc = _SOURCES[name].load_one(ident)
            if doc is not None:
                doc.id = doc_id
                doc = _finish_source_doc(name, doc)
            result[doc_id] = doc
        else:
            result[doc_id] = None
    if content_ids:
        for ident, doc in load_content(content_ids).items():
            result[f"{CONTENT}:{ident}"] = doc
    return result
