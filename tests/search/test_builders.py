"""Every real kind reaches the index with a recognisable title and its place;
products are documents too; hidden items leave."""

from __future__ import annotations

from community.content import services as content
from community.forum import services as forum
from community.ideas import services as ideas
from community.reviews import services as reviews
from community.search.backend import SearchQuery
from community.search.queries import search
from models import ContentState, db


def _find(user, text: str, **kwargs):
    return search(user, SearchQuery(text=text, **kwargs))


def test_every_kind_and_products_are_indexed(app, users):
    category = forum.save_category(users["admin"], None, slug="tents", name_en="Tents", name_fr="Tentes")
    topic = forum.open_topic(
        category, users["member"], "Condensation inside the Aurora tent", "Wet walls every morning."
    )
    reply = forum.reply(topic, users["staff"], "Open both vents: airflow stops the dripping.")
    line = reviews.create_category("shelter", "Shelter", "Abris")
    product = reviews.save_product(users["staff"], None, slug="aurora-2", name_en="Aurora 2 tent",
                                   name_fr="Tente Aurora 2", category_id=line.id,
                                   description_en="A light two-person tent.")  # fmt: skip
    review = reviews.write_review(product, users["member"], rating=2, title="Leaks at the seams",
                                  body="After one night of rain the seams leaked badly, sadly.")  # fmt: skip
    idea = ideas.create_idea(users["member"], "Sell a footprint for the Aurora", "A groundsheet cut to size.")
    db.session.commit()

    hits = {h.type: h for h in _find(users["member"], "airflow").hits}
    assert hits["reply"].title == "Condensation inside the Aurora tent"
    assert hits["reply"].scope == f"category:{category.id}"
    assert _find(users["member"], "seams").hits[0].scope == f"product:{product.id}"
    assert {h.type for h in _find(users["member"], "footprint groundsheet").hits} == {"idea"}
    product_hits = [h for h in _find(users["member"], "two-person").hits if h.type == "product"]
    assert product_hits and product_hits[0].title == "Aurora 2 tent"

    content.set_state(review, users["moderator"], ContentState.HIDDEN, "personal data")
    content.delete_by_author(reply, users["staff"])
    db.session.commit()
    assert not _find(users["member"], "seams").hits
    assert not _find(users["member"], "airflow").hits
    assert idea.id and topic.id
