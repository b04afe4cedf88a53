"""The same behaviour on both backends (Whoosh and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from community.content import services
from community.search import indexer
from community.search.backend import SearchQuery, get_backend
from models import SearchOutbox, db


def find(text: str, **kwargs) -> list[str]:
    results = get_backend().search(SearchQuery(text, **kwargs))
    return [hit.id for hit in results.hits]


def test_french_plurals_accents_and_english_stemming(app, note):
    velo = note("Mon vélo a un écran cassé", "fr")
    battery = note("The battery of this headlamp lasts a weekend", "en")
    assert find("vélos") == [f"content:{velo.id}"]
    assert find("ecran") == [f"content:{velo.id}"]
    assert find("ÉCRANS") == [f"content:{velo.id}"]
    assert find("batteries") == [f"content:{battery.id}"]
    assert find("headlamps lasting") == [f"content:{battery.id}"]
    assert find("tent") == []


BROKEN = [
    'AND OR ( "',
    '"',
    "(((",
    "NOT",
    "*",
    "title:x",
    "a:b:c ~2 ^3",
    "ü" * 600,
    "",
    "   ",
    "'",
    "\\",
    "-",
    "le la les",
    "tent:*",
    "tent & | !",
    "<b>tent</b>",
    '"tent',
    "tent)",
    "_",
    "\x00tent",
]


def test_any_text_is_results_or_empty_never_an_error(app, note):
    note("A tent and a stove", "en")
    backend = get_backend()
    for text in BROKEN:
        results = backend.search(SearchQuery(text))
        assert isinstance(results.hits, list), text
        assert isinstance(backend.suggest(text), list)
        assert isinstance(backend.similar(text, []), list)
    assert len(backend.search(SearchQuery('AND OR ( " tent')).hits) == 1


def test_phrase_and_boolean_words_are_plain(app, note):
    a = note("The zipper of the tent broke", "en")
    note("The tent is fine but the zipper broke", "en")
    assert find('"zipper of the tent"') == [f"content:{a.id}"]
    assert len(find("AND zipper OR tent")) == 2


def test_snippets_highlight_and_escape(app, note):
    note("My <script>alert(1)</script> stove & its **burner** are great", "en")
    hit = get_backend().search(SearchQuery("burner")).hits[0]
    assert "<mark>burner</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "&lt;/script&gt;" in hit.snippet and "&amp;" in hit.snippet


def test_filters_sort_and_pages(app, note, users):
    old = note("Stove review: old model", "en", author=users["staff"])
    old.created_at = datetime.now(UTC) - timedelta(days=30)
    db.session.add(SearchOutbox(doc_id=f"content:{old.id}"))
    db.session.commit()
    indexer.drain()
    new = [note(f"Stove review number {i}", "en") for i in range(12)]
    french = note("Réchaud: stove en français", "fr")
    assert find("stove", author="staff") == [f"content:{old.id}"]
    assert f"content:{french.id}" in find("stove", language="fr", per_page=50)
    assert find("stove", language="fr") == [f"content:{french.id}"]
    recent = find("stove", date_from=datetime.now(UTC) - timedelta(days=1), per_page=50)
    assert f"content:{old.id}" not in recent and len(recent) == 13
    assert find("stove", date_to=datetime.now(UTC) - timedelta(days=10)) == [f"content:{old.id}"]
    assert find("stove", types=["nothing"]) == []
    assert len(find("stove", types=["test_note"], per_page=50)) == 14
    assert find("stove", scope="category:1", per_page=1, sort="date") == [f"content:{french.id}"]
    by_date = find("stove", sort="date", per_page=50)
    assert by_date[-1] == f"content:{old.id}" and by_date[0] == f"content:{french.id}"
    page1 = get_backend().search(SearchQuery("stove", per_page=5))
    page3 = get_backend().search(SearchQuery("stove", per_page=5, page=3))
    assert (page1.total, page1.pages, len(page1.hits), len(page3.hits)) == (14, 3, 5, 4)
    assert get_backend().search(SearchQuery("stove", page=99)).hits == []
    assert new  # used


def test_did_you_mean(app, note):
    note("The battery lasts long", "en")
    note("La batterie tient longtemps", "fr")
    results = get_backend().search(SearchQuery("batery"))
    assert results.suggestion in ("battery", "batterie")
    assert get_backend().search(SearchQuery(results.suggestion)).total >= 1
    assert get_backend().search(SearchQuery("battery")).suggestion is None


def test_only_published_items_are_indexed_and_changes_reach_the_index(app, note, users):
    item = note("Sleeping bag zipper", "en")
    note("Sleeping bag pending", "en", state="pending")
    assert find("sleeping") == [f"content:{item.id}"]
    services.edit(item, users["member"], "Backpack straps")
    db.session.commit()
    indexer.drain()
    assert find("sleeping") == [] and find("backpack") == [f"content:{item.id}"]
    services.set_state(item, users["moderator"], "hidden", "spam")
    db.session.commit()
    indexer.drain()
    assert find("backpack") == []
    services.set_state(item, users["moderator"], "published")
    db.session.commit()
    indexer.drain()
    assert find("backpack") == [f"content:{item.id}"]
    services.delete_by_author(item, users["member"])
    db.session.commit()
    indexer.drain()
    assert find("backpack") == []
    assert db.session.query(SearchOutbox).count() == 0


def test_suggestions_and_similar(app, note):
    tent = note("Tente trois places imperméable", "fr")
    lamp = note("Headlamp battery life", "en")
    assert [h.id for h in get_backend().suggest("tent")] == [f"content:{tent.id}"]
    assert [h.id for h in get_backend().suggest("headl")] == [f"content:{lamp.id}"]
    assert get_backend().suggest("") == []
    similar = get_backend().similar("My headlamp dies fast", ["test_note"])
    assert [h.id for h in similar] == [f"content:{lamp.id}"]
    assert get_backend().similar("headlamp", ["test_note"], exclude=f"content:{lamp.id}") == []
    assert get_backend().similar("headlamp", ["reply"]) == []
