"""Forum writes and rules: categories, topics, replies, likes, accepted answers,
view counts and read marks. Services take the actor explicitly, only add and
flush; the view or API commits. View counts are the exception: buffered per process
and added in a transaction of their own (``count_view``, ``add_views``)."""

from __future__ import annotations

import re
import unicodedata

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update

from models import (
    ContentItem,
    ContentState,
    ForumCategory,
    ForumPreference,
    ForumReaction,
    ForumRead,
    Reply,
    Topic,
    TopicKind,
    User,
    db,
    utcnow,
)

from .. import events
from ..content import services as content
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..permissions import can

TITLE_MAX = 200
BODY_MAX = 20000
TITLE_MIN = 5
OFFICIAL_ROLES = ("staff", "admin")


# --- text helpers ---------------------------------------------------------------


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "topic"


def clean_title(title: str | None) -> str:
    value = " ".join((title or "").split())
    if len(value) < TITLE_MIN:
        raise InvalidInput(_l("Write a title of at least %(n)d characters.", n=TITLE_MIN), field="title")
    if len(value) > TITLE_MAX:
        raise InvalidInput(_l("Keep the title under %(n)d characters.", n=TITLE_MAX), field="title")
    return value


def clean_body(body: str | None) -> str:
    value = (body or "").strip()
    if not value:
        raise InvalidInput(_l("Write something before posting."), field="body")
    if len(value) > BODY_MAX:
        raise InvalidInput(_l("Keep the post under %(n)d characters.", n=BODY_MAX), field="body")
    return value


# --- @mentions ------------------------------------------------------------------------

_MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9][A-Za-z0-9_.-]{2,31})")
_TAG = re.compile(r"(<[^>]+>)")
_MENTION_LINK = re.compile(r'<a\b[^>]*class="mention"[^>]*>@([A-Za-z0-9_.-]+)</a>')


def link_mentions(html: str) -> str:
    """Render transform: ``@username`` becomes a link to the profile of an existing
    member; text inside links and code is left alone."""
    if "@" not in html:
        return html
    parts = _TAG.split(html)
    names: set[str] = set()
    for part in parts[::2]:
        names.update(m.rstrip(".-").lower() for m in _MENTION.findall(part))
    if not names:
        return html
    existing = {
        name.lower(): name
        for name in db.session.scalars(select(User.username).where(func.lower(User.username).in_(names)))
    }
    if not existing:
        return html
    skip = 0

    def replace(match: re.Match) -> str:
        name = match.group(1).rstrip(".-")
        real = existing.get(name.lower())
        if real is None:
            return match.group(0)
        tail = match.group(1)[len(name) :]
        return f'<a class="mention" href="/u/{real}">@{real}</a>{tail}'

    out = []
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            tag = part.lower()
            if re.match(r"<(a|code|pre)\b", tag):
                skip += 1
            elif re.match(r"</(a|code|pre)>", tag):
                skip = max(0, skip - 1)
            out.append(part)
        else:
            out.append(part if skip else _MENTION.sub(replace, part))
    return "".join(out)


def mentioned_user_ids(item: ContentItem) -> list[int]:
    names = {n.lower() for n in _MENTION_LINK.findall(item.body_html)}
    if not names:
        return []
    ids = db.session.scalars(select(User.id).where(func.lower(User.username).in_(names))).all()
    return sorted(i for i in ids if i != item.author_id)


def _announce_mentions(item: ContentItem) -> None:
    user_ids = mentioned_user_ids(item)
    if user_ids:
        events.announce(events.member_mentioned, content_id=item.id, user_ids=user_ids)


# --- categories -------------------------------------------------------------------------


def save_category(
    actor: User, category: ForumCategory | None, *, slug: str, name_en: str, name_fr: str,
    description_en: str = "", description_fr: str = "", position: int = 0, colour: str = "#1f5f8b",
    post_role: str = "member",
) -> ForumCategory:  # fmt: skip
    """Create (``category`` None) or update a category."""
    if not can(actor, "forum.manage_categories"):
        raise PermissionDenied()
    slug = slugify(slug or name_en)
    clash = db.session.scalar(select(ForumCategory.id).where(ForumCategory.slug == slug))
    if clash is not None and (category is None or clash != category.id):
        raise Conflict(_l("Another category already uses this address."), field="slug")
    if post_role not in ("member", "staff"):
        raise InvalidInput(_l("Choose who may open topics."), field="post_role")
    if category is None:
        category = ForumCategory()
        db.session.add(category)
    category.slug = slug
    category.name_en, category.name_fr = name_en.strip(), name_fr.strip()
    category.description_en, category.description_fr = description_en.strip(), description_fr.strip()
    category.position, category.colour, category.post_role = position, colour, post_role
    db.session.flush()
    return category


# --- topics and replies -------------------------------------------------------------------


def open_topic(
    category: ForumCategory, author: User, title: str, body: str, kind: str = "discussion",
    language: str | None = None,
) -> Topic:  # fmt: skip
    if not can(author, "forum.open_topic", category):
        if can(author, "content.create"):
            raise PermissionDenied(_l("Only the brand's staff may open topics in this category."))
        raise PermissionDenied(_l("Confirm your e-mail address before writing."))
    if kind not in {k.value for k in TopicKind}:
        raise InvalidInput(_l("Choose a discussion or a question."), field="kind")
    title = clean_title(title)
    body = clean_body(body)
    now = utcnow()
    topic = Topic(
        category_id=category.id, title=title, slug=slugify(title), topic_kind=kind,
        last_activity_at=now, created_at=now,
    )  # fmt: skip
    content.publish(topic, author, body, language)
    if topic.state == ContentState.PUBLISHED:
        _count_in_category(category.id, topic.id, now, topics=1)
    _announce_mentions(topic)
    return topic


def reply(topic: Topic | None, author: User, body: str, language: str | None = None) -> Reply:
    if topic is None or topic.state == ContentState.DELETED:
        raise NotFound(_l("This topic does not exist or was deleted."))
    if topic.is_locked and not can(author, "forum.reply", topic):
        raise Conflict(_l("This topic is locked: it no longer takes replies."), code="topic_locked")
    if not can(author, "forum.reply", topic):
        if topic.state != ContentState.PUBLISHED:
            raise NotFound(_l("This topic does not exist or was deleted."))
        raise PermissionDenied(_l("Confirm your e-mail address before writing."))
    body = clean_body(body)
    position = db.session.execute(
        update(Topic.__table__)
        .where(Topic.__table__.c.id == topic.id)
        .values(last_position=Topic.__table__.c.last_position + 1)
        .returning(Topic.__table__.c.last_position)
    ).scalar_one()
    db.session.expire(topic, ["last_position"])
    now = utcnow()
    item = Reply(topic_id=topic.id, position=position, created_at=now)
    content.publish(item, author, body, language)
    if item.state == ContentState.PUBLISHED:
        table = Topic.__table__
        values = {"reply_count": table.c.reply_count + 1, "last_activity_at": now, "last_reply_id": item.id}
        if item.author_role in OFFICIAL_ROLES:
            values["has_official_answer"] = True
        db.session.execute(update(table).where(table.c.id == topic.id).values(**values))
        db.session.expire(topic, list(values))
        _count_in_category(topic.category_id, topic.id, now, topics=0)
    _announce_mentions(item)
    return item


def _count_in_category(category_id: int, topic_id: int, now: object, *, topics: int) -> None:
    """Count a new published post in its category with one atomic UPDATE.

    Counters are never read-modify-written: the category (and the topic) in this session
    may have been loaded before another request committed its own post, and writing
    back ``loaded + 1`` would lose that post (found by benchmarks/load_fault.py).
    """
    table = ForumCategory.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == category_id)
        .values(
            post_count=table.c.post_count + 1,
            topic_count=table.c.topic_count + topics,
            last_activity_at=now,
            last_topic_id=topic_id,
        )
    )
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, ForumCategory) and obj.id == category_id:
            db.session.expire(obj, ["post_count", "topic_count", "last_activity_at", "last_topic_id"])


def edit_post(item: Topic | Reply, editor: User, body: str, title: str | None = None) -> ContentItem:
    if not can(editor, "content.edit", item):
        raise PermissionDenied(_l("You may only edit your own posts."))
    body = clean_body(body)
    if isinstance(item, Topic) and title is not None:
        title = clean_title(title)
        item.slug = slugify(title)
    else:
        title = None
    return content.edit(item, editor, body, title=title)


def delete_post(item: Topic | Reply, actor: User) -> ContentItem:
    """Soft delete; the counters follow through the change hook."""
    if not can(actor, "content.delete", item):
        raise PermissionDenied(_l("You may only delete your own posts."))
    return content.delete_by_author(item, actor)


def refresh_topic(topic: Topic) -> None:
    """Recount a topic's and its category's counters from the published posts."""
    published = ContentItem.state == ContentState.PUBLISHED.value
    rows = db.session.execute(
        select(func.count(Reply.id), func.max(Reply.created_at))
        .where(Reply.topic_id == topic.id, published)
    ).one()  # fmt: skip
    topic.reply_count = rows[0]
    topic.last_activity_at = rows[1] or topic.created_at
    topic.last_reply_id = db.session.scalar(
        select(Reply.id).where(Reply.topic_id == topic.id, published).order_by(Reply.position.desc()).limit(1)
    )
    topic.has_official_answer = bool(
        db.session.scalar(
            select(func.count(Reply.id)).where(
                Reply.topic_id == topic.id, published, ContentItem.author_role.in_(OFFICIAL_ROLES)
            )
        )
    )
    if topic.accepted_reply_id is not None:
        accepted = db.session.get(Reply, topic.accepted_reply_id)
        if accepted is None or accepted.state != ContentState.PUBLISHED:
            topic.accepted_reply_id = None
    refresh_category(topic.category_id)


def refresh_category(category_id: int) -> None:
    category = db.session.get(ForumCategory, category_id)
    if category is None:
        return
    db.session.flush()
    published = ContentItem.state == ContentState.PUBLISHED.value
    count, replies, last = db.session.execute(
        select(func.count(Topic.id), func.coalesce(func.sum(Topic.reply_count), 0), func.max(Topic.last_activity_at))
        .where(Topic.category_id == category_id, published)
    ).one()  # fmt: skip
    category.topic_count = count
    category.post_count = count + replies
    category.last_activity_at = last
    category.last_topic_id = db.session.scalar(
        select(Topic.id).where(Topic.category_id == category_id, published)
        .order_by(Topic.last_activity_at.desc()).limit(1)
    )  # fmt: skip


def on_content_change(item: ContentItem, change: str) -> None:
    """Change hook: a reply or topic changing state (deleted, hidden, restored,
    approved) keeps the counters true."""
    if change != "state":
        return
    if isinstance(item, Reply):
        refresh_topic(db.session.get(Topic, item.topic_id))
    elif isinstance(item, Topic):
        refresh_category(item.category_id)


def accept_answer(topic: Topic, reply_item: Reply | None, actor: User) -> Topic:
    if not topic.is_question:
        raise InvalidInput(_l("Only questions have an accepted answer."), code="not_a_question")
    if not can(actor, "forum.accept", topic):
        raise PermissionDenied(_l("Only the person who asked or the brand's staff may accept an answer."))
    if reply_item is None or reply_item.topic_id != topic.id or reply_item.state != ContentState.PUBLISHED:
        raise InvalidInput(_l("Choose a reply of this topic."), field="post_id")
    topic.accepted_reply_id = reply_item.id
    events.announce(
        events.answer_accepted, content_id=topic.id, reply_id=reply_item.id, actor_id=actor.id
    )  # fmt: skip
    return topic


def unaccept_answer(topic: Topic, actor: User) -> Topic:
    if not can(actor, "forum.accept", topic):
        raise PermissionDenied(_l("Only the person who asked or the brand's staff may accept an answer."))
    topic.accepted_reply_id = None
    return topic


def _audit(
    actor: User | None, action: str, topic: Topic, before: dict, after: dict, reason: str = ""
) -> None:
    if actor is not None:
        from ..moderation.services import record

        record(actor, action, topic, before, after, reason)


def _check_tools(actor: User | None, topic: Topic) -> None:
    if actor is not None and not can(actor, "forum.moderate_topic", topic):
        raise PermissionDenied(_l("Only the moderators of this category may do that."))


def lock_topic(topic: Topic, locked: bool = True, actor: User | None = None, reason: str = "") -> Topic:
    """Lock (no more replies) or unlock a topic; ``actor`` None is an operator or a test."""
    _check_tools(actor, topic)
    _audit(actor, "topic.lock" if locked else "topic.unlock", topic, {"locked": topic.is_locked},
           {"locked": locked}, reason)  # fmt: skip
    topic.is_locked = locked
    return topic


def pin_topic(topic: Topic, pinned: bool = True, actor: User | None = None, reason: str = "") -> Topic:
    """Pin a topic to the top of its category, or unpin it."""
    _check_tools(actor, topic)
    _audit(actor, "topic.pin" if pinned else "topic.unpin", topic, {"pinned": topic.is_pinned},
           {"pinned": pinned}, reason)  # fmt: skip
    topic.is_pinned = pinned
    return topic


def move_topic(topic: Topic, category: ForumCategory | None, actor: User, reason: str = "") -> Topic:
    """Move a topic to another category; both categories' counters follow.

    :raises InvalidInput: for a missing category or the one it is already in.
    """
    _check_tools(actor, topic)
    if category is None:
        raise InvalidInput(_l("Choose a category."), code="bad_category", field="category_id")
    if category.id == topic.category_id:
        raise InvalidInput(_l("The topic is already in this category."), code="same_category")
    if not can(actor, "forum.moderate_category", category):  # a scoped moderator stays in scope
        raise PermissionDenied(_l("Only the moderators of this category may do that."))
    previous = topic.category_id
    _audit(actor, "topic.move", topic, {"category_id": previous}, {"category_id": category.id}, reason)
    topic.category_id = category.id
    refresh_category(previous)
    refresh_category(category.id)
    from ..search.builders import requeue_children
    from ..search.outbox import queue_reindex

    queue_reindex("content", topic.id)  # the index files it (and its replies) under the new category
    requeue_children(topic, "moved")
    return topic


# --- likes ----------------------------------------------------------------------------------


def _liked(item: ContentItem, user: User) -> bool:
    return (
        db.session.scalar(
            select(ForumReaction.id).where(
                ForumReaction.content_id == item.id, ForumReaction.user_id == user.id
            )
        )
        is not None
    )


def _bump(item: Topic | Reply, delta: int) -> None:
    table = type(item).__table__
    db.session.execute(
        update(table).where(table.c.id == item.id).values(like_count=table.c.like_count + delta)
    )
    db.session.expire(item, ["like_count"])


def like(item: ContentItem | None, user: User) -> None:
    if not isinstance(item, Topic | Reply):
        raise NotFound()
    if not can(user, "content.react", item):
        raise PermissionDenied(_l("You cannot like this post."))
    if item.author_id == user.id:
        raise InvalidInput(_l("You cannot like your own post."), code="own_post")
    if _liked(item, user):
        raise Conflict(_l("You already like this post."), code="already_liked")
    db.session.add(ForumReaction(content_id=item.id, user_id=user.id))
    _bump(item, 1)


def unlike(item: ContentItem | None, user: User) -> None:
    if not isinstance(item, Topic | Reply):
        raise NotFound()
    reaction = db.session.scalar(
        select(ForumReaction).where(ForumReaction.content_id == item.id, ForumReaction.user_id == user.id)
    )
    if reaction is None:
        raise Conflict(_l("You do not like this post yet."), code="not_liked")
    db.session.delete(reaction)
    _bump(item, -1)


def toggle_like(item: ContentItem | None, user: User) -> bool:
    """Like or unlike; returns whether the member now likes the post."""
    if isinstance(item, Topic | Reply) and _liked(item, user):
        unlike(item, user)
        return False
    like(item, user)
    return True


# --- views and reading -------------------------------------------------------------------------


def add_views(counts: dict[int, int]) -> None:
    """Add buffered topic views (``{topic_id: views}``) in one transaction of their own,
    on a connection of its own: never inside a request's transaction."""
    table = Topic.__table__
    with db.engine.begin() as connection:
        for topic_id, n in sorted(counts.items()):
            connection.execute(
                update(table).where(table.c.id == topic_id).values(view_count=table.c.view_count + n)
            )


def count_view(topic_id: int) -> None:
    """One more view of the topic, kept in the process's view buffer (added to the
    database every few seconds): reading a topic never takes the database's write lock.
    Call it before the request writes anything: a due flush writes on another connection,
    which would wait for the request's own write lock on SQLite."""
    current_app.extensions["community.topic_views"].add(topic_id)


def mark_read(topic_id: int, user: User | None, position_seen: int) -> None:
    """A member's read mark (one upsert); nothing for anonymous visitors."""
    if user is None or not user.is_authenticated:
        return
    read = ForumRead.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(read).values(
        user_id=user.id, topic_id=topic_id, last_read_position=position_seen, updated_at=utcnow()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "topic_id"],
        set_={
            "last_read_position": case(
                (
                    stmt.excluded.last_read_position > read.c.last_read_position,
                    stmt.excluded.last_read_position,
                ),
                else_=read.c.last_read_position,
            ),
            "updated_at": stmt.excluded.updated_at,
        },
    )
    db.session.execute(stmt)


def set_language_filter(user: User, language: str) -> None:
    if language not in ("", "en", "fr"):
        raise InvalidInput(_l("This language is not available."), code="bad_language")
    pref = db.session.get(ForumPreference, user.id)
    if pref is None:
        pref = ForumPreference(user_id=user.id)
        db.session.add(pref)
    pref.language = language


def quote_text(item: Topic | Reply, author_name: str, url: str) -> str:
    """Markdown quoting ``item`` with a link back to it."""
    lines = item.body_source.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"{quoted}\n>\n> — [{author_name}]({url})\n\n"
