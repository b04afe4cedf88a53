"""The shared content model: everything a person writes is a ``ContentItem``.

Topics, replies, articles, comments, reviews, ideas and brand responses subclass it
with joined-table inheritance, so one id space covers every kind and moderation,
flags, reactions, search and the API treat them alike. A subclass declares::

    class Reply(ContentItem):
        __tablename__ = "forum_reply"
        id: Mapped[int] = mapped_column(ForeignKey("content_item.id"), primary_key=True)
        __mapper_args__ = {"polymorphic_identity": "reply"}
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .user import User


class ContentState(enum.StrEnum):
    PUBLISHED = "published"  # visible to everyone
    PENDING = "pending"  # awaiting pre-moderation
    HIDDEN = "hidden"  # hidden by a moderator, with a public reason
    DELETED = "deleted"  # deleted by its author; kept for the audit log


class ContentItem(db.Model):
    __tablename__ = "content_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default=ContentState.PUBLISHED.value)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Denormalised role of the author when written, so "staff"/"moderator" labels
    # need no join and stay true to the moment of writing.
    author_role: Mapped[str] = mapped_column(String(16), default="member")

    author: Mapped[User | None] = relationship(lazy="raise")
    revisions: Mapped[list[ContentRevision]] = relationship(
        back_populates="content",
        cascade="all, delete-orphan",
        order_by="ContentRevision.id",
        lazy="raise",
    )

    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "content"}
    __table_args__ = (
        Index("ix_content_item_state_created", "state", "created_at"),
        # One kind's newest published items (recent reviews, newest questions).
        Index("ix_content_item_kind_state_created", "kind", "state", "created_at"),
    )

    @property
    def is_published(self) -> bool:
        return self.state == ContentState.PUBLISHED

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    @property
    def title_text(self) -> str:
        """A short human label for lists, queues and search; kinds may override."""
        return getattr(self, "title", None) or ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.state}>"


class ContentRevision(db.Model):
    """A previous version of a content item, kept on every edit."""

    __tablename__ = "content_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(300))
    body_source: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    content: Mapped[ContentItem] = relationship(back_populates="revisions", lazy="raise")
    editor: Mapped[User | None] = relationship(lazy="raise")
