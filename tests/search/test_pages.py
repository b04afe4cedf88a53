"""The search page, the header suggestions, similar content, the API and the CLI."""

from __future__ import annotations

from community.content import services
from community.search import indexer
from community.search.backend import SearchQuery, get_backend
from community.search.documents import content_document
from models import SearchOutbox, db
from tests.content_kinds import Note


def test_page_filters_snippets_and_did_you_mean(app, client, note, users):
    note("Ma tente **imperméable** résiste au vent", "fr")
    note("Headlamp <b>bright</b> battery", "en", author=users["staff"])
    page = client.get("/search?q=tentes").get_data(as_text=True)
    assert "1 result" in page and "<mark>tente</mark>" in page
    page = client.get("/search?q=batery").get_data(as_text=True)
    assert "Did you mean" in page and "q=battery" in page
    page = client.get("/search?q=battery").get_data(as_text=True)
    assert "<mark>battery</mark>" in page and "&lt;b&gt;bright&lt;/b&gt;" in page and "<b>bright" not in page
    assert "0 results" in client.get("/search?q=battery&author=member").get_data(as_text=True)
    assert "1 result" in client.get("/search?q=battery&author=staff&type=test_note&lang=en").get_data(
        as_text=True
    )
    assert "0 results" in client.get("/search?q=battery&type=test_note&lang=fr").get_data(as_text=True)
    for junk in (
        "/search?q=AND+OR+(+%22",
        "/search?q=x&page=abc&from=2020-13-45&sort=evil&type=<x>",
        "/search?q=",
    ):
        assert client.get(junk).status_code == 200


def test_stale_index_never_shows_hidden_items(app, client, note, users, login):
    item = note("Stove burner clogged", "en")
    stale = content_document(item)
    services.set_state(item, users["moderator"], "hidden", "spam")
    db.session.commit()
    indexer.drain()
    get_backend().apply([stale], [])  # as if the indexer had not run yet
    assert "0 results" in client.get("/search?q=stove").get_data(as_text=True)
    login("moderator")
    assert "0 results" in client.get("/search?q=stove").get_data(as_text=True)
    assert client.get("/api/v1/search?q=stove").get_json() == {"results": [], "total": 0, "suggestion": None}


def test_changes_in_a_request_are_indexed_after_it(app, client, users):
    """Inline jobs: the outbox is drained once, after the request that committed."""
    calls = []
    original = indexer.drain

    @app.post("/_test/notes")
    def _create():
        from flask import request

        for text in request.form.getlist("text"):
            services.publish(Note(), users["member"], text, "en")
            db.session.commit()
        return "ok"

    indexer_drain = lambda *a, **k: calls.append(1) or original(*a, **k)  # noqa: E731
    import community.search.indexer as module

    module.drain = indexer_drain
    try:
        assert client.post("/_test/notes", data={"text": ["Gaiter one", "Gaiter two"]}).status_code == 200
    finally:
        module.drain = original
    assert calls == [1]
    assert db.session.query(SearchOutbox).count() == 0
    assert client.get("/api/v1/search?q=gaiter").get_json()["total"] == 2


def test_query_count_is_fixed(app, client, note, count_queries):
    for i in range(3):
        note(f"Sleeping bag {i}", "en")
    with count_queries() as small:
        client.get("/search?q=sleeping")
    for i in range(15):
        note(f"Sleeping bag more {i}", "en")
    with count_queries() as large:
        client.get("/search?q=sleeping")
    assert small.count == large.count
    # PostgreSQL's search also sets a planner option for its transaction (SET LOCAL
    # enable_seqscan): a statement, not a query; at most 3 queries either way.
    assert len([s for s in large.statements if not s.startswith("SET LOCAL")]) <= 3


def test_suggestions_and_similar_fragments(app, client, note):
    note("Tente quatre saisons", "fr")
    body = client.get("/search/suggest?q=tent").get_data(as_text=True)
    assert "/notes/" in body and "q=tent" in body
    assert client.get("/search/suggest?q=").get_data(as_text=True).strip() == ""
    body = client.get("/search/similar?title=Quelle+tente+choisir&type=test_note").get_data(as_text=True)
    assert "Tente quatre saisons" not in body or "/notes/" in body
    assert "/notes/" in body
    assert "/notes/" not in client.get("/search/similar?title=tente&type=reply").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert 'role="search"' in home and "/search/suggest" in home


def test_api_search_and_openapi(app, client, note):
    item = note("Waterproof jacket seams", "en")
    data = client.get("/api/v1/search?q=jackets&type=test_note&page=1").get_json()
    assert data["total"] == 1
    assert data["results"][0] == {
        "type": "test_note", "id": item.id, "title": "", "url": f"/notes/{item.id}",
        "snippet": "Waterproof <mark>jacket</mark> seams", "score": data["results"][0]["score"],
    }  # fmt: skip
    assert client.get("/api/v1/search?q=jacket&page=0").status_code == 422
    assert client.get('/api/v1/search?q=AND+OR+(+"').status_code == 200
    similar = client.get("/api/v1/search/similar?title=jacket+seams+leak&type=test_note").get_json()
    assert [r["id"] for r in similar["results"]] == [item.id]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/search" in spec["paths"] and "/api/v1/search/similar" in spec["paths"]


def test_cli_rebuild_status_worker(app, runner, users):
    app.config["SEARCH_DRAIN_AFTER_COMMIT"] = False
    app.config["SEARCH_REBUILD_PROCESSES"] = 2  # Whoosh: the older part in a second process
    for i in range(5):
        services.publish(Note(), users["member"], f"Boot laces {i}", "en")
    services.set_state(services.publish(Note(), users["member"], "Boot hidden", "en"), None, "hidden", "x")
    db.session.commit()
    status = runner.invoke(args=["search", "status"]).output
    assert "documents: 0" in status and "outbox backlog: 7" in status
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexed 5 documents" in result.output
    assert runner.invoke(args=["search", "worker", "--once"]).exit_code == 0
    status = runner.invoke(args=["search", "status"]).output
    assert "documents: 5" in status and "outbox backlog: 0" in status


def test_a_failing_indexer_never_undoes_a_commit(app, users, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(get_backend(), "apply", broken)
    item = services.publish(Note(), users["member"], "Trekking poles", "en")
    db.session.commit()
    assert db.session.get(Note, item.id).state == "published"
    assert db.session.query(SearchOutbox).count() == 1  # kept for the next drain
    monkeypatch.undo()
    indexer.drain()
    assert get_backend().search(SearchQuery("poles")).total == 1


def test_cli_rebuild_builds_page_urls_outside_a_request(app, runner, users):
    """Real kinds link their documents with url_for: `flask search rebuild` needs a URL
    context like the worker (it failed with "Unable to build URLs outside an active
    request" on the first idea; found following the README's production section)."""
    from community.ideas import services as ideas

    app.config["SEARCH_DRAIN_AFTER_COMMIT"] = False
    idea = ideas.create_idea(users["member"], "Reflective strips on the rain jacket", "For night walks.")
    db.session.commit()
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 documents" in result.output
    hits = get_backend().search(SearchQuery(text="reflective")).hits
    assert [(h.id, h.url) for h in hits] == [(f"content:{idea.id}", f"/ideas/{idea.id}")]
