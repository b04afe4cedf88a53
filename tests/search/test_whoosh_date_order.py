"""The Whoosh backend's date order: a rebuild writes its documents newest first (the
few out of order in a second segment), a date sort takes a date-ordered segment's
newest matches from its start, and the order stays right after incremental updates
(new segments, edits, deletions). Dates are indexed to the hour."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from community.search import whoosh_backend
from community.search.backend import SearchQuery, get_backend
from community.search.documents import SearchDoc


@pytest.fixture
def backend_name() -> str:
    return "whoosh"


BASE = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def _doc(n: int, date: datetime, word: str = "lantern") -> SearchDoc:
    return SearchDoc(id=f"content:{n}", type="note", title=f"Note {n}", text=f"A {word} report number {n}.",
                     language="en", date=date, url=f"/n/{n}").cleaned()  # fmt: skip


def _load(docs: list[SearchDoc]) -> None:
    backend = get_backend()
    with backend.lock():
        for _ in backend.bulk_load(iter(docs)):
            pass


def _by_date(text: str = "lantern", per_page: int = 50, page: int = 1):  # noqa: ANN202
    return get_backend().search(SearchQuery(text, sort="date", per_page=per_page, page=page))


def _segments() -> list[bool]:
    """For each segment, oldest first: whether the backend finds it in date order."""
    backend = get_backend()
    with backend._reading() as searcher:
        return [backend._in_date_order(sub.reader()) for sub, _ in searcher.leaf_searchers()]


def _newest_first(docs: dict[str, datetime]) -> list[str]:
    return [doc_id for doc_id, _ in sorted(docs.items(), key=lambda kv: kv[1], reverse=True)]


def test_a_rebuild_keeps_date_order_and_date_sorts_stay_right_after_updates(app):
    dates = {f"content:{n}": BASE - timedelta(hours=3 * n) for n in range(1, 31)}
    docs = [_doc(n, dates[f"content:{n}"]) for n in range(1, 31)]
    # Two documents dated after those before them (a product, a scheduled article).
    dates["content:40"], dates["content:41"] = (
        BASE + timedelta(days=-1, minutes=7),
        BASE + timedelta(minutes=5),
    )
    docs[10:10] = [_doc(40, dates["content:40"])]
    docs[20:20] = [_doc(41, dates["content:41"])]
    _load(docs)
    assert _segments() == [True, True]  # the main segment, then the two held back (newest first)

    expected = _newest_first(dates)
    first = _by_date(per_page=5)
    assert [h.id for h in first.hits] == expected[:5]
    assert not first.exact and first.total >= len(dates)  # the rest of the segment was not read
    assert [h.id for h in _by_date(per_page=5, page=3).hits] == expected[10:15]
    assert [h.id for h in _by_date().hits] == expected  # a page holding every match
    relevance = get_backend().search(SearchQuery("lantern", per_page=50))
    assert sorted(h.id for h in relevance.hits) == sorted(expected) and relevance.exact

    # Incremental updates: new documents (newest, and between old ones), an edit (the
    # document moves to a new segment, dated as before), a deletion.
    backend = get_backend()
    added = []
    for n, hours in zip(range(50, 58), (-40, 2, -7, 1, -61, 3, -22, -1), strict=True):  # not in date order
        dates[f"content:{n}"] = BASE + timedelta(hours=hours, minutes=10)
        added.append(_doc(n, dates[f"content:{n}"]))
    edited = _doc(12, dates["content:12"], word="lantern glass")
    backend.apply([*added, edited], ["content:3"])
    del dates["content:3"]
    assert _segments() == [True, True, False]

    expected = _newest_first(dates)
    for per_page in (3, 7, 50):
        pages = [_by_date(per_page=per_page, page=p).hits for p in range(1, 4)]
        assert [h.id for hits in pages for h in hits] == expected[: 3 * per_page]
    assert [h.id for h in _by_date("glass").hits] == ["content:12"]


def test_a_rebuild_in_parts_builds_them_side_by_side_into_one_date_ordered_index(app):
    """Each part after the first is written by a forked process; the segments come
    together oldest part first, then the held-back documents."""
    dates = {f"content:{n}": BASE - timedelta(hours=2 * n) for n in range(1, 46)}
    docs = [_doc(n, dates[f"content:{n}"]) for n in range(1, 46)]
    dates["content:90"] = BASE + timedelta(days=3)  # dated ahead of its part (a product)
    dates["content:91"] = BASE - timedelta(hours=59)  # in the second part, after its first
    docs[3:3] = [_doc(90, dates["content:90"])]
    docs.insert(35, _doc(91, dates["content:91"]))
    parts = [docs[:16], docs[16:32], docs[32:]]
    backend = get_backend()
    parent = os.getpid()
    seen: list[int] = []
    with backend.lock():
        counts = list(backend.bulk_load_parts([partial(_written_by, part, parent, seen) for part in parts]))
    assert counts[-1] == len(docs) == backend.count()
    assert seen == [parent] * 16  # the first part in this process, the others elsewhere
    assert _segments() == [True, True, True, True, True]  # three parts, two held back
    expected = _newest_first(dates)
    for per_page in (4, 50):
        pages = [_by_date(per_page=per_page, page=p).hits for p in range(1, 3)]
        assert [h.id for hits in pages for h in hits] == expected[: 2 * per_page]
    relevance = backend.search(SearchQuery("lantern", per_page=50))
    assert sorted(h.id for h in relevance.hits) == sorted(dates) and relevance.exact
    assert [h.id for h in backend.search(SearchQuery("number 44")).hits][:1] == ["content:44"]
    assert not backend.dir.with_name(backend.dir.name + ".new").exists()


def _written_by(docs: list[SearchDoc], parent: int, seen: list[int]):  # noqa: ANN202
    for doc in docs:
        if os.getpid() == parent:
            seen.append(parent)
        yield doc


def test_a_failing_part_leaves_the_live_index_as_it_was(app):
    _load([_doc(1, BASE), _doc(2, BASE - timedelta(hours=1))])
    backend = get_backend()

    def broken():  # noqa: ANN202
        yield _doc(3, BASE - timedelta(hours=2))
        raise OSError("database gone")

    with backend.lock(), pytest.raises(RuntimeError, match="exit codes"):
        for _ in backend.bulk_load_parts([lambda: iter([_doc(4, BASE)]), broken]):
            pass
    assert backend.count() == 2
    assert sorted(h.id for h in backend.search(SearchQuery("lantern")).hits) == ["content:1", "content:2"]
    assert not backend.dir.with_name(backend.dir.name + ".new").exists()


def test_without_a_date_ordered_segment_date_sorts_sort_every_match(app, monkeypatch):
    monkeypatch.setattr(whoosh_backend, "LATE_MAX", 0)  # nothing held back: one unordered segment
    dates = {f"content:{n}": BASE - timedelta(hours=(7 * n) % 30) for n in range(1, 21)}
    _load([_doc(n, dates[f"content:{n}"]) for n in range(1, 21)])
    assert _segments() == [False]
    expected = _newest_first(dates)
    result = _by_date(per_page=4)
    assert [h.id for h in result.hits] == expected[:4]
    assert (result.total, result.exact) == (20, True)
    assert [h.id for h in _by_date(per_page=4, page=5).hits] == expected[16:]


def test_dates_indexed_to_the_hour_keep_day_filters_and_scheduled_documents_exact(app):
    day = datetime(2026, 3, 10, tzinfo=UTC)
    now = datetime.now(UTC)
    docs = {
        "content:1": day + timedelta(minutes=30),  # 00:30
        "content:2": day + timedelta(hours=23, minutes=59),
        "content:3": day - timedelta(minutes=1),  # the day before, 23:59
        "content:4": day + timedelta(days=1),  # the next day, 00:00
        "content:5": now - timedelta(minutes=2),  # likely in the current hour: shown
        "content:6": now + timedelta(minutes=2),  # scheduled: hidden until its time
    }
    _load(
        [_doc(int(i.split(":")[1]), d) for i, d in sorted(docs.items(), key=lambda kv: kv[1], reverse=True)]
    )

    def found(**filters) -> set[str]:  # noqa: ANN003
        return {h.id for h in get_backend().search(SearchQuery("lantern", per_page=50, **filters)).hits}

    end = day + timedelta(days=1) - timedelta(microseconds=1)  # as the search form's "to"
    assert found(date_from=day, date_to=end) == {"content:1", "content:2"}
    assert found(date_to=day - timedelta(microseconds=1)) == {"content:3"}
    assert found(date_from=day + timedelta(days=1)) == {"content:4", "content:5"}
    assert "content:6" not in found() and "content:6" not in {h.id for h in _by_date().hits}


def test_spelling_words_skip_numbers_and_short_words():
    assert whoosh_backend._spelling_words("Le 2e sac, 45 L: le SAC tient") == "sac tient"


def test_an_index_written_with_the_previous_schema_still_merges(app):
    """Upgrading without a rebuild: segments whose item_score was indexed and whose dates
    were exact merge with new ones and stay searchable and filterable."""
    from whoosh import index
    from whoosh.fields import DATETIME, NUMERIC

    backend = get_backend()
    previous = whoosh_backend.make_schema()
    previous.remove("item_score")
    previous.add("item_score", NUMERIC(float, stored=True))
    previous.remove("date")
    previous.add("date", DATETIME(stored=True, sortable=True))
    backend.dir.mkdir(parents=True, exist_ok=True)
    writer = index.create_in(str(backend.dir), previous).writer()
    for n in range(1, 4):
        writer.add_document(**backend._fields(_doc(n, BASE - timedelta(days=n))))
    writer.commit()

    backend.apply([_doc(10, BASE), _doc(11, BASE + timedelta(minutes=30))], ["content:2"])
    with backend.lock():
        writer = backend._open().writer()
        writer.commit(optimize=True)  # merges every segment into one
    assert [h.id for h in _by_date().hits] == ["content:11", "content:10", "content:1", "content:3"]
    day = (BASE - timedelta(days=1)).replace(hour=0)
    assert {
        h.id
        for h in get_backend()
        .search(SearchQuery("lantern", date_from=day, date_to=day + timedelta(hours=23)))
        .hits
    } == {"content:1"}
