"""The idea board: ideas, their votes, comments and public status changes.

An idea and its comments are content items. Votes live in ``idea_vote`` with one
row per (idea, member); ``Idea.vote_count`` mirrors ``COUNT(*)`` and is only ever
changed by atomic ``UPDATE ... SET vote_count = vote_count ± 1`` statements tied to
the insert or delete of a vote row (see ``community.ideas.services``).
"""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import UTCDateTime, db, utcnow
from .content import ContentItem
from .user import User


class IdeaStatus(enum.StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"


# Votes are frozen (no vote, no unvote) on closed ideas; budgets give them back.
CLOSED_STATUSES = frozenset({IdeaStatus.DONE.value, IdeaStatus.DECLINED.value})


def fold_text(text: str) -> str:
    """Lower case without accents: "Réchaud" -> "rechaud" (for LIKE matching)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Idea(ContentItem):
    __tablename__ = "idea"

    id: Mapped[int] = mapped_column(ForeignKey("content_item.id"), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # fold_text(title), kept by a validator: similar-title lookups match "rechaud" to "Réchaud".
    title_folded: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=IdeaStatus.NEW.value, index=True)
    vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # Sum over votes of exp((voted_at - TRENDING_EPOCH) / 7 days): ordering by it is
    # ordering by sum of exp(-age / 7 days). Kept by the vote services.
    trending_score: Mapped[float] = mapped_column(Float, default=0.0)
    # Free reference to a product or product category ("tent:alpine-2", "jackets");
    # linked to the catalogue once it exists.
    product_ref: Mapped[str | None] = mapped_column(String(80))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"), index=True)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    merged_into: Mapped[Idea | None] = relationship(
        remote_side="Idea.id", foreign_keys=[merged_into_id], lazy="raise"
    )

    __mapper_args__ = {
        "polymorphic_identity": "idea",
        "inherit_condition": id == ContentItem.id,
    }
    __table_args__ = (
        Index("ix_idea_vote_count", "vote_count"),
        Index("ix_idea_trending_score", "trending_score"),
    )

    @validates("title")
    def _fold_title(self, _key: str, value: str) -> str:
        self.title_folded = fold_text(value)
        return value

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def votes_open(self) -> bool:
        return not self.is_merged and self.status not in CLOSED_STATUSES and self.is_published


class IdeaVote(db.Model):
    __tablename__ = "idea_vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The idea the member actually voted for, set when a merge moves the vote (never
    # overwritten), so undoing a merge puts every vote back where it was.
    original_idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("idea_id", "user_id", name="uq_idea_vote_idea_user"),)


class IdeaComment(ContentItem):
    __tablename__ = "idea_comment"

    id: Mapped[int] = mapped_column(ForeignKey("content_item.id"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)

    idea: Mapped[Idea] = relationship(foreign_keys=[idea_id], lazy="raise")

    __mapper_args__ = {"polymorphic_identity": "idea_comment", "inherit_condition": id == ContentItem.id}


class IdeaStatusChange(db.Model):
    """A public status change by staff, with its note, shown in the idea's timeline."""

    __tablename__ = "idea_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise")
