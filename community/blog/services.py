"""Blog writes: articles (staff), their tags and cover images, and comments (members).

Services take the actor explicitly, raise :mod:`community.errors` exceptions on bad
input, and only ``add``/``flush``; the caller commits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from models import Article, ArticleComment, ArticleStatus, ContentItem, ContentState, Tag, User, db, utcnow

from ..content import services as content
from ..errors import Conflict, InvalidInput, PermissionDenied
from ..permissions import can
from ..uploads import delete_image, save_image

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = {"new", "drafts", "tag", "feed"}
MAX_TAGS = 8
WORDS_PER_MINUTE = 200


@dataclass
class ArticleData:
    """What a writer sends for an article; ``None`` leaves a field unchanged on edit."""

    title: str | None = None
    slug: str | None = None
    summary: str | None = None
    body: str | None = None
    language: str | None = None
    tags: list[str] | str | None = None
    status: str | None = None
    publish_at: datetime | None = None
    cover: FileStorage | None = None
    remove_cover: bool = False


def reading_minutes(source: str) -> int:
    return max(1, math.ceil(len(source.split()) / WORDS_PER_MINUTE))


def _aware(value: datetime | None) -> datetime | None:
    """UTC, to the second (forms send seconds; equal times then compare equal)."""
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=0)


def _clean_slug(value: str, title: str) -> str:
    slug = (value or "").strip().lower() or slugify(title or "", max_length=100, word_boundary=True)
    if not slug or not SLUG.match(slug) or len(slug) > 120:
        raise InvalidInput(
            _l("Use lower-case letters, digits and dashes for the address."), code="bad_slug", field="slug"
        )
    if slug in RESERVED_SLUGS:
        raise InvalidInput(_l("This address is reserved."), code="bad_slug", field="slug")
    return slug


def _check_slug_free(slug: str, article_id: int | None) -> None:
    taken = db.session.scalar(select(Article.id).where(Article.slug == slug))
    if taken is not None and taken != article_id:
        raise Conflict(_l("Another article already uses this address."), code="duplicate_slug", field="slug")


def _tag_names(tags: list[str] | str) -> list[str]:
    raw = tags.split(",") if isinstance(tags, str) else tags
    names: dict[str, str] = {}
    for name in raw:
        name = " ".join(str(name).split())[:60]
        slug = slugify(name, max_length=60)
        if name and slug:
            names.setdefault(slug, name)
    if len(names) > MAX_TAGS:
        raise InvalidInput(_l("Use at most %(n)d tags.", n=MAX_TAGS), code="too_many_tags", field="tags")
    return list(names.items())  # type: ignore[return-value]


def _tags(tags: list[str] | str) -> list[Tag]:
    """Existing tags by slug, new ones created, in one query."""
    pairs = _tag_names(tags)
    if not pairs:
        return []
    existing = {t.slug: t for t in db.session.scalars(select(Tag).where(Tag.slug.in_([s for s, _ in pairs])))}
    result = []
    for slug, name in pairs:
        tag = existing.get(slug)
        if tag is None:
            tag = Tag(slug=slug, name=name)
            db.session.add(tag)
        result.append(tag)
    return result


def _schedule(status: str, publish_at: datetime | None, current: datetime | None) -> datetime | None:
    """The ``publish_at`` that goes with ``status``; refuses a scheduled date in the past."""
    now = utcnow().replace(microsecond=0)
    if status not in {s.value for s in ArticleStatus}:
        raise InvalidInput(_l("Choose draft, scheduled or published."), code="bad_status", field="status")
    if status == ArticleStatus.SCHEDULED:
        if publish_at is None:
            raise InvalidInput(
                _l("Give the date and time of publication."), code="publish_at_missing", field="publish_at"
            )
        if publish_at <= now:
            raise InvalidInput(
                _l("The publication date must be in the future."), code="publish_at_past", field="publish_at"
            )
        return publish_at
    if status == ArticleStatus.PUBLISHED:
        return current if current is not None and current <= now else now
    return publish_at


def _validate_text(data: ArticleData, article: Article | None) -> None:
    title = data.title if data.title is not None else (article.title if article else "")
    if not (title or "").strip() or len(title) > 200:
        raise InvalidInput(_l("Give a title of at most 200 characters."), code="bad_title", field="title")
    body = data.body if data.body is not None else (article.body_source if article else "")
    if not (body or "").strip():
        raise InvalidInput(_l("Write the article."), code="empty_body", field="body")
    if data.summary is not None and len(data.summary) > 500:
        raise InvalidInput(_l("Keep the summary under 500 characters."), code="bad_summary", field="summary")


def create_article(author: User, data: ArticleData) -> Article:
    """A new article by a staff member, as a draft, scheduled or published.

    :raises PermissionDenied: for anyone but staff.
    :raises InvalidInput, Conflict: for bad fields; nothing is stored.
    """
    if not can(author, "brand.publish"):
        raise PermissionDenied(_l("Only the brand's staff write articles."))
    _validate_text(data, None)
    title = data.title.strip()  # type: ignore[union-attr]
    slug = _clean_slug(data.slug or "", title)
    _check_slug_free(slug, None)
    status = data.status or ArticleStatus.DRAFT.value
    publish_at = _schedule(status, _aware(data.publish_at), None)
    article = Article(
        title=title,
        slug=slug,
        summary=(data.summary or "").strip(),
        status=status,
        publish_at=publish_at,
        reading_minutes=reading_minutes(data.body or ""),
    )
    article.tags = _tags(data.tags or [])
    if data.cover is not None and data.cover.filename:
        article.cover_image = save_image(data.cover)
    content.publish(article, author, data.body or "", data.language)
    return article


def update_article(article: Article, editor: User, data: ArticleData, reason: str = "") -> Article:
    """Change any field of an article; the text goes through the shared edit history."""
    if not can(editor, "blog.edit", article):
        raise PermissionDenied(_l("Only the brand's staff write articles."))
    _validate_text(data, article)
    slug = article.slug
    if data.slug is not None and data.slug.strip() != article.slug:
        slug = _clean_slug(data.slug, data.title or article.title)
        _check_slug_free(slug, article.id)
    status = data.status or article.status
    wanted = _aware(data.publish_at)
    publish_at = article.publish_at
    if status != article.status or (wanted is not None and wanted != _aware(article.publish_at)):
        publish_at = _schedule(status, wanted or article.publish_at, article.publish_at)
    if data.language is not None and data.language not in content.LANGUAGES:
        raise InvalidInput(_l("This language is not available."), code="bad_language", field="language")
    tags = _tags(data.tags) if data.tags is not None else None
    new_cover = save_image(data.cover) if data.cover is not None and data.cover.filename else None

    title = data.title.strip() if data.title is not None else article.title
    body = data.body if data.body is not None else article.body_source
    if title != article.title or body != article.body_source:
        content.edit(article, editor, body, title=title, reason=reason)
        article.reading_minutes = reading_minutes(body)
    article.slug = slug
    article.status = status
    article.publish_at = publish_at
    if data.summary is not None:
        article.summary = data.summary.strip()
    if data.language is not None:
        article.language = data.language
    if tags is not None:
        article.tags = tags
    if new_cover or data.remove_cover:
        old = article.cover_image
        article.cover_image = new_cover
        if old and old != new_cover:
            delete_image(old)
    db.session.flush()
    return article


def add_comment(
    article: Article, author: User, body: str, parent_id: int | None = None, language: str | None = None
) -> ArticleComment:
    """A member's comment on a public article, or a reply to a top-level comment.

    :raises InvalidInput: on a draft or scheduled article, an empty text or a bad parent.
    """
    if not article.is_public():
        raise InvalidInput(_l("Comments open once the article is published."), code="article_not_published")
    if not (body or "").strip():
        raise InvalidInput(_l("Write a comment."), code="empty_comment", field="body")
    if len(body) > 10_000:
        raise InvalidInput(
            _l("Keep comments under 10,000 characters."), code="comment_too_long", field="body"
        )
    parent = None
    if parent_id is not None:
        parent = db.session.get(ArticleComment, parent_id)
        if parent is None or parent.article_id != article.id or parent.state != ContentState.PUBLISHED:
            raise InvalidInput(_l("This comment cannot be answered."), code="bad_parent", field="parent_id")
        if parent.parent_id is not None:  # one level of replies: answer the thread
            parent = db.session.get(ArticleComment, parent.parent_id)
    comment = ArticleComment(article_id=article.id, parent_id=parent.id if parent else None)
    content.publish(comment, author, body, language or article.language)
    _recount(article.id)
    return comment


def _recount(article_id: int) -> None:
    count = db.session.scalar(
        select(func.count(ArticleComment.id)).where(
            ArticleComment.article_id == article_id, ArticleComment.state == ContentState.PUBLISHED
        )
    )
    db.session.execute(
        Article.__table__.update().where(Article.__table__.c.id == article_id).values(comment_count=count)
    )


def _on_change(item: ContentItem, change: str) -> None:
    """Keep the article's comment counter true when a comment is hidden, restored or deleted."""
    if isinstance(item, ArticleComment) and change == "state":
        _recount(item.article_id)


content.CHANGE_HOOKS.append(_on_change)
