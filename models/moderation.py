"""Moderation: flags, filters, scoped moderators, sanctions, write events and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .content import ContentItem
from .user import User


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    ABUSIVE = "abusive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class Flag(db.Model):
    """One member's report of one item; at most one per member per item."""

    __tablename__ = "moderation_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    weight: Mapped[float] = mapped_column(default=1.0)
    status: Mapped[str] = mapped_column(String(12), default=FlagStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    content: Mapped[ContentItem] = relationship(lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("content_id", "user_id", name="uq_moderation_flag_content_user"),
        Index("ix_moderation_flag_status_created", "status", "created_at"),
    )


class FilterAction(enum.StrEnum):
    BLOCK = "block"
    REVIEW = "review"


class FilterRule(db.Model):
    """A word or a regular expression that blocks a post or sends it for approval."""

    __tablename__ = "moderation_filter"

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(String(200))
    is_regex: Mapped[bool] = mapped_column(default=False)
    action: Mapped[str] = mapped_column(String(8), default=FilterAction.BLOCK.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModeratorScope(db.Model):
    """Limits a moderator to items whose context scope is (scope_type, scope_id)."""

    __tablename__ = "moderation_scope"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    scope_type: Mapped[str] = mapped_column(String(32))
    scope_id: Mapped[int] = mapped_column()

    __table_args__ = (
        UniqueConstraint("user_id", "scope_type", "scope_id", name="uq_moderation_scope_user_scope"),
    )


class SanctionKind(enum.StrEnum):
    SUSPEND = "suspend"
    SILENCE = "silence"
    BAN = "ban"


class Sanction(db.Model):
    __tablename__ = "moderation_sanction"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")

    def active(self, now: datetime) -> bool:
        return self.lifted_at is None and (self.ends_at is None or self.ends_at > now)


class WriteEvent(db.Model):
    """One write through ``write_rate_limit``, counted per member in a sliding window."""

    __tablename__ = "moderation_write_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_moderation_write_event_user_created", "user_id", "created_at"),)


class AuditEntry(db.Model):
    """Who did what to what, when, with the state before and after and the reason."""

    __tablename__ = "moderation_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(48), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column()
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(lazy="raise")

    __table_args__ = (Index("ix_moderation_audit_target", "target_type", "target_id"),)
