"""A member's labels follow their name on every page that shows who wrote something.

The brand-relationship disclosure (ambassador, partner, set by admins) and the staff label are
rendered by one macro (templates/macros/author.html) from the author loaded with the content,
so pages show them without one query more per item.
"""

from __future__ import annotations

import re

import pytest

from community.blog import services as blog
from community.blog.services import ArticleData
from community.forum import services as forum
from community.ideas import services as ideas
from community.reviews import services as reviews
from models import db
from tests.factories import UserFactory

AMBASSADOR = "Brand ambassador"
PARTNER = "Brand partner"


def author_spans(html: str) -> list[str]:
    """The text of each rendered author (name and labels), tags removed."""
    # The author's span holds the name and the badge spans: cut at its own closing tag.
    out = []
    for match in re.finditer(r'<span class="author">', html):
        depth, i = 1, match.end()
        while depth and i < len(html):
            opening, closing = html.find("<span", i), html.find("</span>", i)
            if opening != -1 and opening < closing:
                depth, i = depth + 1, opening + 5
            else:
                depth, i = depth - 1, closing + 7
        out.append(" ".join(re.sub(r"<[^>]+>", " ", html[match.end() : i - 7]).split()))
    return out


@pytest.fixture
def labelled(app, users):
    """eve (ambassador) and pat (partner) write everywhere; staff answer."""
    staff, admin = users["staff"], users["admin"]
    eve = UserFactory(username="eve", display_name="Eve Ambassador", brand_relationship="ambassador")
    pat = UserFactory(username="pat", display_name="Pat Partner", brand_relationship="partner")
    member = users["member"]
    db.session.commit()
    cat = forum.save_category(admin, None, slug="gear", name_en="Gear", name_fr="Matériel")
    topic = forum.open_topic(cat, eve, "Which stove for winter?", "I love my stove.", "question", "en")
    db.session.commit()
    forum.reply(topic, staff, "Our Flame 2 works down to -20 °C.", "en")
    forum.reply(topic, pat, "Mine works well too.", "en")
    db.session.commit()
    tents = reviews.create_category("tents", "Tents", "Tentes")
    product = reviews.save_product(None, None, slug="trail-2p", name_en="Trail 2P", name_fr="Trail 2P",
                                   category_id=tents.id, description_en="A tent.")  # fmt: skip
    db.session.commit()
    review = reviews.write_review(
        product, eve, rating=5, title="Great tent", body="Light and solid, it stayed dry in every storm."
    )
    db.session.commit()
    reviews.respond(review, staff, "Thank you for telling us.")
    db.session.commit()
    idea = ideas.create_idea(eve, "A lighter stove", "Under 300 grams.", language="en")
    db.session.commit()
    ideas.add_comment(idea, pat, "Yes please, for long treks.", language="en")
    ideas.add_comment(idea, staff, "We are looking at it.", language="en")
    db.session.commit()
    article = blog.create_article(staff, ArticleData(title="Winter camping", body="Some text.", summary="Tips",
                                                     tags=["winter"], status="published", language="en"))  # fmt: skip
    db.session.commit()
    blog.add_comment(article, eve, "Thanks, very useful.", language="en")
    db.session.commit()
    return {"eve": eve, "pat": pat, "member": member, "topic": topic, "product": product, "idea": idea,
            "article": article, "category": cat, "review": review}  # fmt: skip


def _page(client, url: str) -> str:  # noqa: ANN001
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_labels_on_topic_product_idea_and_blog_pages(client, labelled):
    topic, idea = labelled["topic"], labelled["idea"]
    pages = {
        "topic": _page(client, f"/forum/t/{topic.slug}/{topic.id}"),
        "product": _page(client, "/products/trail-2p"),
        "idea": _page(client, f"/ideas/{idea.id}"),
        "article": _page(client, f"/blog/{labelled['article'].slug}"),
    }
    authors = {name: author_spans(html) for name, html in pages.items()}
    # The topic: eve's question, staff's official answer, pat's reply.
    assert f"Eve Ambassador {AMBASSADOR}" in authors["topic"]
    assert f"Pat Partner {PARTNER}" in authors["topic"]
    assert any(a.endswith("Staff") for a in authors["topic"])
    # The product: eve's review, the staff's response.
    assert f"Eve Ambassador {AMBASSADOR}" in authors["product"]
    assert any(a.endswith("Staff") for a in authors["product"])
    # The idea: eve suggested it, pat and staff commented.
    assert f"Eve Ambassador {AMBASSADOR}" in authors["idea"]
    assert f"Pat Partner {PARTNER}" in authors["idea"]
    assert any(a.endswith("Staff") for a in authors["idea"])
    # The blog: staff wrote the article, eve commented.
    assert f"Eve Ambassador {AMBASSADOR}" in authors["article"]
    assert any(a.endswith("Staff") for a in authors["article"])
    # Members without a label have none.
    for spans in authors.values():
        assert not [a for a in spans if a.startswith("Eve") and PARTNER in a]


def test_labels_on_lists_search_and_notifications(client, login, labelled):
    cat = labelled["category"]
    assert f"Eve Ambassador {AMBASSADOR}" in author_spans(_page(client, f"/forum/c/{cat.slug}"))
    assert f"Eve Ambassador {AMBASSADOR}" in author_spans(_page(client, "/ideas"))
    found = author_spans(_page(client, "/search?q=stove"))
    assert f"Eve Ambassador {AMBASSADOR}" in found
    # pat answers the member's topic: the member's notification names pat with the label.
    mine = forum.open_topic(cat, labelled["member"], "Tent pegs for sand?", "Which pegs?", "question", "en")
    db.session.commit()
    forum.reply(mine, labelled["pat"], "Long sand pegs.", "en")
    db.session.commit()
    login("member")
    assert f"Pat Partner {PARTNER}" in author_spans(_page(client, "/notifications"))


def test_a_member_who_joins_the_brand_is_labelled_on_older_content(client, labelled):
    eve = labelled["eve"]
    eve.role = "staff"
    db.session.commit()
    topic = labelled["topic"]
    spans = author_spans(_page(client, f"/forum/t/{topic.slug}/{topic.id}"))
    assert f"Eve Ambassador Staff {AMBASSADOR}" in spans


@pytest.mark.parametrize("page", ["topic", "product", "idea"])
def test_labels_cost_no_query_per_item(client, users, labelled, count_queries, page):
    topic, idea, product = labelled["topic"], labelled["idea"], labelled["product"]
    url = {
        "topic": f"/forum/t/{topic.slug}/{topic.id}",
        "product": "/products/trail-2p",
        "idea": f"/ideas/{idea.id}",
    }[page]
    _page(client, url)
    with count_queries() as small:
        html = _page(client, url)
    before = author_spans(html)
    # Ten more labelled and unlabelled people write on the same page.
    for n in range(10):
        person = UserFactory(username=f"writer{n}", brand_relationship=("ambassador", "partner", None)[n % 3])
        db.session.commit()
        if page == "topic":
            forum.reply(topic, person, f"Reply number {n}.", "en")
        elif page == "product":
            other = reviews.write_review(
                product,
                person,
                rating=4,
                title=f"Review {n}",
                body="A fine tent for two people and their packs.",
            )
            db.session.commit()
            reviews.respond(other, users["staff"], f"Thanks {n}.")
        else:
            ideas.add_comment(idea, person, f"Comment number {n}.", language="en")
        db.session.commit()
    _page(client, url)
    with count_queries() as large:
        html = _page(client, url)
    after = author_spans(html)
    assert len(after) >= len(before) + 10
    assert sum(AMBASSADOR in a for a in after) >= sum(AMBASSADOR in a for a in before) + 3
    assert large.count == small.count, "\n".join(s[:160] for s in large.statements)
