"""The community dashboard's rollups, response-time samples, contribution tones and badges.

Figures are kept up to date by listeners on the domain events (``community.dashboard.
listeners``) and can be recomputed from the content with ``flask dashboard rebuild``:

- :class:`DailyMetric`: one counter per (day, metric, scope). Scopes are ``"all"``,
  ``"product:<id>"``, ``"category:<id>"`` (product categories, reviews only) and
  ``"user:<id>"`` (per-member figures for the influencer radar).
- :class:`ResponseSample`: one row per question or review, with the time to the first
  official answer or brand response once there is one (medians are computed over them).
- :class:`ContentTone`: the sentiment score of each contribution, computed once when it
  is written, and whether it currently counts in the rollups.
- :class:`Engagement`: who engaged with whom on which day (distinct people reached).
- :class:`Badge`: badges granted automatically to members.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db, utcnow


class DailyMetric(db.Model):
    __tablename__ = "dashboard_daily"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(40), default="all")
    value: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("scope", "day", "metric", name="uq_dashboard_daily_scope_day_metric"),
        Index("ix_dashboard_daily_metric_day", "metric", "day"),
    )


class ResponseSample(db.Model):
    __tablename__ = "dashboard_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # "question" or "review"
    subject_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(Integer)
    category_id: Mapped[int | None] = mapped_column(Integer)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds: Mapped[int | None] = mapped_column(Integer)
    # False while the question or review is not published (deleted, hidden, pending).
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        UniqueConstraint("kind", "subject_id", name="uq_dashboard_response_kind_subject"),
        Index("ix_dashboard_response_asked", "kind", "asked_at"),
    )


class ContentTone(db.Model):
    __tablename__ = "dashboard_tone"

    content_id: Mapped[int] = mapped_column(
        ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    author_id: Mapped[int | None] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float, default=0.0)  # -1 .. 1
    label: Mapped[str] = mapped_column(String(8))  # positive, neutral, negative
    # Whether the item's contributions are in the rollups now (published, with an author).
    counted: Mapped[bool] = mapped_column(default=False)
    # Written by the brand (staff, admin): kept out of the community's figures.
    official: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_dashboard_tone_label_day", "label", "day"),)


class Engagement(db.Model):
    __tablename__ = "dashboard_engagement"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)  # the member engaged with
    engager_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("user_id", "engager_id", "day", name="uq_dashboard_engagement"),
        Index("ix_dashboard_engagement_day", "day"),
    )


class Badge(db.Model):
    __tablename__ = "badge"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    content_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("user_id", "code", name="uq_badge_user_code"),)
