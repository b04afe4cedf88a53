"""The idea board: votes (exact under concurrency), statuses, merges, lists, API."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from community import create_app, events
from community.errors import Conflict, InvalidInput, PermissionDenied
from community.ideas import queries, services
from models import Idea, IdeaStatusChange, IdeaVote, db
from tests.conftest import make_config
from tests.factories import UserFactory


def _idea(author, title="Lighter Alpine 2 tent", body="Make it lighter.", **kw) -> Idea:
    idea = services.create_idea(author, title, body, **kw)
    db.session.commit()
    return idea


def _count(idea_id: int) -> tuple[int, int]:
    db.session.expire_all()
    stored = db.session.get(Idea, idea_id).vote_count
    real = db.session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id))
    return stored, real


@pytest.fixture
def captured():
    got: list[tuple[str, dict]] = []

    def listener(name):
        return lambda sender, **payload: got.append((name, payload))

    handlers = [
        (events.idea_status_changed, listener("status")),
        (events.idea_merged, listener("merged")),
        (events.idea_unmerged, listener("unmerged")),
    ]
    for signal, handler in handlers:
        signal.connect(handler)
    yield got
    for signal, handler in handlers:
        signal.disconnect(handler)


# --- votes --------------------------------------------------------------------------------


def test_author_starts_with_their_vote_and_votes_toggle(app, users):
    idea = _idea(users["member"])
    assert _count(idea.id) == (1, 1)
    other = UserFactory()
    db.session.commit()
    services.vote(idea, other)
    db.session.commit()
    assert _count(idea.id) == (2, 2)
    with pytest.raises(Conflict, match="already voted"):
        services.vote(idea, other)
    db.session.rollback()
    assert _count(idea.id) == (2, 2)
    services.unvote(idea, other)
    db.session.commit()
    assert _count(idea.id) == (1, 1)
    with pytest.raises(Conflict, match="not voted"):
        services.unvote(idea, other)
    db.session.rollback()
    assert _count(idea.id) == (1, 1)


def test_votes_are_frozen_on_declined_or_done_ideas(app, users):
    idea = _idea(users["member"])
    services.change_status(idea, users["staff"], "declined", "Not for us.")
    db.session.commit()
    for action in (services.vote, services.unvote):
        with pytest.raises(Conflict, match="closed"):
            action(idea, users["admin"] if action is services.vote else users["member"])
        db.session.rollback()
    assert _count(idea.id) == (1, 1)


def test_unconfirmed_members_cannot_vote(app, users):
    idea = _idea(users["member"])
    newcomer = UserFactory(email_confirmed_at=None)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.vote(idea, newcomer)


@pytest.mark.parametrize("app_config", [{"IDEA_VOTE_BUDGET": 2}])
def test_vote_budget_is_given_back_when_an_idea_is_done(app, users, app_config):
    voter = users["admin"]
    ideas = [_idea(users["member"], title=f"Idea number {i}") for i in range(3)]
    services.vote(ideas[0], voter)
    services.vote(ideas[1], voter)
    db.session.commit()
    with pytest.raises(Conflict, match="used your 2 votes"):
        services.vote(ideas[2], voter)
    db.session.rollback()
    services.change_status(ideas[0], users["staff"], "done", "Shipped.")
    db.session.commit()
    services.vote(ideas[2], voter)
    db.session.commit()
    assert _count(ideas[2].id) == (2, 2)


def test_vote_count_stays_exact_under_concurrent_voting(tmp_path, mail_server):
    """Many threads vote and unvote at once, each with its own app context and
    session, on a real SQLite file database; the stored count equals COUNT(*)."""
    app = create_app(
        make_config(tmp_path, mail_server, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'c.db'}")
    )
    with app.app_context():
        db.create_all()
        voters = [UserFactory() for _ in range(12)]
        author = UserFactory()
        db.session.commit()
        idea = _idea(author)
        idea_id, voter_ids = idea.id, [v.id for v in voters]
        db.session.remove()
    errors: list[BaseException] = []
    outcomes: list[str] = []
    start = threading.Barrier(len(voter_ids) * 2)

    def worker(user_id: int, seed: int) -> None:
        try:
            start.wait()
            with app.app_context():
                for i in range(6):
                    user = db.session.get(type(author), user_id)
                    target = db.session.get(Idea, idea_id)
                    try:
                        if (i + seed) % 2 == 0:
                            services.vote(target, user)
                        else:
                            services.unvote(target, user)
                        db.session.commit()
                        outcomes.append("ok")
                    except Conflict:
                        db.session.rollback()
                        outcomes.append("conflict")
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    # Two threads per voter race on the same (idea, voter) pair.
    threads = [threading.Thread(target=worker, args=(uid, k)) for uid in voter_ids for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert "ok" in outcomes and "conflict" in outcomes
    with app.app_context():
        assert _count(idea_id)[0] == _count(idea_id)[1]
        assert 1 <= _count(idea_id)[1] <= len(voter_ids) + 1
        db.session.remove()
        db.engine.dispose()


# --- statuses -----------------------------------------------------------------------------


def test_staff_change_status_with_a_public_note_in_the_timeline(app, client, users, login, captured):
    idea = _idea(users["member"])
    login("staff")
    response = client.post(
        f"/ideas/{idea.id}/status", data={"status": "planned", "note": "Coming in spring."}
    )
    assert response.status_code == 302
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Coming in spring." in page and "Planned" in page
    change = db.session.scalars(select(IdeaStatusChange)).one()
    assert (change.from_status, change.to_status, change.author_id) == ("new", "planned", users["staff"].id)
    assert captured == [
        ("status", {"idea_id": idea.id, "change_id": change.id, "previous": "new", "status": "planned",
                    "actor_id": users["staff"].id}),
    ]  # fmt: skip
    roadmap = client.get("/ideas/roadmap").get_data(as_text=True)
    assert idea.title in roadmap


def test_members_cannot_change_status_and_unknown_status_is_refused(app, client, users, login):
    idea = _idea(users["member"])
    login("member")
    assert client.post(f"/ideas/{idea.id}/status", data={"status": "done", "note": "x"}).status_code == 403
    with pytest.raises(InvalidInput, match="does not exist"):
        services.change_status(idea, users["staff"], "shipped", "note")
    with pytest.raises(InvalidInput, match="public note"):
        services.change_status(idea, users["staff"], "planned", "  ")
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "new"
    assert db.session.scalar(select(func.count()).select_from(IdeaStatusChange)) == 0


# --- merges -------------------------------------------------------------------------------


def test_merge_moves_votes_without_double_counting_and_undo_is_exact(app, client, users, captured):
    a = _idea(users["member"], title="Lighter tent please")
    b = _idea(users["admin"], title="Ultralight tent version")
    both, only_b = UserFactory(), UserFactory()
    db.session.commit()
    for voter in (both, only_b):
        services.vote(b, voter)
    services.vote(a, both)
    services.add_comment(b, only_b, "Yes, a lighter tent!")
    db.session.commit()
    assert _count(a.id) == (2, 2) and _count(b.id) == (3, 3)  # a: member, both; b: admin, both, only_b

    moved = services.merge(b, a, users["moderator"])
    db.session.commit()
    assert sorted(moved) == sorted([users["admin"].id, only_b.id])
    assert _count(a.id) == (4, 4)  # member, both, admin, only_b: "both" counted once
    assert captured[-1] == ("merged", {"idea_id": b.id, "into_id": a.id, "actor_id": users["moderator"].id,
                                       "voter_ids": moved})  # fmt: skip
    # Lists show A only; /ideas/B leads to A; B's page keeps its notice and comments.
    listed = [i.id for i in queries.list_ideas().ideas]
    assert a.id in listed and b.id not in listed
    response = client.get(f"/ideas/{b.id}")
    assert response.status_code == 302 and response.location.startswith(f"/ideas/{a.id}")
    original = client.get(f"/ideas/{b.id}/original").get_data(as_text=True)
    assert "was merged into another one" in original and "Yes, a lighter tent!" in original
    assert f'href="/ideas/{a.id}"' in original
    with pytest.raises(Conflict, match="merged"):
        services.vote(db.session.get(Idea, b.id), UserFactory())
    db.session.rollback()

    services.unmerge(db.session.get(Idea, b.id), users["staff"])
    db.session.commit()
    assert _count(a.id) == (2, 2) and _count(b.id) == (3, 3)
    voters_b = set(db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == b.id)))
    assert voters_b == {users["admin"].id, both.id, only_b.id}
    assert captured[-1][0] == "unmerged"


def test_merge_chains_undo_exactly(app, users):
    a, b, c = (_idea(users["member"], title=f"Tent idea {n}") for n in "abc")
    v = UserFactory()
    db.session.commit()
    services.vote(b, v)
    db.session.commit()
    services.merge(b, a, users["staff"])
    db.session.commit()
    services.merge(a, c, users["staff"])
    db.session.commit()
    assert _count(c.id) == (2, 2)  # member once (voted all three), v from b
    services.unmerge(db.session.get(Idea, a.id), users["staff"])
    db.session.commit()
    assert _count(a.id) == (2, 2) and _count(c.id) == (1, 1)
    services.unmerge(db.session.get(Idea, b.id), users["staff"])
    db.session.commit()
    assert _count(a.id) == (1, 1) and _count(b.id) == (2, 2)


def test_bad_merges_change_nothing(app, client, users, login):
    a = _idea(users["member"], title="Tent idea one")
    b = _idea(users["member"], title="Tent idea two")
    c = _idea(users["member"], title="Tent idea three")
    with pytest.raises(InvalidInput, match="itself"):
        services.merge(a, a, users["staff"])
    with pytest.raises(PermissionDenied):
        services.merge(b, a, users["member"])
    services.merge(b, a, users["staff"])
    db.session.commit()
    # A loop: a into b, where b is already merged into a.
    with pytest.raises(Conflict, match="merge into that one instead"):
        services.merge(db.session.get(Idea, a.id), db.session.get(Idea, b.id), users["staff"])
    with pytest.raises(Conflict, match="already merged"):
        services.merge(db.session.get(Idea, b.id), c, users["staff"])
    db.session.rollback()
    login("staff")
    response = client.post(f"/ideas/{a.id}/merge", data={"merge-into_id": str(a.id)})
    assert response.status_code == 422 and "cannot be merged into itself" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Idea, a.id).merged_into_id is None
    assert db.session.get(Idea, c.id).merged_into_id is None


# --- pages ---------------------------------------------------------------------------------


def test_post_an_idea_from_the_form_and_similar_titles(app, client, users, login):
    _idea(users["admin"], title="Headlamp with a red light mode")
    login("member")
    fragment = client.get("/ideas/similar?title=red+headlamp").get_data(as_text=True)
    assert "Headlamp with a red light mode" in fragment
    assert "Headlamp" not in client.get("/ideas/similar?title=sleeping+bag").get_data(as_text=True)
    response = client.post("/ideas/new", data={"title": "", "body": ""})
    assert response.status_code == 422
    response = client.post(
        "/ideas/new",
        data={"title": "USB-C on every headlamp", "body": "One cable.", "product_ref": "Lumen 300"},
    )
    assert response.status_code == 302
    idea = db.session.scalars(select(Idea).where(Idea.title == "USB-C on every headlamp")).one()
    assert idea.product_ref == "Lumen 300" and idea.vote_count == 1
    page = client.get(response.location).get_data(as_text=True)
    assert "You voted for this idea." in page
    assert client.post(f"/ideas/{idea.id}/comments", data={"body": "Agreed!"}).status_code == 302
    assert "Agreed!" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_similar_ideas_match_accents_and_rank_by_overlap(app, users):
    _idea(users["admin"], title="Réchaud plus léger")
    _idea(users["admin"], title="Réchaud compatible cartouches à vis")
    found = [i.title for i in queries.similar_ideas("rechaud leger", limit=5)]
    assert found[0] == "Réchaud plus léger"


def test_home_block_nav_and_sitemap(app, client, users):
    idea = _idea(users["member"], title="Kids sizes for jackets")
    page = client.get("/").get_data(as_text=True)
    assert "Top ideas" in page and "Kids sizes for jackets" in page and 'href="/ideas"' in page
    from community.core.registry import sitemap_sources

    assert (f"/ideas/{idea.id}", idea.last_activity_at) in list(sitemap_sources()["ideas"]())


def _seed(n: int, users, offset: int = 0) -> None:
    voters = [UserFactory() for _ in range(3)]
    db.session.flush()
    for i in range(n):
        idea = services.create_idea(users["member"], f"Seeded idea {offset + i}", "Body")
        for v in voters:
            services._add_vote(idea, v, check_budget=False)
        if i % 2:
            services.add_comment(idea, voters[0], "A comment")
            services.change_status(idea, users["staff"], "planned", "Planned indeed.")
    db.session.commit()


@pytest.mark.parametrize(
    "path", ["/ideas", "/ideas?sort=top", "/ideas?sort=new&status=planned", "/ideas/roadmap", "/"]
)
def test_list_pages_issue_a_fixed_number_of_queries(app, client, users, login, count_queries, path):
    login("member")
    _seed(2, users)
    with count_queries() as small:
        assert client.get(path).status_code == 200
    _seed(12, users, offset=10)
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert small.count == large.count, (small.statements, large.statements)


def test_idea_page_issues_a_fixed_number_of_queries(app, client, users, login, count_queries):
    login("staff")
    idea = _idea(users["member"])
    with count_queries() as small:
        assert client.get(f"/ideas/{idea.id}").status_code == 200
    for n in range(6):
        voter = UserFactory()
        db.session.flush()
        services._add_vote(idea, voter, check_budget=False)
        services.add_comment(idea, voter, f"Comment {n}")
        services.change_status(idea, users["staff"], "planned" if n % 2 else "under_review", f"Note {n}")
        dup = services.create_idea(voter, f"Duplicate {n}", "Same")
        services.merge(dup, idea, users["staff"])
    db.session.commit()
    with count_queries() as large:
        assert client.get(f"/ideas/{idea.id}").status_code == 200
    assert small.count == large.count, (small.statements, large.statements)


def test_vote_buttons_on_pages(app, client, users, login):
    idea = _idea(users["member"])
    login("admin")
    response = client.post(f"/ideas/{idea.id}/vote", data={})
    assert response.status_code == 302
    assert _count(idea.id) == (2, 2)
    # A stale second "vote" click says so and changes nothing.
    client.post(f"/ideas/{idea.id}/vote", data={})
    assert "You already voted for this idea." in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert _count(idea.id) == (2, 2)
    client.post(f"/ideas/{idea.id}/vote", data={"action": "unvote"})
    assert _count(idea.id) == (1, 1)


# --- API -------------------------------------------------------------------------------------


def test_api_walkthrough(app, client, users, login):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/ideas", "/api/v1/ideas/{idea_id}", "/api/v1/ideas/{idea_id}/vote",
                 "/api/v1/ideas/{idea_id}/status", "/api/v1/ideas/{idea_id}/merge",
                 "/api/v1/ideas/{idea_id}/comments"):  # fmt: skip
        assert path in document["paths"], path
    assert client.post("/api/v1/ideas", json={"title": "Tent idea", "body": "x"}).status_code == 401
    login("member")
    response = client.post("/api/v1/ideas", json={"title": "Warmer sleeping bag", "body": "For winter."})
    assert response.status_code == 201
    created = response.get_json()
    assert created["url"] == f"/ideas/{created['id']}"
    idea_id = created["id"]
    assert client.post(f"/api/v1/ideas/{idea_id}/vote").status_code == 409  # the author's vote counts
    assert client.delete(f"/api/v1/ideas/{idea_id}/vote").get_json() == {"voted": False, "vote_count": 0}
    assert client.post(f"/api/v1/ideas/{idea_id}/vote").get_json() == {"voted": True, "vote_count": 1}
    body = client.post(f"/api/v1/ideas/{idea_id}/status", json={"status": "planned", "note": "Yes"})
    assert body.status_code == 403 and body.get_json()["error"]["code"] == "forbidden"
    response = client.post(f"/api/v1/ideas/{idea_id}/comments", json={"body": "Me too"})
    assert response.status_code == 201 and set(response.get_json()) == {"id", "url"}
    comments = client.get(f"/api/v1/ideas/{idea_id}/comments").get_json()
    assert [c["body_html"] for c in comments] == ["<p>Me too</p>\n"]
    client.post("/logout")
    login("staff")
    bad = client.post(f"/api/v1/ideas/{idea_id}/status", json={"status": "shipped", "note": "x"})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "bad_status"
    ok = client.post(f"/api/v1/ideas/{idea_id}/status", json={"status": "planned", "note": "Spring."})
    assert ok.status_code == 200 and ok.get_json()["status"] == "planned"
    other = client.post("/api/v1/ideas", json={"title": "Warmer bag for winter", "body": "Same."}).get_json()
    assert client.post(f"/api/v1/ideas/{other['id']}/merge", json={"into_id": other["id"]}).status_code == 422
    merged = client.post(f"/api/v1/ideas/{other['id']}/merge", json={"into_id": idea_id})
    assert merged.status_code == 200 and merged.get_json()["into_id"] == idea_id
    assert client.get(f"/api/v1/ideas/{idea_id}").get_json()["vote_count"] == 2
    assert client.post(f"/api/v1/ideas/{idea_id}/merge", json={"into_id": other["id"]}).status_code == 409
    listed = client.get("/api/v1/ideas?sort=top").get_json()
    assert [i["id"] for i in listed["items"]] == [idea_id]
    assert client.get("/api/v1/ideas?status=nope").status_code == 422
    assert client.delete(f"/api/v1/ideas/{other['id']}/merge").get_json()["merged_into_id"] is None
    assert client.get(f"/api/v1/ideas/{idea_id}").get_json()["vote_count"] == 1
