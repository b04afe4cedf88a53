"""The match cap and the time budget count only matches that the filters keep: a small
filtered result set stays complete whatever the number of unfiltered matches."""

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


def test_match_cap_keeps_a_filtered_small_result_set(app, note):
    french = note("Carabiner carabiner", "fr")
    for i in range(5):
        note(f"Carabiner number {i}", "en")
    _rebuild()
    backend = get_backend()
    assert [h.id for h in backend.search(SearchQuery("carabiner", language="fr")).hits] == [
        f"content:{french.id}"
    ]
    backend.max_matches = 3
    capped = backend.search(SearchQuery("carabiner", language="fr"))
    assert [h.id for h in capped.hits] == [f"content:{french.id}"], (capped.total, capped.exact)


def test_time_budget_keeps_a_filtered_small_result_set(app, note):
    french = note("Carabiner carabiner", "fr")
    for i in range(21):
        note(f"Carabiner number {i}", "en")
    _rebuild()
    backend = get_backend()
    backend.max_matches = 0
    backend.time_budget = 1e-9  # a loaded machine: the budget is spent before the first match
    got = backend.search(SearchQuery("carabiner", language="fr"))
    assert [h.id for h in got.hits] == [f"content:{french.id}"], (got.total, got.exact)
