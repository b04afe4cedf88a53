"""Keeping the dashboard's figures: contributions of each content item to the rollups.

One function, :func:`sync_item`, decides from an item's current state what it should
contribute (``counted``: published and written by a member rather than the brand) and
applies the difference, so listeners may run in any order and more than once. The
``rebuild`` command empties the tables and runs the same code over every item.

Idea votes are counted per day (metric ``votes``, scope ``all``) by the voting service itself,
in the vote's own transaction (:func:`count_vote`, an atomic upsert: many votes arrive at
once, and a listener's second connection per vote could exhaust the pool): +1 when a vote
is cast, -1 on the day it was cast when it is withdrawn. :func:`refresh_votes` recounts
chosen days from the votes themselves (``flask dashboard refresh``, e.g. nightly, repairs
what the services cannot see, such as votes removed with a deleted account).

A merge or a split (``community.forum.topic_tools``) changes posts' kind and topic without
events: it calls :func:`uncount_posts` before and :func:`recount_posts` after, in its own
transaction, so the figures match a rebuild at once.

The idea board's counts by status are current figures, not daily ones: rows of scope
``ideas`` on the placeholder day :data:`CURRENT`, recounted by :func:`refresh_idea_statuses`
whenever an idea is created, changes state or status, or is merged (ideas change rarely;
the dashboard is read often).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, with_polymorphic

from models import (
    Badge,
    ContentItem,
    ContentState,
    ContentTone,
    DailyMetric,
    Engagement,
    Idea,
    IdeaComment,
    IdeaVote,
    Reply,
    ResponseSample,
    Review,
    Topic,
    User,
    utcnow,
)

from . import tone

# The brand's own people: their writing is not counted as community activity or tone;
# their replies are the "official answers" whose delay is measured.
OFFICIAL_ROLES = ("staff", "admin")
ACTIVITY_METRICS = {
    "topic": "topics", "reply": "replies", "review": "reviews", "idea": "ideas",
    "idea_comment": "comments", "article_comment": "comments",
}  # fmt: skip
TOP_REVIEWER_REVIEWS = 5
VOTES = "votes"
IDEAS_SCOPE = "ideas"
CURRENT = date.min  # the "day" of current counters: outside every period the dashboard reads


def day_of(moment: datetime) -> date:
    return moment.date()


class Deltas:
    """Counter changes gathered in memory, written in one go by :meth:`flush`."""

    def __init__(self) -> None:
        self.daily: Counter[tuple[date, str, str]] = Counter()
        self.engagement: Counter[tuple[int, int, date]] = Counter()

    def add(self, day: date, metric: str, scopes: list[str], value: int) -> None:
        for scope in scopes:
            self.daily[(day, metric, scope)] += value

    def flush(self, session: Session) -> None:
        """Add the gathered changes with batched upserts (``INSERT ... ON CONFLICT DO
        UPDATE``, many rows per statement): a rebuild gathers a few hundred thousand keys,
        and two requests creating the same day's row at once both count, where "update,
        else insert" lost one of them to a unique violation (found by
        benchmarks/load_fault.py)."""
        _apply_counts(session, DailyMetric, ("day", "metric", "scope"), "value", self.daily)
        _apply_counts(session, Engagement, ("user_id", "engager_id", "day"), "count", self.engagement)
        self.daily.clear()
        self.engagement.clear()


def _insert(session: Session):  # noqa: ANN202
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite 3.24+ both do)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


_CHUNK = 500


def _apply_counts(session: Session, model, columns: tuple[str, ...], counter: str, changes: dict) -> None:  # noqa: ANN001
    rows = [
        {**dict(zip(columns, key, strict=True)), counter: value} for key, value in changes.items() if value
    ]
    if not rows:
        return
    table = model.__table__
    stmt = _insert(session)(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(columns), set_={counter: table.c[counter] + stmt.excluded[counter]}
    )
    for start in range(0, len(rows), _CHUNK):
        session.execute(stmt, rows[start : start + _CHUNK])
    # ORM objects of these rows loaded earlier in this session are stale now.
    for obj in [o for o in session.identity_map.values() if isinstance(o, model)]:
        session.expire(obj)


def item_text(item: ContentItem) -> str:
    parts = [getattr(item, "title", "") or "", item.body_source or ""]
    if isinstance(item, Review):
        parts += [item.pros or "", item.cons or ""]
    return "\n".join(p for p in parts if p)


def _review_scopes(session: Session, review: Review, cache: dict | None = None) -> tuple[int, int | None]:
    from models import Product

    key = ("product", review.product_id)
    if cache is not None and key in cache:
        return cache[key]
    category_id = session.scalar(select(Product.category_id).where(Product.id == review.product_id))
    found = (review.product_id, category_id)
    if cache is not None:
        cache[key] = found
    return found


def _parent_author(session: Session, item: ContentItem, cache: dict | None = None) -> int | None:
    """The member a reply or comment answers (the topic's or idea's author)."""
    if isinstance(item, Reply):
        parent_id = item.topic_id
    elif isinstance(item, IdeaComment):
        parent_id = item.idea_id
    else:
        return None
    key = ("author", parent_id)
    if cache is not None and key in cache:
        return cache[key]
    author = session.scalar(select(ContentItem.author_id).where(ContentItem.id == parent_id))
    if cache is not None:
        cache[key] = author
    return author


def sync_item(session: Session, item: ContentItem, deltas: Deltas, cache: dict | None = None) -> None:
    """Bring the rollups, the tone row and the response samples in line with ``item``."""
    if item.kind not in ACTIVITY_METRICS and item.kind not in ("brand_response", "article"):
        return
    row = session.get(ContentTone, item.id)
    if row is None:
        value = tone.score(item_text(item), item.language)
        row = ContentTone(
            content_id=item.id, kind=item.kind, author_id=item.author_id, day=day_of(item.created_at),
            score=value, label=tone.label(value), counted=False, official=item.author_role in OFFICIAL_ROLES,
        )  # fmt: skip
        session.add(row)
    # Counted: published, by someone, of a kind members write. The brand's own writing
    # is counted only in its author's figures (the radar lists staff apart).
    should = (
        item.state == ContentState.PUBLISHED and item.author_id is not None and item.kind in ACTIVITY_METRICS
    )
    if should != row.counted:
        _apply(session, item, row, deltas, 1 if should else -1, cache)
        row.counted = should
    _sync_samples(session, item, cache)


def _apply(session: Session, item: ContentItem, row: ContentTone, deltas: Deltas, sign: int, cache) -> None:  # noqa: ANN001
    day = row.day
    user_scope = [f"user:{item.author_id}"]
    deltas.add(day, "posts", user_scope, sign)
    deltas.add(day, f"tone_{row.label}", user_scope, sign)
    deltas.add(day, "tone_milli", user_scope, sign * round(row.score * 1000))
    if row.official:
        return
    scopes = ["all"]
    if isinstance(item, Review):
        product_id, category_id = _review_scopes(session, item, cache)
        scopes += [f"product:{product_id}"] + ([f"category:{category_id}"] if category_id else [])
        deltas.add(day, "rating_sum", scopes, sign * item.rating)
        deltas.add(day, "rating_count", scopes, sign)
        deltas.add(day, f"star_{item.rating}", scopes, sign)
    deltas.add(day, ACTIVITY_METRICS[item.kind], scopes, sign)
    deltas.add(day, f"tone_{row.label}", scopes, sign)
    parent_author = _parent_author(session, item, cache)
    if parent_author is not None and parent_author != item.author_id:
        deltas.add(day, "replies_received", [f"user:{parent_author}"], sign)
        deltas.engagement[(parent_author, item.author_id, day)] += sign


def _sync_samples(session: Session, item: ContentItem, cache) -> None:  # noqa: ANN001
    published = item.state == ContentState.PUBLISHED
    if isinstance(item, Topic) and item.topic_kind == "question" and item.author_role not in OFFICIAL_ROLES:
        sample = _sample(session, "question", item.id)
        if sample is None:
            sample = ResponseSample(kind="question", subject_id=item.id, asked_at=item.created_at)
            session.add(sample)
            first = _first_official_reply(session, item.id)
            if first is not None:
                _answer(sample, first)
        sample.active = published
    elif isinstance(item, Reply) and item.author_role in OFFICIAL_ROLES and published:
        sample = _sample(session, "question", item.topic_id)
        if sample is not None and (sample.answered_at is None or sample.answered_at > item.created_at):
            _answer(sample, item.created_at)
    elif isinstance(item, Review):
        sample = _sample(session, "review", item.id)
        if sample is None:
            product_id, category_id = _review_scopes(session, item, cache)
            sample = ResponseSample(
                kind="review", subject_id=item.id, asked_at=item.created_at, product_id=product_id,
                category_id=category_id,
            )  # fmt: skip
            session.add(sample)
        if item.responded_at is not None and sample.answered_at is None:
            _answer(sample, item.responded_at)
        sample.active = published


def _first_official_reply(session: Session, topic_id: int) -> datetime | None:
    """When the brand first answered a topic. Two index-driven steps (the topic's reply
    ids, then those rows by primary key): one joined query let SQLite walk the whole
    content table by its (state, created_at) index for every question."""
    table = Reply.__table__
    reply_ids = session.scalars(select(table.c.id).where(table.c.topic_id == topic_id)).all()
    first = None
    for start in range(0, len(reply_ids), 500):
        found = session.scalar(
            select(func.min(ContentItem.created_at)).where(
                ContentItem.id.in_(reply_ids[start : start + 500]),
                ContentItem.author_role.in_(OFFICIAL_ROLES),
                ContentItem.state == ContentState.PUBLISHED,
            )
        )
        if found is not None and (first is None or found < first):
            first = found
    return first


def _sample(session: Session, kind: str, subject_id: int) -> ResponseSample | None:
    return session.scalar(
        select(ResponseSample).where(ResponseSample.kind == kind, ResponseSample.subject_id == subject_id)
    )


def _answer(sample: ResponseSample, at: datetime) -> None:
    sample.answered_at = at
    sample.seconds = max(0, int((at - sample.asked_at).total_seconds()))


# --- merge and split -------------------------------------------------------------------------


def _posts(session: Session, post_ids: list[int]) -> list[ContentItem]:
    """The posts as topics or replies (one query a chunk), with their tone rows in the
    session's identity map so that :func:`sync_item` finds them without a query each."""
    posts = with_polymorphic(ContentItem, [Topic, Reply])
    found: list[ContentItem] = []
    for start in range(0, len(post_ids), _CHUNK):
        chunk = post_ids[start : start + _CHUNK]
        found += session.scalars(select(posts).where(posts.id.in_(chunk))).all()
        session.scalars(select(ContentTone).where(ContentTone.content_id.in_(chunk))).all()
    return found


def uncount_posts(session: Session, post_ids: Iterable[int]) -> None:
    """Before a merge or a split changes forum posts' kind (topic or reply), topic or
    state: take what they contribute now out of the rollups. :func:`recount_posts`
    counts them again once they have changed, in the same transaction."""
    deltas, cache = Deltas(), {}
    for item in _posts(session, sorted(set(post_ids))):
        row = session.get(ContentTone, item.id)
        if row is not None and row.counted:
            _apply(session, item, row, deltas, -1, cache)
            row.counted = False
    deltas.flush(session)
    session.flush()  # the restructuring expires the session's objects


def recount_posts(session: Session, post_ids: Iterable[int], topic_ids: Iterable[int]) -> None:
    """After a merge or a split: count the posts as they are now (as a rebuild would),
    and recompute the response samples of the questions ``topic_ids`` (a merged topic is
    no longer a question; a topic's first official answer may have moved)."""
    deltas, cache = Deltas(), {}
    for item in sorted(_posts(session, sorted(set(post_ids))), key=lambda i: (i.kind != "topic", i.id)):
        row = session.get(ContentTone, item.id)
        if row is not None:
            row.kind = item.kind
        sync_item(session, item, deltas, cache)
    deltas.flush(session)
    for topic_id in topic_ids:
        sample = _sample(session, "question", topic_id)
        if sample is None:
            continue
        if session.get(Topic, topic_id) is None:
            session.delete(sample)
            continue
        first = _first_official_reply(session, topic_id)
        if first is None:
            sample.answered_at = sample.seconds = None
        else:
            _answer(sample, first)
    session.flush()


def vote_changed(day: date, delta: int, deltas: Deltas) -> None:
    deltas.add(day, VOTES, ["all"], delta)


def count_vote(session: Session, day: date, delta: int) -> None:
    """Add ``delta`` to the day's vote counter inside the caller's transaction."""
    table = DailyMetric.__table__
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(table).values(day=day, metric=VOTES, scope="all", value=delta)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["scope", "day", "metric"],
                set_={"value": table.c.value + statement.excluded.value},
            )
        )
        return
    deltas = Deltas()
    vote_changed(day, delta, deltas)
    deltas.flush(session)


def _vote_days(session: Session, since: date | None = None, until: date | None = None) -> Counter[date]:
    """Votes cast per day (UTC), counted from the votes themselves (rebuild and refresh only)."""
    query = select(IdeaVote.created_at)
    if since is not None:
        query = query.where(IdeaVote.created_at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until is not None:
        query = query.where(
            IdeaVote.created_at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
        )
    days: Counter[date] = Counter()
    for (moment,) in session.execute(query.execution_options(yield_per=5000)):
        days[moment.date()] += 1
    return days


def refresh_votes(session: Session, since: date, until: date) -> int:
    """Recount the ``votes`` rollup of the days from ``since`` to ``until`` (inclusive);
    returns the number of votes found."""
    session.execute(
        delete(DailyMetric).where(DailyMetric.scope == "all", DailyMetric.metric == VOTES,
                                  DailyMetric.day >= since, DailyMetric.day <= until)
    )  # fmt: skip
    days = _vote_days(session, since, until)
    deltas = Deltas()
    for day, count in days.items():
        vote_changed(day, count, deltas)
    deltas.flush(session)
    return sum(days.values())


def refresh_idea_statuses(session: Session) -> dict[str, int]:
    """Recount the published, unmerged ideas by status into the ``ideas`` counters."""
    counts = {
        status: int(n)
        for status, n in session.execute(
            select(Idea.status, func.count())
            .where(Idea.state == ContentState.PUBLISHED, Idea.merged_into_id.is_(None))
            .group_by(Idea.status)
        )
    }
    stored = {
        row.metric: row
        for row in session.scalars(
            select(DailyMetric).where(DailyMetric.scope == IDEAS_SCOPE, DailyMetric.day == CURRENT)
        )
    }
    for metric, row in stored.items():
        row.value = counts.get(metric.removeprefix("status_"), 0)
    for status, n in counts.items():
        if f"status_{status}" not in stored:
            session.add(DailyMetric(day=CURRENT, metric=f"status_{status}", scope=IDEAS_SCOPE, value=n))
    session.flush()
    return counts


def new_member(session: Session, user: User, deltas: Deltas) -> None:
    if user.role not in OFFICIAL_ROLES:
        deltas.add(day_of(user.created_at), "members", ["all"], 1)


# --- badges --------------------------------------------------------------------------------

BADGES = ("first_post", "accepted_answer", "top_reviewer", "idea_shipped", "regular")


def grant(session: Session, user_id: int | None, code: str, content_id: int | None = None) -> None:
    if user_id is None:
        return
    exists = session.scalar(select(Badge.id).where(Badge.user_id == user_id, Badge.code == code))
    if exists is None:  # a concurrent request may grant it meanwhile: then nothing happens
        values = {"user_id": user_id, "code": code, "content_id": content_id, "granted_at": utcnow()}
        session.execute(
            _insert(session)(Badge)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "code"])
        )


def badges_for_item(session: Session, item: ContentItem) -> None:
    """Badges earned by writing ``item`` (a published contribution by a member)."""
    if item.state != ContentState.PUBLISHED or item.author_id is None or item.kind not in ACTIVITY_METRICS:
        return
    if item.author_role in OFFICIAL_ROLES:
        return
    grant(session, item.author_id, "first_post", item.id)
    if isinstance(item, Review):
        reviews = session.scalar(
            select(_count()).select_from(Review).where(
                Review.reviewer_id == item.author_id, ContentItem.state == ContentState.PUBLISHED
            )
        )  # fmt: skip
        if reviews >= TOP_REVIEWER_REVIEWS:
            grant(session, item.author_id, "top_reviewer", item.id)
    weeks = session.scalars(
        select(DailyMetric.day).where(DailyMetric.scope == f"user:{item.author_id}", DailyMetric.metric == "posts",
                                      DailyMetric.value > 0)
    ).all()  # fmt: skip
    if len({d.isocalendar()[:2] for d in weeks}) >= 4:
        grant(session, item.author_id, "regular", item.id)


def _count():  # noqa: ANN202
    return func.count()


def accepted(session: Session, reply_id: int) -> None:
    author = session.scalar(select(ContentItem.author_id).where(ContentItem.id == reply_id))
    grant(session, author, "accepted_answer", reply_id)


def idea_status(session: Session, idea_id: int, status: str) -> None:
    if status == "done":
        author = session.scalar(select(Idea.author_id).where(Idea.id == idea_id))
        grant(session, author, "idea_shipped", idea_id)


# --- rebuild -------------------------------------------------------------------------------


def rebuild(session: Session, batch: int = 2000) -> int:
    """Empty every rollup and recompute it from the content; returns items seen."""
    for model in (DailyMetric, Engagement, ResponseSample, ContentTone):
        session.execute(delete(model))
    session.flush()
    deltas = Deltas()
    cache: dict = {}
    seen = 0
    kinds = list(ACTIVITY_METRICS) + ["brand_response"]
    last_id = 0
    while True:
        items = session.scalars(
            select(ContentItem).where(ContentItem.kind.in_(kinds), ContentItem.id > last_id)
            .order_by(ContentItem.id).limit(batch)
        ).all()  # fmt: skip
        if not items:
            break
        # Questions first, then their answers, so each answer finds its sample.
        for item in sorted(items, key=lambda i: (i.kind != "topic", i.id)):
            sync_item(session, item, deltas, cache)
            seen += 1
        last_id = items[-1].id
        session.flush()
    for user in session.scalars(select(User)):
        new_member(session, user, deltas)
    for day, count in _vote_days(session).items():
        vote_changed(day, count, deltas)
    deltas.flush(session)
    refresh_idea_statuses(session)
    _rebuild_badges(session)
    return seen


def _rebuild_badges(session: Session) -> None:
    posters = session.execute(
        select(ContentItem.author_id, func.min(ContentItem.id))
        .where(ContentItem.kind.in_(list(ACTIVITY_METRICS)), ContentItem.state == ContentState.PUBLISHED,
               ContentItem.author_id.is_not(None), ContentItem.author_role.not_in(OFFICIAL_ROLES))
        .group_by(ContentItem.author_id)
    ).all()  # fmt: skip
    for author_id, first_id in posters:
        grant(session, author_id, "first_post", first_id)
    for reply_id in session.scalars(
        select(Topic.accepted_reply_id).where(Topic.accepted_reply_id.is_not(None))
    ):
        accepted(session, reply_id)
    for idea_id in session.scalars(select(Idea.id).where(Idea.status == "done")):
        idea_status(session, idea_id, "done")
    reviewers = session.execute(
        select(Review.reviewer_id, func.max(Review.id))
        .where(ContentItem.state == ContentState.PUBLISHED, Review.reviewer_id.is_not(None))
        .group_by(Review.reviewer_id)
        .having(func.count() >= TOP_REVIEWER_REVIEWS)
    ).all()  # fmt: skip
    for reviewer_id, review_id in reviewers:
        grant(session, reviewer_id, "top_reviewer", review_id)
    rows = session.execute(
        select(DailyMetric.scope, DailyMetric.day).where(DailyMetric.metric == "posts", DailyMetric.value > 0,
                                                         DailyMetric.scope.like("user:%"))
    ).all()  # fmt: skip
    weeks: dict[int, set] = {}
    for scope, day in rows:
        weeks.setdefault(int(scope.split(":")[1]), set()).add(day.isocalendar()[:2])
    for user_id, seen in weeks.items():
        if len(seen) >= 4:
            grant(session, user_id, "regular")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
