"""Reviews: the honesty rules, aggregates (also under moderation and concurrency),
helpful votes, brand responses, pages, API and query counts."""

from __future__ import annotations

import threading

import pytest

from community import events
from community.content import services as content
from community.reviews import services
from models import ContentRevision, ContentState, Product, Review, db
from tests.factories import UserFactory

BODY = "Solid tent, kept us dry through two nights of heavy rain in the Vosges."


def _review(product, author, rating=4, **kw) -> Review:
    r = services.write_review(product, author, rating=rating, title=kw.pop("title", "Good"), body=BODY, **kw)
    db.session.commit()
    return r


def _agg(product) -> dict[str, int]:
    db.session.refresh(product)
    return {
        k: getattr(product, k) for k in ["review_count", "rating_sum", *[f"star_{s}" for s in range(1, 6)]]
    }


def test_aggregates_follow_publish_edit_delete_and_moderation(app, users, product):
    a, b = UserFactory(), UserFactory()
    r1 = _review(product, a, 5)
    r2 = _review(product, b, 2)
    assert product.review_count == 2 and product.mean_rating == 3.5
    services.edit_review(r2, b, rating=3)
    db.session.commit()
    assert _agg(product)["star_3"] == 1 and _agg(product)["star_2"] == 0
    # moderation goes through content.services.set_state: the hook keeps aggregates exact
    content.set_state(r1, users["moderator"], ContentState.HIDDEN, reason="spam")
    db.session.commit()
    assert _agg(product) == services.recompute_aggregates(product.id)
    assert product.review_count == 1 and product.mean_rating == 3.0
    content.set_state(r1, users["moderator"], ContentState.PUBLISHED)
    db.session.commit()
    assert product.review_count == 2 and product.star_5 == 1
    services.delete_review(r2, b)
    db.session.commit()
    assert _agg(product) == services.recompute_aggregates(product.id)
    assert product.review_count == 1
    # a deleted review frees the slot: the member may review again
    _review(product, b, 1)
    assert _agg(product) == services.recompute_aggregates(product.id)


def test_one_review_per_member_and_bad_input(app, users, product, client, login):
    member = login("member")
    r = _review(product, member)
    with pytest.raises(services.Conflict):
        services.write_review(product, member, rating=3, title="Again", body=BODY)
    db.session.rollback()
    response = client.get("/products/tent-2p/review")
    assert response.status_code == 302 and response.location.endswith(f"/reviews/{r.id}/edit")
    other = UserFactory()
    for rating in (0, 6, None, "5"):
        with pytest.raises(services.InvalidInput):
            services.write_review(product, other, rating=rating, title="x", body=BODY)
    with pytest.raises(services.InvalidInput):
        services.write_review(product, other, rating=3, title="x", body="too short")
    product.active = False
    db.session.commit()
    with pytest.raises(services.NotFound):
        services.write_review(product, other, rating=3, title="x", body=BODY)
    assert db.session.query(Review).count() == 1


def test_staff_cannot_edit_delete_or_hide_and_only_author_edits_with_history(app, users, product):
    author = UserFactory()
    r = _review(product, author, 2)
    for actor in (users["staff"], users["moderator"]):
        with pytest.raises(services.PermissionDenied):
            services.edit_review(r, actor, rating=5)
        with pytest.raises(services.PermissionDenied):
            services.delete_review(r, actor)
    with pytest.raises(services.PermissionDenied):
        services.hide_review(r, users["staff"], "spam")
    with pytest.raises(services.InvalidInput):
        services.hide_review(r, users["moderator"], "I do not like it")
    db.session.rollback()
    assert r.rating == 2 and r.state == "published"
    services.edit_review(r, author, title="Better", body=BODY + " Update: still fine.", rating=3)
    db.session.commit()
    assert db.session.query(ContentRevision).filter_by(content_id=r.id).count() == 1
    services.hide_review(r, users["moderator"], "not_genuine")
    db.session.commit()
    assert r.hidden_reason == "not_genuine" and product.review_count == 0


def test_helpful_votes(app, users, product):
    author, voter = UserFactory(), UserFactory()
    r = _review(product, author)
    with pytest.raises(services.InvalidInput):
        services.set_helpful(r, author, True)
    db.session.rollback()
    services.set_helpful(r, voter, True)
    services.set_helpful(r, voter, True)  # idempotent
    db.session.commit()
    assert r.helpful_count == 1
    services.set_helpful(r, voter, False)
    db.session.commit()
    assert r.helpful_count == 0


def test_brand_response_is_staff_only_timed_and_announced(app, users, product):
    received = []
    events.review_responded.connect(lambda sender, **kw: received.append(kw), weak=False)
    r = _review(product, UserFactory())
    with pytest.raises(services.PermissionDenied):
        services.respond(r, users["member"], "Thanks")
    db.session.rollback()
    resp = services.respond(r, users["staff"], "Thank you, we are looking into it.")
    db.session.commit()
    assert r.responded_at is not None and r.response_seconds >= 0
    assert received and received[-1]["review_id"] == r.id
    services.respond(r, users["staff"], "Edited answer.")
    db.session.commit()
    assert resp.edited_at is not None and "Edited answer" in resp.body_html
    content.set_state(r, users["moderator"], ContentState.HIDDEN, reason="spam")
    db.session.commit()
    with pytest.raises(services.Conflict):
        services.respond(r, users["staff"], "Again")


def test_product_page_shows_aggregates_response_and_removed_reasons(app, users, product, client):
    r = _review(product, UserFactory(), 3, title="Three stars")
    hidden = _review(product, UserFactory(), 1, title="Spammy")
    services.respond(r, users["staff"], "We hear you.")
    services.hide_review(hidden, users["moderator"], "spam")
    db.session.commit()
    html = client.get("/products/tent-2p").get_data(as_text=True)
    assert "Three stars" in html and "We hear you." in html and "Spammy" not in html
    assert "3.0" in html and "1 review was removed" in html and "Spam or advertising" in html
    assert '"@type": "AggregateRating"' in html
    assert client.get("/products/tent-2p?stars=5").get_data(as_text=True).count("Three stars") == 0
    assert client.get("/reviews/how-it-works").status_code == 200
    assert "Three stars" in client.get("/").get_data(as_text=True)
    assert client.get("/products?category=tents").status_code == 200
    assert client.get("/products/nope").status_code == 404


def _seed(product, n):
    for i in range(n):
        u = UserFactory()
        r = services.write_review(product, u, rating=1 + i % 5, title=f"Review {i}", body=BODY)
        if i % 3 == 0:
            services.respond(r, _seed.staff, "Thanks for the feedback!")
    db.session.commit()


def test_query_counts_are_fixed(app, users, product, client, login, count_queries):
    _seed.staff = users["staff"]
    login("member")
    _seed(product, 3)
    with count_queries() as small_page:
        client.get("/products/tent-2p")
    with count_queries() as small_cat:
        client.get("/products")
    _seed(product, 25)
    with count_queries() as big_page:
        assert client.get("/products/tent-2p").status_code == 200
    with count_queries() as big_cat:
        client.get("/products")
    assert small_page.count == big_page.count
    assert small_cat.count == big_cat.count


def test_api(app, users, product, client, login):
    assert client.get("/api/v1/products").json[0]["slug"] == "tent-2p"
    payload = {"rating": 3, "title": "Okay", "body": BODY}
    assert client.post(f"/api/v1/products/{product.id}/reviews", json=payload).status_code == 401
    login("member")
    made = client.post(f"/api/v1/products/{product.id}/reviews", json=payload)
    assert made.status_code == 201 and made.json["url"] == f"/reviews/{made.json['id']}"
    rid = made.json["id"]
    assert client.post(f"/api/v1/products/{product.id}/reviews", json=payload).status_code == 409
    assert (
        client.post(f"/api/v1/products/{product.id}/reviews", json={**payload, "rating": 7}).status_code
        == 422
    )
    assert client.post("/api/v1/products/999/reviews", json=payload).status_code == 404
    assert client.post(f"/api/v1/reviews/{rid}/helpful").status_code == 422
    assert client.patch(f"/api/v1/reviews/{rid}", json={"rating": 4}).json["rating"] == 4
    assert client.put(f"/api/v1/reviews/{rid}/response", json={"body": "Hi"}).status_code == 403
    assert client.get(f"/api/v1/products/{product.id}").json["distribution"]["4"] == 1
    client.post("/logout")
    login("staff")
    assert client.patch(f"/api/v1/reviews/{rid}", json={"rating": 5}).status_code == 403
    assert client.delete(f"/api/v1/reviews/{rid}").status_code == 403
    assert client.post(f"/api/v1/reviews/{rid}/helpful").json["helpful_count"] == 1
    assert client.put(f"/api/v1/reviews/{rid}/response", json={"body": "Thanks!"}).status_code == 200
    listing = client.get(f"/api/v1/products/{product.id}/reviews").json
    assert listing["items"][0]["response"]["body_html"].startswith("<p>Thanks!")
    assert client.post("/api/v1/products", json={"slug": "stove", "name_en": "Stove", "name_fr": "Réchaud",
                                                  "category_id": product.category_id}).status_code == 201  # fmt: skip
    spec = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/products/{product_id}/reviews", "/api/v1/reviews/{review_id}/response"} <= set(spec)


# 20 writer threads, each also running after-commit work (search drain, dashboard and
# notification listeners) on its own connection: a pool to match, as a server would size it.
@pytest.mark.parametrize("app_config", [{"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 30, "max_overflow": 30}}])
def test_aggregates_exact_under_concurrent_writers(app, product):
    members = [UserFactory() for _ in range(20)]
    db.session.commit()
    ids = [m.id for m in members]
    pid = product.id
    errors = []

    def work(i: int, uid: int) -> None:
        with app.app_context():
            from models import User

            try:
                user = db.session.get(User, uid)
                prod = db.session.get(Product, pid)
                r = services.write_review(prod, user, rating=1 + i % 5, title="t", body=BODY)
                db.session.commit()
                services.edit_review(r, user, rating=1 + (i + 2) % 5)
                db.session.commit()
                if i % 4 == 0:
                    services.delete_review(r, user)
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i, uid)) for i, uid in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    db.session.expire_all()
    assert _agg(db.session.get(Product, pid)) == services.recompute_aggregates(pid)
    assert db.session.get(Product, pid).review_count == 15


def test_transparency_counts_hidden_reviews_by_star_rating(app, client, product, users):
    low = _review(product, users["member"], rating=1)
    _review(product, UserFactory(), rating=5)
    content.set_state(low, users["moderator"], ContentState.HIDDEN, "personal data")
    db.session.commit()
    page = client.get("/transparency").get_data(as_text=True)
    assert "Reviews hidden, by star rating" in page
    csv = client.get("/transparency.csv").get_data(as_text=True)
    assert "Reviews hidden, by star rating" in csv
