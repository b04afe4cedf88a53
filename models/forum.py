"""The forum: categories, topics (opening posts) and replies, reactions and read marks.

A topic and each reply are content items (kinds ``topic`` and ``reply``); the topic
row also carries the list-page counters, kept by ``community.forum.services``.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .content import ContentItem


class TopicKind(enum.StrEnum):
    DISCUSSION = "discussion"
    QUESTION = "question"


class ForumCategory(db.Model):
    __tablename__ = "forum_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_fr: Mapped[str] = mapped_column(String(80))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    colour: Mapped[str] = mapped_column(String(7), default="#1f5f8b")
    # Lowest role allowed to open topics: "member" (everyone who may write) or "staff".
    post_role: Mapped[str] = mapped_column(String(16), default="member")
    topic_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_topic_id: Mapped[int | None] = mapped_column()

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" and self.name_fr else self.name_en

    def description(self, lang: str) -> str:
        return self.description_fr if lang == "fr" and self.description_fr else self.description_en


class Topic(ContentItem):
    __tablename__ = "forum_topic"

    id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_category.id"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), default="")
    topic_kind: Mapped[str] = mapped_column(String(12), default=TopicKind.DISCUSSION.value)
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    reply_count: Mapped[int] = mapped_column(default=0)  # published replies
    view_count: Mapped[int] = mapped_column(default=0)
    like_count: Mapped[int] = mapped_column(default=0)  # likes on the opening post
    # Highest reply position handed out (positions are never reused).
    last_position: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_reply_id: Mapped[int | None] = mapped_column()
    accepted_reply_id: Mapped[int | None] = mapped_column()
    has_official_answer: Mapped[bool] = mapped_column(default=False)

    category: Mapped[ForumCategory] = relationship(lazy="raise")

    __mapper_args__ = {"polymorphic_identity": "topic"}
    __table_args__ = (
        Index("ix_forum_topic_category_activity", "category_id", "is_pinned", "last_activity_at"),
        # "Latest topics" across categories (forum latest, the home page's block).
        Index("ix_forum_topic_activity", "is_pinned", "last_activity_at", "id"),
    )

    @property
    def is_question(self) -> bool:
        return self.topic_kind == TopicKind.QUESTION

    @property
    def is_solved(self) -> bool:
        return self.accepted_reply_id is not None

    @property
    def position(self) -> int:
        return 0


class Reply(ContentItem):
    __tablename__ = "forum_reply"

    id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()  # 1, 2, 3... in the topic; the opening post is 0
    like_count: Mapped[int] = mapped_column(default=0)

    topic: Mapped[Topic] = relationship(foreign_keys=[topic_id], lazy="raise")

    __mapper_args__ = {"polymorphic_identity": "reply", "inherit_condition": id == ContentItem.id}
    __table_args__ = (UniqueConstraint("topic_id", "position", name="uq_forum_reply_topic_position"),)


class ForumReaction(db.Model):
    """One "like" per member per post (topic opening post or reply)."""

    __tablename__ = "forum_reaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="like")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("content_id", "user_id", "kind", name="uq_forum_reaction_content_user_kind"),
    )


class ForumRead(db.Model):
    """Where a member stopped reading a topic."""

    __tablename__ = "forum_read"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"), primary_key=True)
    last_read_position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ForumPreference(db.Model):
    """A member's forum settings: the language filter of lists ("" for both)."""

    __tablename__ = "forum_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), default="")
