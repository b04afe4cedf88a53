"""Blog reads. Every page issues a fixed number of queries whatever the volume:
lists eager-load authors and tags with ``selectinload``; related articles come from
one grouped query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import selectinload

from models import Article, ArticleComment, ArticleStatus, ContentState, Tag, article_tag, db, utcnow

PER_PAGE = 12


def is_public(now: datetime | None = None) -> ColumnElement[bool]:
    """Published state, not a draft, and its time has come: scheduled articles
    appear by themselves."""
    return and_(
        Article.state == ContentState.PUBLISHED,
        Article.status != ArticleStatus.DRAFT,
        Article.publish_at.is_not(None),
        Article.publish_at <= (now or utcnow()),
    )


def next_publication(now: datetime | None = None) -> datetime | None:
    """When the next scheduled article appears (the page cache expires then)."""
    return db.session.scalar(
        select(func.min(Article.publish_at)).where(
            Article.state == ContentState.PUBLISHED,
            Article.status != ArticleStatus.DRAFT,
            Article.publish_at > (now or utcnow()),
        )
    )


@dataclass
class Page:
    items: list[Article]
    page: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _list_options():
    return (selectinload(Article.author), selectinload(Article.tags))


def _paged(where: list, page: int, per_page: int = PER_PAGE) -> Page:
    total = db.session.scalar(select(func.count(Article.id)).where(*where)) or 0
    page = max(1, page)
    if page > max(1, -(-total // per_page)):
        return Page([], page, total, per_page)  # past the end: the view answers 404, no OFFSET overflow
    items = list(
        db.session.scalars(
            select(Article)
            .where(*where)
            .options(*_list_options())
            .order_by(Article.publish_at.desc(), Article.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items, page, total, per_page)


def public_articles(page: int = 1, per_page: int = PER_PAGE) -> Page:
    return _paged([is_public()], page, per_page)


def tagged_articles(tag: Tag, page: int = 1, per_page: int = PER_PAGE) -> Page:
    tagged = Article.id.in_(select(article_tag.c.article_id).where(article_tag.c.tag_id == tag.id))
    return _paged([is_public(), tagged], page, per_page)


def latest(limit: int = 3) -> list[Article]:
    return public_articles(1, limit).items if limit else []


def latest_for_feed(tag: Tag | None = None, limit: int = 20) -> list[Article]:
    where = [is_public()]
    if tag is not None:
        where.append(Article.id.in_(select(article_tag.c.article_id).where(article_tag.c.tag_id == tag.id)))
    return list(
        db.session.scalars(
            select(Article).where(*where).options(*_list_options())
            .order_by(Article.publish_at.desc(), Article.id.desc()).limit(limit)
        )
    )  # fmt: skip


def unpublished_articles(limit: int = 50) -> list[Article]:
    """Drafts and scheduled articles, for staff."""
    return list(
        db.session.scalars(
            select(Article)
            .where(Article.state == ContentState.PUBLISHED, ~is_public())
            .options(*_list_options())
            .order_by(Article.publish_at.is_(None).desc(), Article.publish_at, Article.id.desc())
            .limit(limit)
        )
    )


def article_by_slug(slug: str) -> Article | None:
    return db.session.scalar(select(Article).where(Article.slug == slug).options(*_list_options()))


def article_by_id(article_id: int) -> Article | None:
    return db.session.scalar(select(Article).where(Article.id == article_id).options(*_list_options()))


def tag_by_slug(slug: str) -> Tag | None:
    return db.session.scalar(select(Tag).where(Tag.slug == slug))


def related_articles(article: Article, limit: int = 3) -> list[Article]:
    """Public articles sharing the most tags with ``article``, newest first; one query."""
    tag_ids = [t.id for t in article.tags]
    if not tag_ids:
        return []
    shared = (
        select(article_tag.c.article_id, func.count().label("shared"))
        .where(article_tag.c.tag_id.in_(tag_ids), article_tag.c.article_id != article.id)
        .group_by(article_tag.c.article_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(Article)
            .join(shared, shared.c.article_id == Article.id)
            .where(is_public())
            .order_by(shared.c.shared.desc(), Article.publish_at.desc(), Article.id.desc())
            .limit(limit)
        )
    )


def comments_for(article: Article, include_pending: bool = False) -> list[ArticleComment]:
    """Comments in order; hidden ones are kept so the page can show their reason."""
    states = [ContentState.PUBLISHED.value, ContentState.HIDDEN.value]
    if include_pending:
        states.append(ContentState.PENDING.value)
    return list(
        db.session.scalars(
            select(ArticleComment)
            .where(ArticleComment.article_id == article.id, ArticleComment.state.in_(states))
            .options(selectinload(ArticleComment.author))
            .order_by(ArticleComment.created_at, ArticleComment.id)
        )
    )


def comment_tree(comments: list[ArticleComment]) -> list[tuple[ArticleComment, list[ArticleComment]]]:
    """Top-level comments with their replies (one level)."""
    replies: dict[int, list[ArticleComment]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    return [(c, replies.get(c.id, [])) for c in comments if c.parent_id is None]


def sitemap_entries() -> list[tuple[str, datetime | None]]:
    """(slug, last modified) of every public article."""
    rows = db.session.execute(
        select(Article.slug, Article.publish_at, Article.edited_at).where(is_public()).order_by(Article.id)
    )
    return [(slug, max(d for d in (published, edited) if d is not None)) for slug, published, edited in rows]


def public_tags() -> list[Tag]:
    """Tags used by at least one public article."""
    return list(
        db.session.scalars(
            select(Tag)
            .where(
                Tag.id.in_(
                    select(article_tag.c.tag_id)
                    .join(Article, Article.id == article_tag.c.article_id)
                    .where(is_public())
                )
            )
            .order_by(Tag.name)
        )
    )
