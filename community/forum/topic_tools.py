"""Moderators' topic tools that restructure topics: merge two topics, split replies off
into a new topic.

A topic's opening post is the topic row itself (kind ``topic``); a reply is a
``forum_reply`` row (kind ``reply``). Merging turns the source's opening post into a
reply of the target, and splitting turns the first selected reply into the opening
post of the new topic, **keeping each item's id**: flags, likes, revisions,
notifications, search documents and permalinks (``/p/<id>``) follow the post.
The source topic's address then answers with a permanent redirect to where its
opening post now lives (see ``views.topic``).

Replies are read by position range (``queries.replies_on_page``), so both tools
renumber the positions of every topic they touch (1, 2, 3... without gaps), and
remap members' read marks so that "first unread" still points at the first post
they have not seen. Counters, last activity, category figures and the search
outbox follow, and the dashboard's rollups count the posts by their new kind and
topic in the same transaction; no notification is sent. Like every service: add and
flush only, the caller commits; everything is checked before anything is written.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm.util import identity_key

from models import ContentItem, ContentState, ForumCategory, ForumRead, Reply, Topic, User, Watch, db, utcnow

from ..dashboard import rollups
from ..errors import InvalidInput, PermissionDenied
from ..permissions import can
from ..search.outbox import queue_reindex
from .services import clean_title, refresh_category, refresh_topic, slugify

SPLIT_MAX = 500

_reply = Reply.__table__
_topic = Topic.__table__
_item = ContentItem.__table__
_read = ForumRead.__table__


@dataclass(frozen=True)
class _Post:
    id: int
    origin: int  # the topic it comes from
    position: int  # its position there (the opening post is 0)
    created_at: datetime


def _refuse_unless_moderator(actor: User, topic: Topic) -> None:
    if not can(actor, "forum.moderate_topic", topic):
        raise PermissionDenied(_l("Only the moderators of this category may do that."))


def _replies(topic_ids: Iterable[int]) -> list[_Post]:
    rows = db.session.execute(
        select(Reply.id, Reply.topic_id, Reply.position, Reply.created_at).where(Reply.topic_id.in_(list(topic_ids)))
    )  # fmt: skip
    return [_Post(*row) for row in rows]


def _forget(content_id: int) -> None:
    """Drop the session's object for an item whose kind is about to change."""
    obj = db.session.identity_map.get(identity_key(ContentItem, content_id))
    if obj is not None:
        db.session.expunge(obj)


def _renumber(moves: dict[int, tuple[int, int]]) -> None:
    """Give replies ``id -> (topic_id, position)`` in two passes, so that the
    unique (topic_id, position) constraint never sees two posts at one place."""
    if not moves:
        return
    db.session.execute(
        update(_reply).where(_reply.c.id == bindparam("rid")).values(topic_id=bindparam("tid"), position=bindparam("pos")),
        [{"rid": rid, "tid": tid, "pos": -pos} for rid, (tid, pos) in moves.items()],
    )  # fmt: skip
    topic_ids = {tid for tid, _pos in moves.values()}
    db.session.execute(
        update(_reply).where(_reply.c.topic_id.in_(topic_ids), _reply.c.position < 0).values(position=-_reply.c.position)
    )  # fmt: skip


class _Marks:
    """Where each member stopped reading, per topic, before the change."""

    def __init__(self, topic_ids: Iterable[int]) -> None:
        self.by_user: dict[int, dict[int, int]] = {}
        for user_id, topic_id, position in db.session.execute(
            select(_read.c.user_id, _read.c.topic_id, _read.c.last_read_position).where(
                _read.c.topic_id.in_(list(topic_ids))
            )
        ):
            self.by_user.setdefault(user_id, {})[topic_id] = position


def _first_unread_finder(sequence: list[_Post]):  # noqa: ANN202
    """For a new topic's posts (in new order, index = new position), a function
    ``marks -> first new position not read``: per origin topic, the smallest new
    position among posts after the member's old mark there."""
    per_origin: dict[int, list[tuple[int, int]]] = {}
    for new_position, post in enumerate(sequence):
        per_origin.setdefault(post.origin, []).append((post.position, new_position))
    tables = {}
    for origin, pairs in per_origin.items():
        pairs.sort()
        old = [p for p, _n in pairs]
        suffix_min = [0] * len(pairs)
        best = len(sequence)
        for i in range(len(pairs) - 1, -1, -1):
            best = min(best, pairs[i][1])
            suffix_min[i] = best
        tables[origin] = (old, suffix_min)

    def first_unread(marks: dict[int, int]) -> int:
        first = len(sequence)
        for origin, (old, suffix_min) in tables.items():
            mark = marks.get(origin)
            i = 0 if mark is None else bisect_right(old, mark)
            if i < len(old):
                first = min(first, suffix_min[i])
        return first

    return first_unread


def _write_marks(topic_id: int, marks: dict[int, int], existing: set[int]) -> None:
    """Set read marks on ``topic_id``: update the members' rows, insert the others."""
    now = utcnow()
    updates = [{"uid": u, "pos": m} for u, m in marks.items() if u in existing]
    inserts = [
        {"user_id": u, "topic_id": topic_id, "last_read_position": m, "updated_at": now}
        for u, m in marks.items()
        if u not in existing
    ]
    if updates:
        db.session.execute(
            update(_read).where(_read.c.topic_id == topic_id, _read.c.user_id == bindparam("uid"))
            .values(last_read_position=bindparam("pos")),
            updates,
        )  # fmt: skip
    if inserts:
        db.session.execute(insert(_read), inserts)


def _lock(*topic_ids: int) -> None:
    """Take the topics' rows for this transaction before reading their replies: a reply
    written meanwhile (which bumps ``last_position`` first) waits and then numbers
    itself after the renumbered posts."""
    db.session.execute(
        update(_topic).where(_topic.c.id.in_(topic_ids)).values(last_position=_topic.c.last_position)
    )


def _reindex(ids: Iterable[int]) -> None:
    for content_id in sorted(set(ids)):
        queue_reindex("content", content_id)


# --- merge ------------------------------------------------------------------------------


def check_merge(source: Topic, target: Topic | None, actor: User) -> Topic:
    """Everything a merge needs, checked before anything changes.

    :raises PermissionDenied: unless ``actor`` moderates both topics' categories.
    :raises InvalidInput: for a missing or deleted target, the topic itself, a deleted source,
        or a hidden or pending source and a target in another state.
    """
    _refuse_unless_moderator(actor, source)
    if target is None:
        raise InvalidInput(_l("Choose the topic to merge into: its number or its address."),
                           code="bad_target", field="target_id")  # fmt: skip
    if target.id == source.id:
        raise InvalidInput(_l("A topic cannot be merged into itself."), code="same_topic", field="target_id")
    if source.state == ContentState.DELETED:
        raise InvalidInput(_l("This topic was deleted: it cannot be merged."), code="source_deleted")
    if target.state == ContentState.DELETED:
        raise InvalidInput(_l("That topic was deleted: choose another one."), code="target_deleted",
                           field="target_id")  # fmt: skip
    _refuse_unless_moderator(actor, target)
    # After the target's permission check: the answer tells the target's state.
    if source.state != ContentState.PUBLISHED and target.state != source.state:
        # Its posts would become as visible as the target's: never more than they were.
        raise InvalidInput(
            _l("This topic is hidden or awaiting approval: merge it only into a topic in the same state, "
               "or make it public first."),
            code="source_not_published", field="target_id",
        )  # fmt: skip
    return target


def merge_topics(source: Topic, target: Topic | None, actor: User, reason: str = "") -> Topic:
    """Move every post of ``source`` (its opening post included, as a reply) into
    ``target``, in chronological order; ``source`` stops being a topic and its
    address redirects to the target. Returns the target.

    :raises PermissionDenied: unless ``actor`` moderates both topics.
    :raises InvalidInput: see :func:`check_merge`.
    """
    target = check_merge(source, target, actor)
    db.session.flush()
    src, dst = source.id, target.id
    _lock(src, dst)
    src_category, dst_category = source.category_id, target.category_id
    before = {
        "topic_id": src, "title": source.title, "category_id": src_category, "reply_count": source.reply_count,
        "into_topic_id": dst, "into_reply_count": target.reply_count,
    }  # fmt: skip
    carry_accepted = (
        source.accepted_reply_id if target.is_question and target.accepted_reply_id is None else None
    )
    like_count = source.like_count
    opening = _Post(src, src, 0, source.created_at)
    posts = sorted(
        [*_replies([src, dst]), opening], key=lambda p: (p.created_at, p.origin != dst, p.position, p.id)
    )
    sequence = [_Post(dst, dst, 0, target.created_at), *posts]  # the target's opening post stays first
    marks = _Marks([src, dst])
    first_unread = _first_unread_finder(sequence)
    moved_ids = [p.id for p in posts if p.origin == src]
    rollups.uncount_posts(db.session, moved_ids)

    _forget(src)
    db.session.execute(
        insert(_reply).values(id=src, topic_id=dst, position=-(len(sequence) + 1), like_count=like_count)
    )
    db.session.execute(update(_item).where(_item.c.id == src).values(kind="reply"))
    _renumber({p.id: (dst, n) for n, p in enumerate(sequence) if n > 0})
    new_marks = {u: max(first_unread(m) - 1, 0) for u, m in marks.by_user.items()}
    db.session.execute(delete(_read).where(_read.c.topic_id == src))
    _write_marks(dst, new_marks, {u for u, m in marks.by_user.items() if dst in m})
    _move_watches(src, dst)
    db.session.execute(delete(_topic).where(_topic.c.id == src))
    db.session.execute(update(_topic).where(_topic.c.id == dst).values(last_position=len(sequence) - 1))
    db.session.expire_all()

    target = db.session.get(Topic, dst)
    if carry_accepted is not None:
        target.accepted_reply_id = carry_accepted
    refresh_topic(target)
    if src_category != dst_category:
        refresh_category(src_category)
    rollups.recount_posts(db.session, moved_ids, [src, dst])
    _reindex([dst, *(p.id for p in posts)])
    from ..moderation.services import record

    after = {
        "merged_into": dst,
        "post_ids": moved_ids,
        "reply_count": target.reply_count,
    }
    record(actor, "topic.merge", ("content", src), before, after, reason)
    return target


def _move_watches(src: int, dst: int) -> None:
    """Members watching (or muting) the source keep that level on the target, unless
    they already chose one there."""
    watches = Watch.__table__
    chosen = select(watches.c.user_id).where(watches.c.target_type == "topic", watches.c.target_id == dst)
    db.session.execute(
        update(watches)
        .where(watches.c.target_type == "topic", watches.c.target_id == src, watches.c.user_id.not_in(chosen))
        .values(target_id=dst)
    )  # fmt: skip
    db.session.execute(delete(watches).where(watches.c.target_type == "topic", watches.c.target_id == src))


# --- split ------------------------------------------------------------------------------


def check_split(
    topic: Topic, post_ids: Iterable[int], title: str | None, category: ForumCategory | None, actor: User
) -> tuple[list[_Post], str]:
    """Everything a split needs, checked before anything changes; returns the selected
    replies in topic order and the cleaned title.

    :raises PermissionDenied: unless ``actor`` moderates the topic and the new category.
    :raises InvalidInput: for no reply, the opening post, replies of another topic or
        deleted ones, a first selected reply that is not published, a bad title or category.
    """
    _refuse_unless_moderator(actor, topic)
    ids = sorted({int(i) for i in post_ids})
    if topic.id in ids:
        raise InvalidInput(_l("The opening post stays with its topic: select replies only."),
                           code="opening_post", field="post_ids")  # fmt: skip
    if not ids:
        raise InvalidInput(
            _l("Select the replies to move to a new topic."), code="no_posts", field="post_ids"
        )
    if len(ids) > SPLIT_MAX:
        raise InvalidInput(_l("Move at most %(n)d replies at a time.", n=SPLIT_MAX), code="too_many_posts",
                           field="post_ids")  # fmt: skip
    if topic.state == ContentState.DELETED:
        raise InvalidInput(_l("This topic was deleted: its replies cannot be moved."), code="source_deleted")
    rows = db.session.execute(
        select(Reply.id, Reply.topic_id, Reply.position, Reply.created_at, Reply.state).where(Reply.id.in_(ids))
    ).all()  # fmt: skip
    if len(rows) != len(ids) or any(r.topic_id != topic.id for r in rows):
        raise InvalidInput(_l("Select replies of this topic only."), code="bad_posts", field="post_ids")
    if any(r.state == ContentState.DELETED for r in rows):
        raise InvalidInput(_l("Deleted replies cannot be moved."), code="deleted_post", field="post_ids")
    rows.sort(key=lambda r: r.position)
    if rows[0].state != ContentState.PUBLISHED:
        raise InvalidInput(
            _l("The first selected reply becomes the new topic's opening post: it must be published."),
            code="first_not_published", field="post_ids",
        )  # fmt: skip
    title = clean_title(title)
    if category is None:
        raise InvalidInput(_l("Choose a category."), code="bad_category", field="category_id")
    if not can(actor, "forum.moderate_category", category):
        raise PermissionDenied(_l("Only the moderators of this category may do that."))
    return [_Post(r.id, r.topic_id, r.position, r.created_at) for r in rows], title


def split_topic(
    topic: Topic, post_ids: Iterable[int], title: str | None, category: ForumCategory | None, actor: User,
    reason: str = "",
) -> Topic:  # fmt: skip
    """Move the selected replies of ``topic`` to a new topic in ``category``: the first
    of them (in topic order) becomes its opening post, the others follow in order.
    The new topic takes the moderation state of ``topic`` (published, pending, or hidden
    with the same public reason): moved replies never become more visible than they
    were. Returns the new topic.

    :raises PermissionDenied: see :func:`check_split`.
    :raises InvalidInput: see :func:`check_split`.
    """
    moved, title = check_split(topic, post_ids, title, category, actor)
    db.session.flush()
    old, new = topic.id, moved[0].id
    _lock(old)
    moved_ids = {p.id for p in moved}
    remaining = sorted((p for p in _replies([old]) if p.id not in moved_ids), key=lambda p: p.position)
    before = {"topic_id": old, "reply_count": topic.reply_count, "post_ids": [p.id for p in moved]}
    # The moved replies were only as visible as their topic: the new one keeps its
    # moderation state (a hidden topic's replies stay hidden, with its public reason).
    state, hidden_reason = topic.state, topic.hidden_reason
    clears_accepted = topic.accepted_reply_id in moved_ids
    opening = db.session.execute(select(Reply.like_count).where(Reply.id == new)).scalar_one()
    marks = _Marks([old])
    kept = _first_unread_finder([_Post(old, old, 0, topic.created_at), *remaining])
    went = _first_unread_finder(moved)
    rollups.uncount_posts(db.session, moved_ids)

    _forget(new)
    db.session.execute(delete(_reply).where(_reply.c.id == new))
    db.session.execute(
        update(_item).where(_item.c.id == new).values(kind="topic", state=state, hidden_reason=hidden_reason)
    )
    db.session.execute(
        insert(_topic).values(
            id=new, category_id=category.id, title=title, slug=slugify(title), topic_kind="discussion",
            is_locked=False, is_pinned=False, reply_count=0, view_count=0, like_count=opening,
            last_position=len(moved) - 1, last_activity_at=moved[-1].created_at, has_official_answer=False,
        )
    )  # fmt: skip
    moves = {p.id: (old, n) for n, p in enumerate(remaining, start=1)}
    moves.update({p.id: (new, n) for n, p in enumerate(moved) if n > 0})
    _renumber(moves)
    db.session.execute(update(_topic).where(_topic.c.id == old).values(last_position=len(remaining)))
    existing = {u for u, m in marks.by_user.items() if old in m}
    _write_marks(old, {u: kept(m) - 1 for u, m in marks.by_user.items()}, existing)
    _write_marks(new, {u: went(m) - 1 for u, m in marks.by_user.items() if went(m) > 0}, set())
    db.session.expire_all()

    source = db.session.get(Topic, old)
    if clears_accepted:
        source.accepted_reply_id = None
    refresh_topic(source)
    created = db.session.get(Topic, new)
    refresh_topic(created)
    rollups.recount_posts(db.session, moved_ids, [old])
    _reindex([old, *moved_ids])
    from ..moderation.services import record

    after = {
        "topic_id": new, "title": title, "category_id": category.id, "reply_count": source.reply_count,
        "state": state,
    }  # fmt: skip
    record(actor, "topic.split", ("content", old), before, after, reason)
    return created
