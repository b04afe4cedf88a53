"""The dashboard's figures against a small community computed by hand.

Timeline (UTC), period 2026-03-02 (a Monday) to 2026-03-29, four weeks, by day:

- Questions: alice asks Q1 on D0 09:00, staff answer 11:00 (2 h); bob asks Q2 on D0
  10:00, staff answer D1 16:00 (30 h); carol asks Q3 on D1 08:00, only alice answers
  (a member: no official answer, so Q3 is in the backlog). Carol accepts alice's answer;
  eve (a declared brand ambassador) replies to Q2.
  Median of [2, 30] = 16 h; 90th percentile = 2 + 0.9 × 28 = 27.2 h; within 24 h: 1 of 3.
- Reviews of the tent: alice 5★ D0 12:00, answered 18:00 (6 h); bob 2★ D1 12:00,
  answered D3 12:00 (48 h); carol 4★ D2 12:00, unanswered.
  Median of [6, 48] = 27 h; p90 = 6 + 0.9 × 42 = 43.8 h; within 24 h: 1 of 3; mean 11/3.
- dave writes eight neutral topics, two in each week, that nobody answers.
- Ideas: alice's (3 votes, no status) and bob's (done).
- Tone of the 18 counted contributions: 5 positive (Q1, alice's answer, eve's reply,
  alice's and carol's reviews), 2 negative (Q2, bob's review), 11 neutral (Q3, dave's
  eight topics, both ideas). Staff writing is not counted.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from community.dashboard import radar as radar_module
from community.dashboard import rollups, tone
from community.dashboard.queries import Period, parse_period, percentile, summary
from community.forum import services as forum
from community.forum import topic_tools
from community.ideas import services as ideas
from community.moderation import services as moderation
from community.reviews import services as reviews
from models import (
    Badge,
    ContentItem,
    ContentState,
    ContentTone,
    DailyMetric,
    Engagement,
    IdeaVote,
    Reply,
    ResponseSample,
    Review,
    Topic,
    User,
    db,
    utcnow,
)
from tests.factories import UserFactory

D0 = datetime(2026, 3, 2, tzinfo=UTC)
PERIOD = Period(D0.date(), D0.date() + timedelta(days=27))

TEXTS = {
    "q1": ("Which stove works best in winter?", "I love cooking outside, great fun.", "en", "positive"),
    "q2": ("My tent zip broke", "My tent zip broke after two days, terrible quality and I am angry.", "en", "negative"),
    "q3": ("Quelle taille de sac pour le GR20 ?", "Quelle taille de sac pour le GR20 ?", "fr", "neutral"),
    "a3": (None, "Le sac de 40 litres est parfait, très confortable. Je recommande !", "fr", "positive"),
    "e2": (None, "Great question, the Boréal team will help, wonderful gear.", "en", "positive"),
    "r1": ("Excellent tent", "Excellent tent, light and solid. I love it.", "en", "positive"),
    "r2": ("Disappointing", "Leaks in the rain, poor seams, I regret buying it.", "en", "negative"),
    "r3": ("Bonne tente", "Bonne tente, solide et facile à monter.", "fr", "positive"),
    "dave": ("Log entry", "Log entry from the shop.", "en", "neutral"),
    "i1": ("A lighter stove", "A stove under 300 grams for long treks.", "en", "neutral"),
    "i2": ("Bigger tent vestibule", "Room for two packs in the vestibule.", "en", "neutral"),
}  # fmt: skip


def at(days: float, hours: float = 0) -> datetime:
    return D0 + timedelta(days=days, hours=hours)


def _date(item: ContentItem, moment: datetime) -> None:
    item.created_at = moment


@pytest.fixture
def community(app, users):
    staff, admin = users["staff"], users["admin"]
    people = {n: UserFactory(username=n, created_at=D0) for n in ("alice", "bob", "carol", "dave", "eve")}
    people["eve"].brand_relationship = "ambassador"
    db.session.commit()
    alice, bob, carol, dave, eve = (people[n] for n in ("alice", "bob", "carol", "dave", "eve"))
    cat = forum.save_category(admin, None, slug="gear", name_en="Gear", name_fr="Matériel")
    made: dict[str, ContentItem] = {}

    def topic(key, author, kind, when):  # noqa: ANN001, ANN202
        title, body, lang, _label = TEXTS[key]
        item = forum.open_topic(cat, author, title, body, kind, lang)
        db.session.commit()
        _date(item, when)
        return item

    made["q1"] = topic("q1", alice, "question", at(0, 9))
    made["q2"] = topic("q2", bob, "question", at(0, 10))
    made["q3"] = topic("q3", carol, "question", at(1, 8))
    s1 = forum.reply(made["q1"], staff, "Our Flame 2 stove works down to -20 °C.", "en")
    s2 = forum.reply(made["q2"], staff, "Send us a photo, we replace zips under warranty.", "en")
    made["a3"] = forum.reply(made["q3"], alice, TEXTS["a3"][1], "fr")
    made["e2"] = forum.reply(made["q2"], eve, TEXTS["e2"][1], "en")
    db.session.commit()
    _date(s1, at(0, 11))
    _date(s2, at(1, 16))
    _date(made["a3"], at(1, 9))
    _date(made["e2"], at(1, 10))
    forum.accept_answer(made["q3"], made["a3"], carol)
    db.session.commit()
    for week in range(4):
        for n in range(2):
            topic("dave", dave, "discussion", at(7 * week + n, 14))

    tents = reviews.create_category("tents", "Tents", "Tentes")
    product = reviews.save_product(None, None, slug="trail-2p", name_en="Trail 2P", name_fr="Trail 2P",
                                   category_id=tents.id, description_en="A tent.")  # fmt: skip
    db.session.commit()
    for key, author, rating, when, answered in (
        ("r1", alice, 5, at(0, 12), at(0, 18)), ("r2", bob, 2, at(1, 12), at(3, 12)), ("r3", carol, 4, at(2, 12), None),
    ):  # fmt: skip
        title, body, lang, _label = TEXTS[key]
        review = reviews.write_review(product, author, rating=rating, title=title, body=body, language=lang)
        db.session.commit()
        if answered:
            response = reviews.respond(review, staff, "Thank you for telling us.")
            db.session.commit()
            response.created_at = answered
            review.responded_at = answered
            review.response_seconds = int((answered - when).total_seconds())
        _date(review, when)
        made[key] = review
    db.session.commit()
    reviews.set_helpful(made["r1"], bob, True)
    reviews.set_helpful(made["r1"], carol, True)
    made["i1"] = ideas.create_idea(alice, TEXTS["i1"][0], TEXTS["i1"][1], language="en")
    made["i2"] = ideas.create_idea(bob, TEXTS["i2"][0], TEXTS["i2"][1], language="en")
    db.session.commit()
    ideas.vote(made["i1"], bob)
    ideas.vote(made["i1"], carol)
    ideas.change_status(made["i2"], staff, "done", "Shipped in the 2026 range.")
    _date(made["i1"], at(2, 9))
    _date(made["i2"], at(2, 10))
    db.session.execute(update(IdeaVote).values(created_at=at(2, 11)))
    db.session.commit()
    rollups.rebuild(db.session)
    db.session.commit()
    return {"people": people, "items": made, "product": product, "category": tents}


def test_texts_have_the_tones_the_hand_count_uses():
    for key, (title, body, lang, expected) in TEXTS.items():
        text = "\n".join(t for t in (title, body) if t and t != body) + (
            "\n" if title and title != body else ""
        )
        assert tone.label(tone.score(text + body if title != body else body, lang)) == expected, key


def test_french_lexicon_negation_and_intensity():
    assert tone.label(tone.score("Cette veste est vraiment excellente.", "fr")) == "positive"
    assert tone.label(tone.score("La tente fuit, je suis très déçu.", "fr")) == "negative"
    assert tone.label(tone.score("Ce n'est pas bon du tout.", "fr")) == "negative"
    assert tone.label(tone.score("Le sac est rouge.", "fr")) == "neutral"
    assert tone.score("très bien", "fr") > tone.score("bien", "fr") > 0


def test_percentiles_interpolate():
    assert percentile([2, 30], 0.5) == 16
    assert percentile([2, 30], 0.9) == pytest.approx(27.2)
    assert percentile([], 0.5) is None


def test_response_times_against_the_hand_count(community):
    s = summary(PERIOD)
    q, r = s.responsiveness["question"], s.responsiveness["review"]
    assert (q["asked"], q["answered"], q["backlog"], q["within_target"]) == (3, 2, 1, 1)
    assert q["median_hours"] == 16 and q["p90_hours"] == pytest.approx(27.2)
    assert q["within_target_share"] == pytest.approx(1 / 3)
    assert (r["asked"], r["answered"], r["backlog"], r["within_target"]) == (3, 2, 1, 1)
    assert r["median_hours"] == 27 and r["p90_hours"] == pytest.approx(43.8)
    assert s.reviews_answered_share == pytest.approx(2 / 3)


def test_activity_reviews_ideas_and_tone_against_the_hand_count(community):
    s = summary(PERIOD)
    assert s.activity_totals == {
        "members": 5,
        "topics": 11,
        "replies": 2,
        "reviews": 3,
        "ideas": 2,
        "comments": 0,
    }
    assert s.activity["topics"][PERIOD.start] == 3  # Q1, Q2 and one of dave's
    assert s.rating_mean == pytest.approx(3.67) and s.rating_count == 3
    assert s.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert [(p["product"].slug, p["count"], p["mean"]) for p in s.per_product] == [("trail-2p", 3, 3.67)]
    assert s.ideas_by_status["new"] == 1 and s.ideas_by_status["done"] == 1
    assert s.votes_over_time[at(2).date()] == 4
    assert [i.title for i in s.wanted_ideas] == ["A lighter stove"]
    assert s.tone_totals == {"positive": 5, "neutral": 11, "negative": 2}
    assert s.tone_shares["positive"] == pytest.approx(5 / 18)
    assert s.tone_shares["negative"] == pytest.approx(2 / 18)
    assert {i.id for i in s.tone_examples["negative"]} == {
        community["items"]["q2"].id,
        community["items"]["r2"].id,
    }


def test_scope_to_a_product_counts_only_its_reviews(community):
    s = summary(Period(PERIOD.start, PERIOD.end, product_id=community["product"].id))
    assert s.activity_totals["reviews"] == 3 and s.activity_totals["topics"] == 0
    assert s.responsiveness["question"]["asked"] == 0 and s.responsiveness["review"]["asked"] == 3
    s = summary(Period(PERIOD.start, PERIOD.end, category_id=community["category"].id))
    assert s.rating_mean == pytest.approx(3.67)
    s = summary(Period(PERIOD.start, PERIOD.end, product_id=999))
    assert s.activity_totals["reviews"] == 0 and s.rating_mean is None


def test_weekly_grouping_for_long_periods(community):
    s = summary(Period(PERIOD.start, PERIOD.start + timedelta(days=90)))
    assert (
        s.period.weekly and s.buckets[0] == PERIOD.start and s.buckets[1] == PERIOD.start + timedelta(days=7)
    )
    assert s.activity["topics"][PERIOD.start] == 5  # Q1, Q2, Q3 and dave's first two


def _expected_scores(community) -> dict[str, float]:  # noqa: ANN001
    """The radar's formula written out for each member of the hand-made community."""
    mean = {
        "alice": [TEXTS["q1"], TEXTS["a3"], TEXTS["r1"], TEXTS["i1"]],
        "bob": [TEXTS["q2"], TEXTS["r2"], TEXTS["i2"]],
        "carol": [TEXTS["q3"], TEXTS["r3"]],
        "dave": [TEXTS["dave"]] * 8,
    }
    tones = {}
    for name, texts in mean.items():
        scores = [round(1000 * tone.score(_text(t), t[2])) for t in texts]
        tones[name] = round(sum(scores) / 1000 / len(scores), 3)
    reach = {"alice": 0.0, "bob": 3 * math.log(2), "carol": 3 * math.log(2), "dave": 0.0}
    expertise = {"alice": math.log(1 + 3 * 1 + 2), "bob": 0.0, "carol": 0.0, "dave": 0.0}
    weeks = {"alice": 1, "bob": 1, "carol": 1, "dave": 4}
    top_reach, top_exp = max(reach.values()), max(expertise.values())
    return {
        n: round(100 * (0.35 * reach[n] / top_reach + 0.35 * expertise[n] / top_exp
                        + 0.15 * min(1, abs(tones[n])) + 0.15 * weeks[n] / 4), 1)
        for n in reach
    }  # fmt: skip


def _text(t) -> str:  # noqa: ANN001
    title, body = t[0], t[1]
    return body if not title or title == body else f"{title}\n{body}"


def test_influence_ranks_against_the_hand_count(community):
    result = radar_module.radar(PERIOD)
    scores = {r.user.username: r.score for r in result.members}
    expected = _expected_scores(community)
    assert scores == pytest.approx(expected, abs=0.11)
    assert [r.user.username for r in result.members] == sorted(expected, key=lambda n: (-expected[n], n))
    # eve declared a brand relationship, staff work for the brand: listed apart.
    assert {r.user.username for r in result.disclosed} == {"eve", "staff"}
    assert {r.user.username for r in result.ambassadors} == {"alice", "carol"}
    assert [r.user.username for r in result.detractors] == ["bob"]


def test_volume_alone_does_not_win(community):
    result = radar_module.radar(PERIOD)
    by_name = {r.user.username: r for r in result.members}
    dave, alice = by_name["dave"], by_name["alice"]
    assert dave.posts >= 2 * alice.posts
    assert dave.score <= 30 and dave.rank == len(result.members)
    assert alice.score > dave.score and alice.accepted == 1 and alice.helpful == 2


def test_listeners_keep_the_same_figures_as_a_rebuild(app, users):
    """Incremental upkeep (events after each commit) equals recomputing from scratch."""
    admin, staff = users["admin"], users["staff"]
    a, b = UserFactory(username="ann"), UserFactory(username="ben")
    db.session.commit()
    cat = forum.save_category(admin, None, slug="trips", name_en="Trips", name_fr="Sorties")
    q = forum.open_topic(
        cat, a, "Best headlamp for caving?", "I love long caves, great fun.", "question", "en"
    )
    db.session.commit()
    r = forum.reply(q, b, "The Lumen 400 is excellent.", "en")
    forum.reply(q, staff, "We recommend the Lumen 400.", "en")
    db.session.commit()
    forum.accept_answer(q, r, a)
    hidden = forum.reply(q, b, "Terrible advice everywhere, awful.", "en")
    db.session.commit()
    forum.delete_post(hidden, b)
    db.session.commit()
    live = _snapshot()
    assert ("all", "replies") in {(s, m) for s, m, _d, v in live if v}
    assert db.session.scalar(select(Badge.id).where(Badge.user_id == b.id, Badge.code == "accepted_answer"))
    rollups.rebuild(db.session)
    db.session.commit()
    assert _snapshot() == live
    today = Period(q.created_at.date(), q.created_at.date())
    s = summary(today)
    assert s.activity_totals["replies"] == 1 and s.responsiveness["question"]["answered"] == 1


def test_merge_and_split_keep_the_same_figures_as_a_rebuild(app, users):
    """A merge turns a topic into a reply, a split a reply into a topic: the rollups follow
    in the same transaction (kinds, whose topic a reply answers, the questions' samples,
    a split out of a hidden topic staying uncounted) and equal a recount from scratch."""
    admin, staff, moderator = users["admin"], users["staff"], users["moderator"]
    ann, ben, cat = (UserFactory(username=n) for n in ("ann", "ben", "cat"))
    db.session.commit()
    trips = forum.save_category(admin, None, slug="trips", name_en="Trips", name_fr="Sorties")
    qa = forum.open_topic(trips, ann, "Best headlamp for caving?", "I love long caves.", "question", "en")
    qb = forum.open_topic(trips, ben, "Headlamp batteries in the cold", "They die fast.", "question", "en")
    db.session.commit()
    ra1 = forum.reply(qa, ben, "The Lumen 400 is excellent.", "en")
    ra2 = forum.reply(qa, cat, "Bring a spare, always.", "en")
    rb1 = forum.reply(qb, staff, "Lithium cells keep going in the cold.", "en")
    rb2 = forum.reply(qb, ann, "Keep them in an inner pocket.", "en")
    db.session.commit()
    ids = {k: v.id for k, v in {"qa": qa, "qb": qb, "ra1": ra1, "ra2": ra2, "rb1": rb1, "rb2": rb2}.items()}
    topic_tools.merge_topics(qb, qa, moderator)
    db.session.commit()
    assert _totals() == {"topics": 1, "replies": 4}
    _assert_a_rebuild_changes_nothing()
    qa = db.session.get(Topic, ids["qa"])
    topic_tools.split_topic(qa, [ids["ra2"], ids["rb1"]], "Spare headlamps", trips, moderator)
    db.session.commit()
    # cat's reply opens a topic; the staff reply moved with it was never counted
    assert _totals() == {"topics": 2, "replies": 3}
    _assert_a_rebuild_changes_nothing()
    moderation.moderate(db.session.get(Topic, ids["qa"]), moderator, "hide", "Off topic")
    db.session.commit()
    topic_tools.split_topic(db.session.get(Topic, ids["qa"]), [ids["ra1"]], "The Lumen 400", trips, moderator)
    db.session.commit()
    assert _totals() == {"topics": 1, "replies": 2}  # the new topic is hidden like its source
    _assert_a_rebuild_changes_nothing()


def _totals() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(DailyMetric.metric, func.sum(DailyMetric.value))
        .where(DailyMetric.scope == "all", DailyMetric.metric.in_(["topics", "replies"]))
        .group_by(DailyMetric.metric)
    ).all()
    return {metric: int(value) for metric, value in rows}


def _rollups() -> tuple:
    """Every rollup a content item feeds, without the zero rows upserts leave."""
    db.session.expire_all()
    return (
        _snapshot(),
        sorted(row for row in db.session.execute(
            select(Engagement.user_id, Engagement.engager_id, Engagement.day, Engagement.count)
        ) if row.count),
        sorted(db.session.execute(select(
            ResponseSample.kind, ResponseSample.subject_id, ResponseSample.answered_at, ResponseSample.seconds,
            ResponseSample.active,
        )).all()),
        sorted(db.session.execute(select(ContentTone.content_id, ContentTone.kind, ContentTone.counted)).all()),
    )  # fmt: skip


def _assert_a_rebuild_changes_nothing() -> None:
    live = _rollups()
    rollups.rebuild(db.session)
    db.session.commit()
    assert _rollups() == live


def _snapshot() -> list[tuple]:
    db.session.expire_all()
    rows = db.session.execute(
        select(DailyMetric.scope, DailyMetric.metric, DailyMetric.day, DailyMetric.value)
    ).all()
    return sorted((s, m, d, v) for s, m, d, v in rows if v and m != "members")  # members: see the rebuild


def test_badges_are_granted(community):
    people = community["people"]
    codes = {
        (u, c)
        for u, c in db.session.execute(
            select(User.username, Badge.code).join(Badge, Badge.user_id == User.id)
        )
    }
    assert ("alice", "first_post") in codes and ("alice", "accepted_answer") in codes
    assert ("bob", "idea_shipped") in codes and ("dave", "regular") in codes
    assert ("staff", "first_post") not in codes
    assert people["alice"].id


def test_top_reviewer_after_five_reviews(app, users):
    cat = reviews.create_category("packs", "Packs", "Sacs")
    writer = UserFactory(username="writer")
    db.session.commit()
    for n in range(5):
        product = reviews.save_product(None, None, slug=f"pack-{n}", name_en=f"Pack {n}", name_fr=f"Sac {n}",
                                       category_id=cat.id, description_en="A pack.")  # fmt: skip
        reviews.write_review(
            product, writer, rating=4, title=f"Good pack {n}", body="Comfortable straps, good pack."
        )
        db.session.commit()
    assert db.session.scalar(select(Badge.id).where(Badge.user_id == writer.id, Badge.code == "top_reviewer"))


def test_dashboard_page_permissions(client, login, users):
    assert client.get("/dashboard/").status_code == 302
    login("member")
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/influencers").status_code == 403
    assert client.get("/dashboard/activity.csv").status_code == 403


@pytest.mark.parametrize("role", ["staff", "moderator", "admin"])
def test_dashboard_pages_for_staff_moderators_admins(client, login, community, role):
    login(role)
    page = client.get("/dashboard/?from=2026-03-02&to=2026-03-29")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="chart-data-activity"' in html and "<script>" not in html
    assert "16" in html and "27.2" in html and "43.8" in html
    assert client.get("/dashboard/influencers?from=2026-03-02&to=2026-03-29").status_code == 200


def test_csv_downloads(client, login, community):
    login("staff")
    response = client.get("/dashboard/responsiveness.csv?from=2026-03-02&to=2026-03-29")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1][1:] == ["3", "2", "16", "27.2", "33.3", "1"]
    assert rows[2][1:] == ["3", "2", "27", "43.8", "33.3", "1"]
    tone_rows = list(
        csv.reader(
            io.StringIO(
                client.get("/dashboard/tone.csv?from=2026-03-02&to=2026-03-29").get_data(as_text=True)
            )
        )
    )
    assert len(tone_rows) == 29 and tone_rows[0] == ["Period", "Positive", "Neutral", "Negative"]
    assert client.get("/dashboard/nothing.csv").status_code == 404
    radar_rows = list(
        csv.reader(
            io.StringIO(
                client.get("/dashboard/influencers.csv?from=2026-03-02&to=2026-03-29").get_data(as_text=True)
            )
        )
    )
    assert {(r[1], r[-1]) for r in radar_rows[-2:]} == {("eve", "ambassador"), ("staff", "staff")}


def test_bad_periods_are_refused_without_error(client, login, community):
    login("staff")
    assert client.get("/dashboard/?from=2026-13-40").status_code == 422
    assert client.get("/dashboard/?from=2026-03-10&to=2026-03-01").status_code == 422
    assert client.get("/dashboard/?from=2020-01-01&to=2026-03-01").status_code == 422
    assert client.get("/dashboard/?product=abc").status_code == 422
    assert client.get("/dashboard/?from=9999-12-30&to=9999-12-31").status_code == 200
    assert client.get("/dashboard/?from=0001-01-01&to=0001-01-02").status_code == 200
    assert client.get("/dashboard/?to=0001-01-02").status_code == 200


def test_dashboard_page_query_count_is_fixed(client, login, community, count_queries):
    login("staff")
    url = "/dashboard/?from=2026-03-02&to=2026-03-29"
    client.get(url)
    with count_queries() as small:
        client.get(url)
    dave = community["people"]["dave"]
    cat = db.session.scalar(select(Topic.category_id).limit(1))
    from models import ForumCategory

    category = db.session.get(ForumCategory, cat)
    for n in range(15):
        forum.open_topic(
            category,
            dave,
            f"Another log entry {n}",
            "Terrible, awful, broken." if n % 2 else "Great!",
            "question",
            "en",
        )
    db.session.commit()
    rollups.rebuild(db.session)
    db.session.commit()
    client.get(url)  # as for the small community: the signed-in user is loaded once
    with count_queries() as large:
        client.get(url)
    assert large.count == small.count, (
        "\n".join(large.statements[len(small.statements) - 1 :])[:3000]
        + "\n-----\n"
        + "\n".join(s[:150] for s in small.statements)
    )


def test_api_summary_and_influencers(client, login, auth, community):
    assert client.get("/api/v1/dashboard/summary").status_code == 401
    login("member")
    assert client.get("/api/v1/influencers").status_code == 403
    auth.logout()
    login("staff")
    response = client.get("/api/v1/dashboard/summary?from=2026-03-02&to=2026-03-29")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["responsiveness"]["question"]["median_hours"] == 16
    assert data["activity_totals"]["topics"] == 11 and data["grouping"] == "day"
    assert data["tone_totals"] == {"positive": 5, "neutral": 11, "negative": 2}
    scoped = client.get(
        f"/api/v1/dashboard/summary?from=2026-03-02&to=2026-03-29&product={community['product'].id}"
    )
    assert scoped.get_json()["activity_totals"]["topics"] == 0
    radar = client.get("/api/v1/influencers?from=2026-03-02&to=2026-03-29").get_json()
    assert radar["members"][-1]["username"] == "dave"
    assert {m["username"] for m in radar["disclosed"]} == {"eve", "staff"}
    assert client.get("/api/v1/dashboard/summary?from=nope").status_code == 422
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/dashboard/summary" in spec["paths"] and "/api/v1/influencers" in spec["paths"]


def test_profile_shows_badges_statistics_and_disclosure(client, login, community):
    html = client.get("/u/alice").get_data(as_text=True)
    assert "First post" in html and "Accepted answer" in html and "Excellent tent" in html
    html = client.get("/u/eve").get_data(as_text=True)
    assert "Brand ambassador" in html
    assert "Brand relationship (admins)" not in html


def test_admin_sets_the_brand_relationship(client, login, auth, community):
    login("staff")
    assert (
        client.post("/dashboard/members/dave/relationship", data={"relationship": "partner"}).status_code
        == 403
    )
    auth.logout()
    login("admin")
    assert "Brand relationship (admins)" in client.get("/u/dave").get_data(as_text=True)
    client.post("/dashboard/members/dave/relationship", data={"relationship": "partner"})
    assert db.session.get(User, community["people"]["dave"].id).brand_relationship == "partner"
    response = client.post(
        "/dashboard/members/dave/relationship", data={"relationship": "king"}, follow_redirects=True
    )
    assert "Choose a relationship" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, community["people"]["dave"].id).brand_relationship == "partner"
    client.post("/dashboard/members/dave/relationship", data={"relationship": ""})
    db.session.expire_all()
    assert db.session.get(User, community["people"]["dave"].id).brand_relationship is None


def test_rebuild_command(runner, community):
    db.session.execute(update(DailyMetric).values(value=0))
    db.session.commit()
    result = runner.invoke(args=["dashboard", "rebuild"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    assert summary(PERIOD).activity_totals["topics"] == 11


def test_parse_period_defaults():
    from werkzeug.datastructures import MultiDict

    period = parse_period(MultiDict())
    assert (period.end - period.start).days == 29 and period.scope == "all"
    assert not [c for c in (Reply, Review, ContentState) if c is None]


def test_response_target_is_configurable(app, community):
    app.config["BRAND_RESPONSE_TARGET_HOURS"] = 48
    s = summary(PERIOD)
    assert s.responsiveness["question"]["within_target"] == 2  # 2 h and 30 h
    assert s.responsiveness["review"]["within_target"] == 2  # 6 h and 48 h (inclusive)


def test_api_fuzzed_from_its_document(app, users, community):
    """The two dashboard operations, fuzzed as in tests/test_api_fuzz.py with a staff token."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode

    from community.auth import services as account_services

    _token, secret = account_services.create_token(users["staff"], "fuzz")
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations()]
    mine = [op for op in operations if op.path in ("/api/v1/dashboard/summary", "/api/v1/influencers")]
    assert len(mine) == 2
    for operation in mine:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=15, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            def fuzz(case) -> None:  # noqa: ANN001
                # identity: schemathesis's WSGI client does not undo Content-Encoding.
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"}
                )

            fuzz()


def test_a_rollup_row_created_by_two_transactions_at_once_counts_both(app, users):
    """Two requests adding the first value of a day's metric at the same time: the second
    waits for the first's row and adds to it (it used to fail on the unique constraint,
    losing its figures and badges; found by benchmarks/load_fault.py on PostgreSQL)."""
    import threading

    from sqlalchemy.orm import Session

    member = users["member"]
    day = datetime(2030, 1, 2, tzinfo=UTC).date()
    first = Session(bind=db.engine)
    deltas = rollups.Deltas()
    deltas.add(day, "replies", ["all"], 1)
    deltas.engagement[(users["admin"].id, member.id, day)] += 1
    deltas.flush(first)  # the row exists, uncommitted
    rollups.grant(first, member.id, "regular")
    errors: list[BaseException] = []

    def second_request() -> None:
        with app.app_context():
            session = Session(bind=db.engine)
            try:
                more = rollups.Deltas()
                more.add(day, "replies", ["all"], 2)
                more.engagement[(users["admin"].id, member.id, day)] += 1
                more.flush(session)  # waits for the first transaction
                rollups.grant(session, member.id, "regular")
                session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                session.close()

    thread = threading.Thread(target=second_request)
    thread.start()
    thread.join(0.5)  # the second transaction is now blocked on the first's row
    first.commit()
    first.close()
    thread.join(30)
    assert not errors
    db.session.expire_all()
    assert (
        db.session.scalar(select(DailyMetric.value).where(DailyMetric.day == day, DailyMetric.scope == "all"))
        == 3
    )
    assert db.session.scalar(select(Engagement.count).where(Engagement.day == day)) == 2
    assert db.session.scalars(select(Badge.code).where(Badge.user_id == member.id)).all() == ["regular"]


def _votes_rows() -> dict:
    db.session.expire_all()
    rows = db.session.execute(
        select(DailyMetric.day, DailyMetric.value).where(
            DailyMetric.scope == "all", DailyMetric.metric == "votes"
        )
    ).all()
    return {day: value for day, value in rows if value}


def test_votes_and_idea_statuses_are_kept_by_the_listeners(app, users):
    """Votes cast and withdrawn, ideas created, shipped and merged: the counters kept after
    each commit equal a recount from scratch, and the summary reads them."""
    a, b, c = (UserFactory(username=n) for n in ("ann", "ben", "cat"))
    db.session.commit()
    first = ideas.create_idea(a, "A lighter stove", "Under 300 grams.", language="en")
    second = ideas.create_idea(b, "A bigger vestibule", "Room for two packs.", language="en")
    duplicate = ideas.create_idea(c, "Lighter stoves please", "Under 300 grams too.", language="en")
    db.session.commit()
    ideas.vote(first, b)
    ideas.vote(first, c)
    ideas.vote(second, a)
    db.session.commit()
    ideas.unvote(first, c)
    db.session.commit()
    ideas.change_status(second, users["staff"], "planned", "In the 2027 range.")
    db.session.commit()
    ideas.merge(duplicate, first, users["moderator"])
    db.session.commit()
    today = utcnow().date()
    live = _votes_rows()
    assert live == {today: 5}  # three authors' own votes, b and a; c withdrew
    s = summary(Period(today, today))
    assert s.votes_over_time == {today: 5}
    assert s.ideas_by_status["new"] == 1 and s.ideas_by_status["planned"] == 1  # the duplicate is merged
    rollups.rebuild(db.session)
    db.session.commit()
    assert _votes_rows() == live
    assert summary(Period(today, today)).ideas_by_status == s.ideas_by_status


def test_refresh_command_recounts_votes_and_statuses(runner, community):
    db.session.execute(update(DailyMetric).where(DailyMetric.metric == "votes").values(value=0))
    db.session.execute(update(DailyMetric).where(DailyMetric.scope == "ideas").values(value=7))
    db.session.commit()
    assert summary(PERIOD).votes_over_time[at(2).date()] == 0
    result = runner.invoke(args=["dashboard", "refresh", "--from", "2026-03-01", "--to", "2026-03-31"])
    assert result.exit_code == 0 and "4 votes" in result.output, result.output
    s = summary(PERIOD)
    assert s.votes_over_time[at(2).date()] == 4
    assert (
        s.ideas_by_status["new"] == 1 and s.ideas_by_status["done"] == 1 and s.ideas_by_status["planned"] == 0
    )
    bad = runner.invoke(args=["dashboard", "refresh", "--from", "2026-03-31", "--to", "2026-03-01"])
    assert bad.exit_code != 0 and "Dashboard recounted" not in bad.output


CONTENT_TABLES = ("content_item", "topic", "reply", "review", "idea_vote", "idea_comment", "brand_response")


def test_summary_reads_rollups_not_content(community, count_queries):
    """The figures come from the rollups: no query of the summary scans a content table
    (only the ten most wanted ideas and the few tone examples are read, by index)."""
    with count_queries() as q:
        summary(PERIOD, examples=False)
    scans = [s for s in q.statements if re.search(rf"\bFROM ({'|'.join(CONTENT_TABLES)})\b", s)]
    # The one content read left: the most wanted ideas, ordered by the indexed vote count, ten at most.
    assert len(scans) == 1 and "ORDER BY idea.vote_count DESC" in scans[0] and "LIMIT" in scans[0], scans


def test_dashboard_query_count_does_not_grow_with_data(client, login, users, community, count_queries):
    """More of every kind (members, topics, replies, reviews, responses, ideas, votes,
    products): the page and the API answer with the same queries."""
    login("staff")
    urls = ["/dashboard/?from=2026-03-02&to=2026-03-29", "/api/v1/dashboard/summary?from=2026-03-02&to=2026-03-29",
            f"/dashboard/?from=2026-03-02&to=2026-03-29&product={community['product'].id}"]  # fmt: skip
    small = {}
    for url in urls:
        client.get(url)
        with count_queries() as q:
            assert client.get(url).status_code == 200
        small[url] = q.count
    people = [UserFactory(username=f"more{n}") for n in range(6)]
    db.session.commit()
    tents = community["category"]
    from models import ForumCategory

    gear = db.session.get(ForumCategory, community["items"]["q1"].category_id)
    for n, person in enumerate(people):
        product = reviews.save_product(None, None, slug=f"pack-{n}", name_en=f"Pack {n}", name_fr=f"Sac {n}",
                                       category_id=tents.id, description_en="A pack.")  # fmt: skip
        review = reviews.write_review(product, person, rating=1 + n % 5, title=f"Pack {n}",
                                      body="Comfortable straps, a good pack for long walks.")  # fmt: skip
        question = forum.open_topic(gear, person, f"Question {n}", "Which pegs for sand?", "question", "en")
        db.session.commit()
        reviews.respond(review, users["staff"], "Thank you.")
        forum.reply(question, users["staff"], "Long sand pegs.", "en")
        idea = ideas.create_idea(person, f"Idea {n}", "Something useful.", language="en")
        db.session.commit()
        for voter in people[:n]:
            ideas.vote(idea, voter)
        db.session.commit()
    with db.session.no_autoflush:
        db.session.execute(update(ContentItem).values(created_at=at(3, 10)))
        db.session.execute(update(IdeaVote).values(created_at=at(3, 11)))
    db.session.commit()
    rollups.rebuild(db.session)
    db.session.commit()
    for url in urls:
        client.get(url)
        with count_queries() as q:
            assert client.get(url).status_code == 200
        assert q.count == small[url], (url, "\n".join(s[:150] for s in q.statements))
    assert summary(PERIOD).activity_totals["reviews"] == 3 + len(people)
