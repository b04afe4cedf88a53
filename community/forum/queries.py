"""Forum reads. Each page runs a fixed number of queries whatever the volume."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import defer, joinedload

from models import (
    ContentItem,
    ContentRevision,
    ContentState,
    ForumCategory,
    ForumPreference,
    ForumReaction,
    ForumRead,
    Reply,
    Topic,
    TopicKind,
    db,
)

from ..permissions import can

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 20
SORTS = ("activity", "newest", "active")
FILTERS = ("", "unanswered", "unofficial", "solved", "questions")


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int


def categories() -> list[ForumCategory]:
    return list(db.session.scalars(select(ForumCategory).order_by(ForumCategory.position, ForumCategory.id)))


def category_by_slug(slug: str) -> ForumCategory | None:
    return db.session.scalar(select(ForumCategory).where(ForumCategory.slug == slug))


def category(category_id: int) -> ForumCategory | None:
    return db.session.get(ForumCategory, category_id)


def latest_topics_of(cats: list[ForumCategory]) -> dict[int, Topic]:
    """The last active topic of each category, in one query."""
    ids = [c.last_topic_id for c in cats if c.last_topic_id]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Topic).where(Topic.id.in_(ids), Topic.state == ContentState.PUBLISHED.value)
        .options(joinedload(Topic.author))
    )  # fmt: skip
    return {t.id: t for t in rows}


def _published():
    return ContentItem.state == ContentState.PUBLISHED.value


_WITHOUT_BODY = (defer(Topic.body_source, raiseload=True), defer(Topic.body_html, raiseload=True))


def topic_list(
    category_id: int | None, *, sort: str = "activity", filter_: str = "", language: str = "", page: int = 1,
    per_page: int = TOPICS_PER_PAGE, known_total: int | None = None, count: bool = True, among: Any = None,
) -> Page:  # fmt: skip
    """Published topics, pinned first, sorted and filtered: two queries, or one when the
    total is known (a category's ``topic_count`` counter, unfiltered) or not wanted (the
    home page's blocks): counting a large category costs as much as the page itself.
    Lists never show the opening post's text: it is not loaded (reading it raises)."""
    where = [_published(), ContentItem.kind == "topic"]  # the kind lets indexes on kind serve
    if category_id is not None:
        where.append(Topic.category_id == category_id)
    if among is not None:  # a selection of topic ids known to hold the page
        where.append(Topic.id.in_(among))
    if language in ("en", "fr"):
        where.append(ContentItem.language == language)
    question = Topic.topic_kind == TopicKind.QUESTION.value
    if filter_ == "questions":
        where.append(question)
    elif filter_ == "unanswered":
        where += [question, Topic.reply_count == 0]
    elif filter_ == "unofficial":
        where += [question, Topic.has_official_answer.is_(False)]
    elif filter_ == "solved":
        where += [question, Topic.accepted_reply_id.is_not(None)]
    order = {
        "newest": [ContentItem.created_at.desc()],
        "active": [Topic.reply_count.desc(), Topic.last_activity_at.desc()],
    }.get(sort, [Topic.last_activity_at.desc()])
    if not count:
        total = per_page
    elif known_total is not None and not filter_ and language not in ("en", "fr"):
        total = known_total
    else:
        total = db.session.scalar(select(func.count(Topic.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    query = (
        select(Topic).where(*where)
        .order_by(Topic.is_pinned.desc(), *order, Topic.id.desc())
        .options(joinedload(Topic.author), joinedload(Topic.category), *_WITHOUT_BODY)
        .limit(per_page).offset((page - 1) * per_page)
    )  # fmt: skip
    return Page(list(db.session.scalars(query)), page, pages, total)


def read_marks(user, topic_ids: list[int]) -> dict[int, int]:  # noqa: ANN001
    """topic id -> last read position, for a signed-in member (one query)."""
    if not getattr(user, "is_authenticated", False) or not topic_ids:
        return {}
    rows = db.session.execute(
        select(ForumRead.topic_id, ForumRead.last_read_position).where(
            ForumRead.user_id == user.id, ForumRead.topic_id.in_(topic_ids)
        )
    )
    return {topic_id: position for topic_id, position in rows}


def language_preference(user) -> str:  # noqa: ANN001
    if not getattr(user, "is_authenticated", False):
        return ""
    pref = db.session.get(ForumPreference, user.id)
    return pref.language if pref else ""


def topic(topic_id: int) -> Topic | None:
    return db.session.scalar(
        select(Topic)
        .where(Topic.id == topic_id)
        .options(joinedload(Topic.author), joinedload(Topic.category))
    )


def post(post_id: int) -> Topic | Reply | None:
    item = db.session.get(ContentItem, post_id)
    return item if isinstance(item, Topic | Reply) else None


def visible_reply_and_topic(post_id: int, user) -> tuple[Reply, Topic] | None:  # noqa: ANN001
    """A reply and the topic that holds it, when ``user`` may see both: where a merged
    topic's address and a reply's permalink lead (pages and API). None otherwise, so that
    no redirect names a topic out of the reader's sight (its id, its title in the slug)."""
    item = post(post_id)
    if not isinstance(item, Reply):
        return None
    holder = topic(item.topic_id)
    if holder is None or not (can(user, "content.view", item) and can(user, "content.view", holder)):
        return None
    return item, holder


def page_of_position(position: int) -> int:
    """The topic page showing the post at ``position`` (the opening post is 0)."""
    return position // POSTS_PER_PAGE + 1


def page_count(topic: Topic) -> int:
    return page_of_position(topic.last_position)


def replies_on_page(topic: Topic, page: int) -> list[Reply]:
    """Replies by position range: page 250 costs what page 1 costs."""
    first = (page - 1) * POSTS_PER_PAGE
    last = page * POSTS_PER_PAGE - 1
    return list(
        db.session.scalars(
            select(Reply)
            .where(Reply.topic_id == topic.id, Reply.position.between(max(first, 1), last))
            .order_by(Reply.position)
            .options(joinedload(Reply.author))
        )
    )


def reply(reply_id: int | None) -> Reply | None:
    if reply_id is None:
        return None
    return db.session.scalar(select(Reply).where(Reply.id == reply_id).options(joinedload(Reply.author)))


def liked_ids(user, content_ids: list[int]) -> set[int]:  # noqa: ANN001
    if not getattr(user, "is_authenticated", False) or not content_ids:
        return set()
    return set(
        db.session.scalars(
            select(ForumReaction.content_id).where(
                ForumReaction.user_id == user.id, ForumReaction.content_id.in_(content_ids)
            )
        )
    )


def first_unread_position(user, topic: Topic) -> int:  # noqa: ANN001
    """Position of the first reply after the read mark (the last one if all read)."""
    mark = read_marks(user, [topic.id]).get(topic.id, 0) if user else 0
    position = db.session.scalar(
        select(func.min(Reply.position)).where(
            Reply.topic_id == topic.id, Reply.position > mark, _published()
        )
    )
    return position if position is not None else topic.last_position


def active_topics(limit: int = 5) -> list[Topic]:
    return topic_list(None, per_page=limit, count=False).items


def unanswered_questions(limit: int = 5) -> list[Topic]:
    """The home page's block: unanswered published questions, pinned first, then newest.

    The list is ``topic_list(filter_="unanswered", sort="newest")``, restricted to its only
    possible members: the pinned topics and the ``limit`` newest unpinned unanswered
    questions, found by walking ``ix_content_item_kind_state_created`` newest first and
    asking each topic's row. Otherwise the database reads every unanswered question's
    content row (their text comes first in the row) to sort them: 11 ms at 100,000 posts
    on SQLite, against well under 1 ms."""
    item, candidate, pinned = (
        ContentItem.__table__.alias("ci"),
        Topic.__table__.alias("ft"),
        Topic.__table__.alias("fp"),
    )
    unanswered_unpinned = (
        select(candidate.c.id)
        .where(
            candidate.c.id == item.c.id,
            candidate.c.topic_kind == TopicKind.QUESTION.value,
            candidate.c.reply_count == 0,
            candidate.c.is_pinned.is_(False),
        )
        .exists()
    )
    newest = (
        select(item.c.id)
        .where(item.c.kind == "topic", item.c.state == ContentState.PUBLISHED.value, unanswered_unpinned)
        .order_by(item.c.created_at.desc(), item.c.id.desc())
        .limit(limit)
        .subquery()
    )
    candidates = union_all(select(newest.c.id), select(pinned.c.id).where(pinned.c.is_pinned.is_(True)))
    return topic_list(
        None, filter_="unanswered", sort="newest", per_page=limit, count=False, among=candidates
    ).items


def sitemap_entries():
    rows = db.session.execute(
        select(Topic.id, Topic.slug, Topic.last_activity_at).where(_published()).order_by(Topic.id)
    )
    return rows.all()


def revisions(content_id: int) -> list[ContentRevision]:
    return list(
        db.session.scalars(
            select(ContentRevision)
            .where(ContentRevision.content_id == content_id)
            .order_by(ContentRevision.id.desc())
            .options(joinedload(ContentRevision.editor))
        )
    )


# --- moderators' topic tools ----------------------------------------------------------------------

_TOPIC_URL = re.compile(r"/forum/t/(?:[^/?#]+/)?(\d+)(?:[/?#]|$)")
_POST_URL = re.compile(r"/p/(\d+)(?:[/?#]|$)")
MERGE_SEARCH_LIMIT = 10


def topic_by_reference(text: str | None) -> Topic | None:
    """The topic a moderator means by a number, a topic address or a post's permalink."""
    value = (text or "").strip()
    topic_id = None
    if value.isascii() and value.isdecimal():
        topic_id = int(value)
    elif match := _TOPIC_URL.search(value):
        topic_id = int(match.group(1))
    elif match := _POST_URL.search(value):
        item = post(int(match.group(1))) if int(match.group(1)) < 2**31 else None
        topic_id = item.id if isinstance(item, Topic) else getattr(item, "topic_id", None)
    if topic_id is None or not 0 < topic_id < 2**31:
        return None
    return topic(topic_id)


def find_topics(text: str, exclude_id: int, limit: int = MERGE_SEARCH_LIMIT) -> list[Topic]:
    """Topics whose title contains ``text`` (not deleted), newest activity first: the
    merge form's search (one query)."""
    words = " ".join((text or "").split())[:100]
    if len(words) < 2:
        return []
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").lower() + "%"
    return list(
        db.session.scalars(
            select(Topic)
            .where(
                func.lower(Topic.title).like(pattern, escape="\\"),
                Topic.id != exclude_id,
                ContentItem.state == ContentState.PUBLISHED.value,  # no hidden or pending titles
            )
            .order_by(Topic.last_activity_at.desc(), Topic.id.desc())
            .limit(limit)
            .options(joinedload(Topic.category))
        )
    )


def related_topics(user, title: str, limit: int = 5) -> list:  # noqa: ANN001
    """Topics like the title being written (new-topic form), from the search index;
    none when search is unavailable."""
    from ..search.queries import similar_or_none

    if len((title or "").strip()) < 3:
        return []
    return similar_or_none(user, title, ["topic"], limit) or []
