"""The brand blog: articles written by staff, their tags, and comments by members.

An article's *publication status* (draft, scheduled, published, with ``publish_at``)
is separate from its content *visibility state* (published, pending, hidden,
deleted). The public sees an article when its state is ``published``, its status is
not ``draft`` and ``publish_at`` has passed: a scheduled article appears by itself at
its time, without a job.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .content import ContentItem, ContentState


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


article_tag = Table(
    "blog_article_tag",
    db.metadata,
    Column("article_id", ForeignKey("blog_article.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("blog_tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "blog_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(60), unique=True)

    def __repr__(self) -> str:
        return f"<Tag {self.slug}>"


class Article(ContentItem):
    __tablename__ = "blog_article"

    id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    cover_image: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default=ArticleStatus.DRAFT.value)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reading_minutes: Mapped[int] = mapped_column(default=1)
    comment_count: Mapped[int] = mapped_column(default=0)

    tags: Mapped[list[Tag]] = relationship(secondary=article_tag, order_by=Tag.name, lazy="raise")

    __mapper_args__ = {"polymorphic_identity": "article"}
    __table_args__ = (Index("ix_blog_article_status_publish_at", "status", "publish_at"),)

    def is_public(self, now: datetime | None = None) -> bool:
        """Whether everyone may read it now (the same test as the list queries)."""
        return (
            self.state == ContentState.PUBLISHED
            and self.status != ArticleStatus.DRAFT
            and self.publish_at is not None
            and self.publish_at <= (now or utcnow())
        )

    @property
    def effective_status(self) -> str:
        """``scheduled`` turns into ``published`` by itself once its time has come."""
        if self.status == ArticleStatus.SCHEDULED and self.publish_at and self.publish_at <= utcnow():
            return ArticleStatus.PUBLISHED.value
        return self.status


class ArticleComment(ContentItem):
    __tablename__ = "blog_comment"

    id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("blog_article.id", ondelete="CASCADE"), index=True)
    # One level of replies: a reply's parent is always a top-level comment.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("blog_comment.id", ondelete="CASCADE"))

    article: Mapped[Article] = relationship(foreign_keys=[article_id], lazy="raise")

    __mapper_args__ = {
        "polymorphic_identity": "article_comment",
        "inherit_condition": id == ContentItem.id,
    }
