"""Seed a community at benchmark scale, fast: 100,000 forum posts, 10,000 reviews, 2,000 ideas.

    INSTANCE_PATH=/tmp/big SECRET_KEY=x .venv/bin/python benchmarks/seed_scale.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/big SEARCH_BACKEND=postgres \\
        INSTANCE_PATH=/tmp/bigpg SECRET_KEY=x .venv/bin/python benchmarks/seed_scale.py
    .venv/bin/python benchmarks/seed_scale.py --posts 200 --reviews 400 --ideas 40 --members 60   # tiny

The database must be empty (it is migrated to head first). Steps:

1. ``flask demo seed`` (scale 1) through the content services: accounts, forum
   categories, the product catalogue, blog, ideas and every feature's own demo data.
2. Bulk volume with Core ``executemany`` inserts, up to the totals asked for (the demo's
   own items count): members, forum topics and replies in the four member categories
   with one long topic (``--long-topic`` replies), reviews with brand responses and
   helpful votes, ideas with votes, status changes and comments. The rows are the ones
   the services would write: HTML rendered by ``community.content.services.render``
   (``community/markup.py`` plus the render transforms), reply positions, topic and
   category counters, last activity, accepted answers and official-answer flags,
   product rating aggregates, idea vote counts and trending scores. New posts have no
   revisions (the services keep one only on edit).
3. ``flask dashboard rebuild`` (the rollups), then ``flask search rebuild``.

Text: the demo seeders' French and English sentences, and real English clothing reviews
from ``/work/shared/data/reviews_en.jsonl`` (CC0 1.0, "Women's E-Commerce Clothing
Reviews", nicapotato, Kaggle; see SOURCES.md there) for review texts, discussion
topics and replies. Dates spread over the last 365 days, more recent activity
being denser. Deterministic (``--seed``). Never part of the test suite (a tiny-scale
run is, in ``tests/test_seed_scale.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REAL_REVIEWS = Path(os.environ.get("BENCH_REVIEWS_JSONL", "/work/shared/data/reviews_en.jsonl"))
BATCH = 2000


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Clock:
    """Random moments in the last ``days`` days, denser towards now."""

    def __init__(self, rng: random.Random, now: datetime, days: int = 365) -> None:
        self.rng, self.now, self.days = rng, now, days

    def moment(self) -> datetime:
        # age = days * u^1.6: recent weeks busier than a year ago.
        age = self.days * (self.rng.random() ** 1.6)
        return self.now - timedelta(days=age)


def load_real_reviews() -> list[dict]:
    if not REAL_REVIEWS.exists():
        from community.reviews.demo import _english

        return _english()
    out = []
    with REAL_REVIEWS.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if len(row["body"].strip()) >= 30:
                out.append(row)
    return out


class Seeder:
    def __init__(self, args: argparse.Namespace) -> None:
        from models import utcnow

        self.args = args
        self.rng = random.Random(args.seed)
        self.now = utcnow().replace(microsecond=0)
        self.clock = Clock(self.rng, self.now - timedelta(minutes=30))
        self.html_cache: dict[str, str] = {}
        self.real = load_real_reviews()
        self.rng.shuffle(self.real)
        self.real_i = 0
        self.timings: dict[str, float] = {}

    # --- helpers -----------------------------------------------------------------------

    def render(self, source: str) -> str:
        from community.content.services import render
        from community.markup import clean_source

        source = clean_source(source)
        html = self.html_cache.get(source)
        if html is None:
            html = self.html_cache[source] = render(source)
        return html

    def real_review(self) -> dict:
        row = self.real[self.real_i % len(self.real)]
        self.real_i += 1
        return row

    def next_ids(self) -> None:
        from sqlalchemy import func, select

        from models import ContentItem, User, db

        self.next_content = (db.session.scalar(select(func.max(ContentItem.id))) or 0) + 1
        self.next_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1

    def content_id(self) -> int:
        value = self.next_content
        self.next_content += 1
        return value

    def content_row(self, cid: int, kind: str, author: dict, source: str, lang: str, at: datetime) -> dict:
        from community.markup import clean_source

        source = clean_source(source)
        return {
            "id": cid, "kind": kind, "author_id": author["id"], "body_source": source,
            "body_html": self.render(source), "state": "published", "hidden_reason": None,
            "language": lang, "created_at": at, "edited_at": None, "author_role": author["role"],
        }  # fmt: skip

    def insert(self, table, rows: list[dict]) -> None:  # noqa: ANN001
        from models import db

        for start in range(0, len(rows), BATCH):
            db.session.execute(table.insert(), rows[start : start + BATCH])

    # --- steps ---------------------------------------------------------------------------

    def load_context(self) -> None:
        from sqlalchemy import select

        from models import ForumCategory, Product, User, db

        self.staff = [
            {"id": u.id, "role": u.role, "locale": u.locale or "en"}
            for u in db.session.scalars(select(User).where(User.role.in_(["staff", "admin"])))
        ]
        self.members = [
            {"id": u.id, "role": u.role, "locale": u.locale or "en"}
            for u in db.session.scalars(select(User).where(User.role == "member"))
        ]
        self.categories = {c.slug: c.id for c in db.session.scalars(select(ForumCategory))}
        self.products = [
            {"id": p.id, "name_en": p.name_en, "name_fr": p.name_fr, "slug": p.slug}
            for p in db.session.scalars(select(Product).where(Product.active.is_(True)))
        ]

    def add_members(self, count: int) -> None:
        from community.demo import BIOS, FIRST_NAMES, LAST_NAMES
        from models import User, db

        hash_ = db.session.scalar(db.select(User.password_hash).where(User.role == "member").limit(1))
        rows = []
        for _ in range(count):
            uid = self.next_user
            self.next_user += 1
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            lang = self.rng.choice(["fr", "en"])
            username = f"{first}.{last}.b{uid}".lower()
            for a, b in (("é", "e"), ("ë", "e"), ("ï", "i"), ("è", "e")):
                username = username.replace(a, b)
            joined = self.clock.moment() - timedelta(days=self.rng.randint(0, 200))
            rows.append({
                "id": uid, "username": username, "email": f"bench{uid}@demo.boreal.example",
                "password_hash": hash_, "display_name": f"{first} {last}", "bio": self.rng.choice(BIOS[lang]),
                "locale": lang, "role": "member", "trust_level": self.rng.choice([1, 1, 2, 2, 3]),
                "session_version": 1, "is_active": True, "email_confirmed_at": joined, "created_at": joined,
            })  # fmt: skip
            self.members.append({"id": uid, "role": "member", "locale": lang})
        self.insert(User.__table__, rows)

    def member(self) -> dict:
        # A few very active members, a long tail of occasional ones.
        n = len(self.members)
        return self.members[min(n - 1, int(n * (self.rng.random() ** 2.2)))]

    def forum(self, target_posts: int) -> None:
        from sqlalchemy import func, select

        from community.forum import demo as fdemo
        from community.forum.services import slugify
        from models import ContentItem, Reply, Topic, db

        existing = db.session.scalar(
            select(func.count()).select_from(ContentItem).where(ContentItem.kind.in_(["topic", "reply"]))
        )
        budget = max(0, target_posts - existing)
        items, topics, replies = [], [], []
        rng = self.rng
        staff = [s for s in self.staff if s["role"] == "staff"] or self.staff
        fr_pool = (
            fdemo.REPLIES["fr"]
            + [b for _t, b in fdemo.QUESTIONS["fr"]]
            + [
                body
                for texts in __import__("community.reviews.demo", fromlist=["FR"]).FR.values()
                for _t, body in texts
            ]
        )

        def fr_text(product: str) -> str:
            n = rng.choice([1, 1, 2, 3])
            return " ".join(rng.choice(fr_pool).format(p=product) for _ in range(n))

        def en_text(product: str) -> str:
            if rng.random() < 0.4:
                return rng.choice(fdemo.REPLIES["en"])
            return self.real_review()["body"]

        def new_topic(
            slug: str, author: dict, title: str, body: str, kind: str, lang: str, at: datetime
        ) -> dict:
            cid = self.content_id()
            items.append(self.content_row(cid, "topic", author, body, lang, at))
            topic = {
                "id": cid, "category_id": self.categories[slug], "title": title[:200], "slug": slugify(title),
                "topic_kind": kind, "is_locked": False, "is_pinned": False, "reply_count": 0,
                "view_count": 0, "like_count": 0, "last_position": 0, "last_activity_at": at,
                "last_reply_id": None, "accepted_reply_id": None, "has_official_answer": False,
            }  # fmt: skip
            topics.append(topic)
            return topic

        def add_reply(topic: dict, author: dict, body: str, lang: str, at: datetime) -> dict:
            cid = self.content_id()
            items.append(self.content_row(cid, "reply", author, body, lang, at))
            topic["last_position"] += 1
            topic["reply_count"] += 1
            topic["last_activity_at"] = max(topic["last_activity_at"], at)
            topic["last_reply_id"] = cid
            if author["role"] in ("staff", "admin"):
                topic["has_official_answer"] = True
            row = {"id": cid, "topic_id": topic["id"], "position": topic["last_position"], "like_count": 0}
            replies.append(row)
            return row

        # One long topic: its replies spread over the year.
        long_n = min(self.args.long_topic, max(0, budget - 1))
        if budget > 0:
            start = self.now - timedelta(days=364)
            long_topic = new_topic(
                "trips", self.members[0], "Photo thread 2: your tents at camp / vos tentes au bivouac",
                "Post a picture of your tent at camp and tell us where it was. Suite du premier fil !",
                "discussion", "fr", start,
            )  # fmt: skip
            long_topic["view_count"] = 40 * long_n
            step = (self.now - timedelta(minutes=40) - start) / max(long_n, 1)
            for i in range(long_n):
                lang = rng.choice(["en", "fr"])
                body = rng.choice(fdemo.REPLIES[lang]) + f" (#{i + 1})"
                if lang == "en" and rng.random() < 0.5:
                    body = self.real_review()["body"] + f" (#{i + 1})"
                add_reply(long_topic, self.member(), body, lang, start + step * (i + 1))
            budget -= long_n + 1
        shape = [0, 0, 1, 1, 2, 3, 4, 6, 8, 12, 20, 35]
        while budget > 0:
            slug = rng.choice(["tents", "clothing", "kit", "trips"])
            lang = rng.choice(["en", "fr"])
            product = rng.choice(fdemo.PRODUCTS[slug])
            is_question = slug != "trips" and rng.random() < 0.7
            author = self.member()
            at = self.clock.moment()
            if is_question:
                title, body = rng.choice(fdemo.QUESTIONS[lang])
                title, body = title.format(p=product), body.format(p=product)
            elif lang == "en" and rng.random() < 0.7:
                real = self.real_review()
                title = real["title"] if real["title"] and len(real["title"]) >= 5 else None
                title = (
                    f"{product}: {title}"
                    if title
                    else rng.choice(fdemo.DISCUSSIONS["en"])[0].format(p=product)
                )
                body = real["body"]
            else:
                title, body = rng.choice(fdemo.DISCUSSIONS[lang])
                title, body = title.format(p=product), body.format(p=product)
                if lang == "fr":
                    body += " " + fr_text(product)
            topic = new_topic(
                slug, author, title, body, "question" if is_question else "discussion", lang, at
            )
            topic["view_count"] = rng.randint(5, 400)
            budget -= 1
            n = min(budget, rng.choice(shape))
            moments = sorted(at + timedelta(minutes=rng.randint(5, 60 * 24 * 10)) for _ in range(n))
            moments = [m for m in moments if m < self.now]
            last = None
            for m in moments:
                last = add_reply(
                    topic, self.member(), en_text(product) if lang == "en" else fr_text(product), lang, m
                )
            budget -= len(moments)
            if is_question and budget > 0 and rng.random() < 0.5:
                answer_at = at + timedelta(minutes=rng.randint(20, 60 * 48))
                if answer_at < self.now:
                    answer = add_reply(
                        topic, rng.choice(staff), fdemo.STAFF_ANSWERS[lang].format(p=product), lang, answer_at
                    )
                    budget -= 1
                    # Positions follow time: a staff answer added last may predate member replies.
                    if rng.random() < 0.6:
                        topic["accepted_reply_id"] = answer["id"]
                    last = None
            if is_question and last is not None and topic["accepted_reply_id"] is None and rng.random() < 0.3:
                topic["accepted_reply_id"] = last["id"]
        self._fix_positions(items, replies, topics)
        self.insert(ContentItem.__table__, items)
        self.insert(Topic.__table__, topics)
        self.insert(Reply.__table__, replies)
        self.forum_counts = (len(topics), len(replies))

    @staticmethod
    def _fix_positions(items: list[dict], replies: list[dict], topics: list[dict]) -> None:
        """Positions in order of time within each topic (the services number replies as they come)."""
        created = {row["id"]: row["created_at"] for row in items}
        by_topic: dict[int, list[dict]] = defaultdict(list)
        for row in replies:
            by_topic[row["topic_id"]].append(row)
        for topic in topics:
            rows = by_topic.get(topic["id"], [])
            rows.sort(key=lambda r: (created[r["id"]], r["id"]))
            for pos, row in enumerate(rows, 1):
                row["position"] = pos
            if rows:
                topic["last_reply_id"] = rows[-1]["id"]
                topic["last_activity_at"] = created[rows[-1]["id"]]

    def reviews(self, target: int) -> None:
        from sqlalchemy import func, select

        from community.reviews import demo as rdemo
        from models import BrandResponse, ContentItem, HelpfulVote, Review, db

        rng = self.rng
        existing = db.session.scalar(select(func.count()).select_from(Review))
        taken = set(db.session.execute(select(Review.product_id, Review.reviewer_id)).tuples())
        budget = max(0, target - existing)
        staff = [s for s in self.staff if s["role"] == "staff"] or self.staff
        items, reviews, responses, votes = [], [], [], []
        weights = [1, 2, 3, 6, 8]
        attempts = 0
        while budget > 0 and attempts < target * 20:
            attempts += 1
            product = rng.choice(self.products)
            author = self.member()
            if (product["id"], author["id"]) in taken:
                continue
            taken.add((product["id"], author["id"]))
            lang = author["locale"] if rng.random() < 0.8 else rng.choice(["en", "fr"])
            if lang == "fr":
                rating = rng.choices(range(1, 6), weights=weights)[0]
                title, body = rng.choice(rdemo.FR[rating])
                would = rating >= 3
            else:
                real = self.real_review()
                rating, body, would = int(real["rating"]), real["body"], bool(real["recommended"])
                title = real["title"] or " ".join(body.split()[:6])
            at = self.clock.moment()
            cid = self.content_id()
            items.append(self.content_row(cid, "review", author, body, lang, at))
            review = {
                "id": cid, "product_id": product["id"], "reviewer_id": author["id"], "title": title.strip()[:200],
                "rating": rating, "pros": "", "cons": "", "would_recommend": would,
                "experienced_on": (at - timedelta(days=rng.randint(3, 200))).date(),
                "incentivized": False, "incentive_note": "", "helpful_count": 0, "counted_rating": rating,
                "responded_at": None, "response_seconds": None,
            }  # fmt: skip
            voters = {self.member()["id"] for _ in range(rng.choice([0, 0, 0, 1, 2, 4, 7]))} - {author["id"]}
            for voter in voters:
                votes.append(
                    {
                        "review_id": cid,
                        "user_id": voter,
                        "created_at": at + timedelta(hours=rng.randint(1, 500)),
                    }
                )
            review["helpful_count"] = len(voters)
            if rng.random() < 0.25 or (rating <= 2 and rng.random() < 0.6):
                answered = at + timedelta(minutes=rng.randint(30, 60 * 24 * 6))
                if answered < self.now:
                    rid = self.content_id()
                    items.append(
                        self.content_row(
                            rid, "brand_response", rng.choice(staff), rdemo.RESPONSES[lang], lang, answered
                        )
                    )
                    responses.append({"id": rid, "review_id": cid})
                    review["responded_at"] = answered
                    review["response_seconds"] = int((answered - at).total_seconds())
            reviews.append(review)
            budget -= 1
        self.insert(ContentItem.__table__, items)
        self.insert(Review.__table__, reviews)
        self.insert(BrandResponse.__table__, responses)
        self.insert(HelpfulVote.__table__, votes)
        self.review_counts = (len(reviews), len(responses), len(votes))

    def ideas(self, target: int) -> None:
        from sqlalchemy import func, select

        from community.ideas.services import vote_weight
        from models import ContentItem, Idea, IdeaComment, IdeaStatusChange, IdeaVote, db
        from models.idea import fold_text

        rng = self.rng
        existing = db.session.scalar(select(func.count()).select_from(Idea))
        budget = max(0, target - existing)
        features = {
            "en": ["A lighter version of the {p}", "USB-C charging on the {p}", "More colours for the {p}",
                   "A women's cut of the {p}", "Recycled fabric for the {p}", "Spare parts for the {p} sold separately",
                   "A repair kit with the {p}", "A longer warranty on the {p}", "Bigger pockets on the {p}",
                   "A kids' size of the {p}", "A stuff sack that fits the {p}", "Reflective details on the {p}"],
            "fr": ["Une version allégée du {p}", "Recharge USB-C pour le {p}", "Plus de couleurs pour le {p}",
                   "Une coupe femme du {p}", "Du tissu recyclé pour le {p}", "Des pièces détachées du {p}",
                   "Un kit de réparation avec le {p}", "Une garantie plus longue sur le {p}",
                   "Des poches plus grandes sur le {p}", "Une taille enfant du {p}", "Une housse adaptée au {p}"],
        }  # fmt: skip
        bodies = {
            "en": ["I use the {p} every weekend and this would make a real difference on long trips.",
                   "Several of us asked in the forum: please consider it for the next version of the {p}.",
                   "It would save weight and make the {p} easier to recommend to friends."],
            "fr": ["J'utilise le {p} tous les week-ends et ce serait un vrai plus en itinérance.",
                   "Plusieurs membres l'ont demandé sur le forum : pensez-y pour la prochaine version du {p}.",
                   "Ce serait plus léger et le {p} serait encore plus facile à conseiller."],
        }  # fmt: skip
        comments_text = {
            "en": ["+1, I would buy it.", "Same here, especially for winter trips.", "Not sure it is worth the extra weight."],
            "fr": ["+1, je l'achèterais.", "Pareil, surtout pour l'hiver.", "Pas sûr que ça vaille le poids en plus."],
        }  # fmt: skip
        statuses = ["new"] * 12 + ["under_review"] * 3 + ["planned"] * 2 + ["in_progress", "done", "declined"]
        staff = [s for s in self.staff if s["role"] == "staff"] or self.staff
        items, ideas, votes, changes, comments = [], [], [], [], []
        for _ in range(budget):
            lang = rng.choice(["en", "fr"])
            product = rng.choice(self.products)
            name = product["name_fr"] if lang == "fr" else product["name_en"]
            title = rng.choice(features[lang]).format(p=name)
            body = rng.choice(bodies[lang]).format(p=name)
            author = self.member()
            at = self.clock.moment()
            cid = self.content_id()
            items.append(self.content_row(cid, "idea", author, body, lang, at))
            status = rng.choice(statuses)
            voters = [author["id"]] + [self.member()["id"] for _ in range(int(rng.random() ** 3 * 80))]
            seen, score, last = set(), 0.0, at
            for uid in voters:
                if uid in seen:
                    continue
                seen.add(uid)
                when = (
                    at
                    if uid == author["id"]
                    else min(self.now, at + timedelta(hours=rng.randint(1, 24 * 60)))
                )
                votes.append({"idea_id": cid, "user_id": uid, "created_at": when, "original_idea_id": None})
                score += vote_weight(when)
                last = max(last, when)
            n_comments = rng.choice([0, 0, 0, 1, 2, 3])
            for _c in range(n_comments):
                kid = self.content_id()
                when = min(self.now, at + timedelta(hours=rng.randint(1, 24 * 30)))
                items.append(
                    self.content_row(
                        kid, "idea_comment", self.member(), rng.choice(comments_text[lang]), lang, when
                    )
                )
                comments.append({"id": kid, "idea_id": cid})
                last = max(last, when)
            if status != "new":
                when = min(self.now, at + timedelta(days=rng.randint(1, 40)))
                changes.append({"idea_id": cid, "from_status": "new", "to_status": status,
                                "author_id": rng.choice(staff)["id"], "note": "", "created_at": when})  # fmt: skip
            ideas.append({
                "id": cid, "title": title, "title_folded": fold_text(title), "status": status,
                "vote_count": len(seen), "comment_count": n_comments, "trending_score": score,
                "product_ref": name[:80], "merged_into_id": None, "merged_at": None, "merged_by_id": None,
                "last_activity_at": last,
            })  # fmt: skip
        self.insert(ContentItem.__table__, items)
        self.insert(Idea.__table__, ideas)
        self.insert(IdeaComment.__table__, comments)
        self.insert(IdeaVote.__table__, votes)
        self.insert(IdeaStatusChange.__table__, changes)
        self.idea_counts = (len(ideas), len(votes), len(comments))

    def finish_counters(self) -> None:
        from sqlalchemy import func, select, text, update

        from community.forum.services import refresh_category
        from community.reviews.services import recompute_aggregates
        from models import Product, Review, db

        for cat_id in self.categories.values():
            refresh_category(cat_id)
        for product in self.products:
            values = recompute_aggregates(product["id"])
            values["last_review_at"] = db.session.scalar(
                select(func.max(Review.created_at)).where(
                    Review.product_id == product["id"], Review.state == "published"
                )
            )
            db.session.execute(update(Product).where(Product.id == product["id"]).values(**values))
        db.session.flush()
        if db.engine.dialect.name == "postgresql":
            for table in ("content_item", "user", "idea_vote", "review_helpful_vote", "idea_status_change"):
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
                    )
                )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000, help="forum posts in all (topics + replies)")
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--ideas", type=int, default=2_000)
    parser.add_argument("--members", type=int, default=3_000, help="members added to the demo's")
    parser.add_argument("--long-topic", type=int, default=5_000, help="replies in the long topic")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-search", action="store_true", help="skip the search rebuild")
    parser.add_argument("--no-dashboard", action="store_true", help="skip the dashboard rebuild")
    return parser.parse_args(argv)


def seed_all(app, args: argparse.Namespace) -> dict:  # noqa: ANN001
    """Seed an empty, migrated database (inside ``app``'s application context)."""
    from sqlalchemy import text

    from community import events
    from community.content.services import policies_suspended
    from models import db

    started = time.perf_counter()
    timings: dict[str, float] = {}

    def step(name: str, t0: float) -> float:
        timings[name] = time.perf_counter() - t0
        log(f"{name}: {timings[name]:.1f} s")
        return time.perf_counter()

    t = time.perf_counter()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed"])
    if result.exit_code != 0:
        log(result.output)
        raise RuntimeError(f"demo seed failed: {result.exception!r}")
    t = step("demo seed (services)", t)
    seeder = Seeder(args)
    with policies_suspended(), events.muted():
        seeder.next_ids()
        seeder.load_context()
        seeder.add_members(args.members)
        t = step("members", t)
        seeder.forum(args.posts)
        t = step("forum", t)
        seeder.reviews(args.reviews)
        t = step("reviews", t)
        seeder.ideas(args.ideas)
        t = step("ideas", t)
        seeder.finish_counters()
        db.session.commit()
        t = step("counters", t)
        from community.database import analyze

        analyze()  # planner statistics, as `flask analyze` after a large import
        t = step("analyze", t)
    if not args.no_dashboard:
        from community.dashboard import rollups

        rollups.rebuild(db.session)
        db.session.commit()
        t = step("dashboard rebuild", t)
    if not args.no_search:
        result = runner.invoke(args=["search", "rebuild"])
        if result.exit_code != 0:
            log(result.output)
            raise RuntimeError(f"search rebuild failed: {result.exception!r}")
        log(result.output.strip().splitlines()[-1])
        t = step("search rebuild", t)
    counts = {
        kind: n
        for kind, n in db.session.execute(text("SELECT kind, count(*) FROM content_item GROUP BY kind"))
    }
    return {
        "counts": counts,
        "members": db.session.scalar(text('SELECT count(*) FROM "user"')),
        "idea_votes": db.session.scalar(text("SELECT count(*) FROM idea_vote")),
        "seconds": round(time.perf_counter() - started, 1),
        "steps": {k: round(v, 1) for k, v in timings.items()},
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "bench")
    from flask_migrate import upgrade

    from community import create_app

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        summary = seed_all(app, args)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
