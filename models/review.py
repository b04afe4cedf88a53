"""The product catalogue and its reviews.

A :class:`Review` and a :class:`BrandResponse` are content items (moderation,
flags, search and history apply). A product keeps its aggregates on its row
(``review_count``, ``rating_sum``, ``star_1``..``star_5``), maintained by the review
services with atomic increments; each review remembers in ``counted_rating`` the
rating it currently contributes (None when it does not count), so any change of
state or rating applies exactly the difference.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .content import ContentItem
from .user import User

STARS = (5, 4, 3, 2, 1)


class ProductCategory(db.Model):
    """A product line (tents, jackets...); scoped moderators will be given one."""

    __tablename__ = "product_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_fr: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" else self.name_en


class Product(db.Model):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("product_category.id"), index=True)
    image: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Aggregates over published reviews, kept by the review services.
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    star_1: Mapped[int] = mapped_column(Integer, default=0)
    star_2: Mapped[int] = mapped_column(Integer, default=0)
    star_3: Mapped[int] = mapped_column(Integer, default=0)
    star_4: Mapped[int] = mapped_column(Integer, default=0)
    star_5: Mapped[int] = mapped_column(Integer, default=0)
    last_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    category: Mapped[ProductCategory] = relationship(lazy="raise")

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" else self.name_en

    def description(self, lang: str) -> str:
        return self.description_fr if lang == "fr" else self.description_en

    @property
    def mean_rating(self) -> float | None:
        return round(self.rating_sum / self.review_count, 1) if self.review_count else None

    def star_count(self, stars: int) -> int:
        return int(getattr(self, f"star_{stars}") or 0)

    def star_percent(self, stars: int) -> int:
        return round(100 * self.star_count(stars) / self.review_count) if self.review_count else 0


class Review(ContentItem):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(ForeignKey("content_item.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    # The author while the review is not deleted; NULL afterwards, so that the
    # one-review-per-member rule is a plain unique constraint.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    rating: Mapped[int] = mapped_column(Integer)
    pros: Mapped[str] = mapped_column(Text, default="")
    cons: Mapped[str] = mapped_column(Text, default="")
    would_recommend: Mapped[bool] = mapped_column(Boolean, default=True)
    experienced_on: Mapped[date | None] = mapped_column(Date)
    incentivized: Mapped[bool] = mapped_column(Boolean, default=False)
    incentive_note: Mapped[str] = mapped_column(String(300), default="")
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    counted_rating: Mapped[int | None] = mapped_column(Integer)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Seconds from the review to the first brand response (for the dashboard).
    response_seconds: Mapped[int | None] = mapped_column(Integer)

    product: Mapped[Product] = relationship(lazy="raise")
    response: Mapped[BrandResponse | None] = relationship(
        back_populates="review", foreign_keys="BrandResponse.review_id", uselist=False, lazy="raise"
    )

    __mapper_args__ = {"polymorphic_identity": "review", "inherit_condition": id == ContentItem.id}
    __table_args__ = (
        UniqueConstraint("product_id", "reviewer_id", name="uq_review_product_reviewer"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_review_product_helpful", "product_id", "helpful_count"),
    )


class BrandResponse(ContentItem):
    """The brand's public answer to a review: one per review."""

    __tablename__ = "brand_response"

    id: Mapped[int] = mapped_column(ForeignKey("content_item.id"), primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), unique=True)

    review: Mapped[Review] = relationship(back_populates="response", foreign_keys=[review_id], lazy="raise")

    __mapper_args__ = {"polymorphic_identity": "brand_response", "inherit_condition": id == ContentItem.id}


class HelpfulVote(db.Model):
    __tablename__ = "review_helpful_vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (UniqueConstraint("review_id", "user_id", name="uq_review_helpful_vote_review_user"),)
