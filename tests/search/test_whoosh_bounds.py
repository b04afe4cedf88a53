"""The Whoosh backend's cost bounds: a query ranks at most SEARCH_MAX_MATCHES
matches, the newest first, and then says its total is an estimate."""

from __future__ import annotations

import pytest

from community.search.backend import SearchQuery, get_backend
from community.search.documents import all_documents


@pytest.fixture
def backend_name() -> str:
    return "whoosh"


def _rebuild() -> None:
    backend = get_backend()
    with backend.lock():
        for _ in backend.bulk_load(all_documents()):
            pass


def test_a_capped_query_ranks_the_newest_matches(app, client, note):
    old = [note(f"Carabiner number {i}", "en") for i in range(5)]
    _rebuild()
    backend = get_backend()
    full = backend.search(SearchQuery("carabiner"))
    assert (full.total, full.exact) == (5, True)

    backend.max_matches = 3
    capped = backend.search(SearchQuery("carabiner"))
    assert {h.id for h in capped.hits} == {f"content:{n.id}" for n in old[2:]}
    assert not capped.exact and capped.total >= 5

    newer = note("Carabiner written after the rebuild", "en")  # a newer segment: met first
    capped = backend.search(SearchQuery("carabiner", sort="date"))
    assert capped.hits[0].id == f"content:{newer.id}" and not capped.exact
    assert "About " in client.get("/search?q=carabiner").get_data(as_text=True)

    backend.max_matches = 0
    page = client.get("/search?q=carabiner").get_data(as_text=True)
    assert "6 results" in page and "About" not in page


def test_the_searcher_is_reused_until_the_index_changes(app, note):
    backend = get_backend()
    note("Gaiters for snow", "en")
    assert backend.search(SearchQuery("gaiters")).total == 1
    with backend._reading() as first:
        pass
    with backend._reading() as again:
        assert again is first
    note("Gaiters for mud", "en")
    with backend._reading() as fresh:
        assert fresh is not first
    assert backend.search(SearchQuery("gaiters")).total == 2
    _rebuild()  # a swapped directory is reopened
    assert backend.search(SearchQuery("gaiters")).total == 2
