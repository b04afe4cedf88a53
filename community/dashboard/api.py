"""Dashboard API: the period summary and the influencer radar (staff, moderators, admins)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields, validate

from ..api.auth import require
from ..api.blueprint import Blueprint
from . import queries, radar

blp = Blueprint("api_dashboard", __name__, description="Community dashboard and influencer radar")


class PeriodQuerySchema(Schema):
    """A reversed period is put in order; one longer than two years keeps its last 731 days.
    The period used is returned in ``period``."""

    from_ = fields.Date(data_key="from", metadata={"description": "First day (UTC), default 30 days ago"})
    to = fields.Date(metadata={"description": "Last day (UTC, included), default today"})
    product = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "Only reviews of this product"},
    )
    category = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "Only reviews of this product category"},
    )


class RadarQuerySchema(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class ResponsivenessSchema(Schema):
    asked = fields.Integer()
    answered = fields.Integer()
    median_hours = fields.Float(allow_none=True)
    p90_hours = fields.Float(allow_none=True)
    within_target = fields.Integer()
    within_target_share = fields.Float(allow_none=True)
    backlog = fields.Integer()


class SeriesPointSchema(Schema):
    period = fields.String()
    values = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))


class ProductRatingSchema(Schema):
    product_id = fields.Integer()
    slug = fields.String()
    count = fields.Integer()
    mean = fields.Float()


class WantedIdeaSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    vote_count = fields.Integer()
    url = fields.String()


class SummarySchema(Schema):
    period = fields.Dict(keys=fields.String(), values=fields.Raw())
    grouping = fields.String(metadata={"enum": ["day", "week"]})
    target_hours = fields.Integer()
    activity_totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    series = fields.List(fields.Nested(SeriesPointSchema))
    responsiveness = fields.Dict(keys=fields.String(), values=fields.Nested(ResponsivenessSchema))
    rating_mean = fields.Float(allow_none=True)
    rating_count = fields.Integer()
    rating_distribution = fields.Dict(keys=fields.String(), values=fields.Integer())
    reviews_answered_share = fields.Float(allow_none=True)
    per_product = fields.List(fields.Nested(ProductRatingSchema))
    ideas_by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    wanted_ideas = fields.List(fields.Nested(WantedIdeaSchema))
    tone_totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    tone_shares = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))


class InfluencerSchema(Schema):
    rank = fields.Integer()
    user_id = fields.Integer()
    username = fields.String()
    brand_relationship = fields.String(allow_none=True)
    score = fields.Float()
    reach = fields.Float()
    expertise = fields.Float()
    enthusiasm = fields.Float()
    steadiness = fields.Float()
    mean_tone = fields.Float()
    posts = fields.Integer()
    engagers = fields.Integer()
    accepted = fields.Integer()
    helpful = fields.Integer()
    active_weeks = fields.Integer()
    profile_url = fields.String()


class InfluencersSchema(Schema):
    period = fields.Dict(keys=fields.String(), values=fields.Raw())
    members = fields.List(fields.Nested(InfluencerSchema))
    disclosed = fields.List(fields.Nested(InfluencerSchema))
    ambassadors = fields.List(fields.Integer(), metadata={"description": "user ids"})
    detractors = fields.List(fields.Integer(), metadata={"description": "user ids"})


def _args(args: dict[str, Any]) -> dict[str, Any]:
    out = {k: v.isoformat() for k, v in (("from", args.get("from_")), ("to", args.get("to"))) if v}
    for key in ("product", "category"):
        if args.get(key):
            out[key] = str(args[key])
    return out


@blp.get("/dashboard/summary")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, SummarySchema)
@blp.error_responses(401, 403, descriptions={403: "Not staff, moderator or admin"})
def summary(args: dict[str, Any]):
    """The dashboard's figures over a period, optionally for one product or category."""
    require("dashboard.view")
    period = queries.parse_period(_args(args), clamp=True)
    s = queries.summary(period, examples=False)
    series = []
    for b in s.buckets:
        values: dict[str, float | None] = {m: s.activity[m][b] for m in queries.ACTIVITY}
        values.update({f"tone_{t}": s.tone[t][b] for t in queries.TONES})
        values["rating_mean"] = s.rating_over_time[b]
        values["idea_votes"] = s.votes_over_time[b]
        series.append({"period": b.isoformat(), "values": values})
    return {
        "period": period.params(),
        "grouping": "week" if period.weekly else "day",
        "target_hours": s.target_hours,
        "activity_totals": s.activity_totals,
        "series": series,
        "responsiveness": s.responsiveness,
        "rating_mean": s.rating_mean,
        "rating_count": s.rating_count,
        "rating_distribution": {str(k): v for k, v in s.distribution.items()},
        "reviews_answered_share": s.reviews_answered_share,
        "per_product": [
            {"product_id": p["product"].id, "slug": p["product"].slug, "count": p["count"], "mean": p["mean"]}
            for p in s.per_product
        ],
        "ideas_by_status": s.ideas_by_status,
        "wanted_ideas": [
            {
                "id": i.id,
                "title": i.title,
                "vote_count": i.vote_count,
                "url": url_for("ideas.show", idea_id=i.id),
            }
            for i in s.wanted_ideas
        ],
        "tone_totals": s.tone_totals,
        "tone_shares": s.tone_shares,
    }


def _influencer(r: radar.Influence) -> dict[str, Any]:
    return {
        "rank": r.rank, "user_id": r.user.id, "username": r.user.username,
        "brand_relationship": r.user.brand_relationship, "score": r.score, "reach": round(r.reach, 4),
        "expertise": round(r.expertise, 4), "enthusiasm": round(r.enthusiasm, 4),
        "steadiness": round(r.steadiness, 4), "mean_tone": r.mean_tone, "posts": r.posts, "engagers": r.engagers,
        "accepted": r.accepted, "helpful": r.helpful, "active_weeks": r.active_weeks,
        "profile_url": url_for("auth.profile", username=r.user.username),
    }  # fmt: skip


@blp.get("/influencers")
@blp.arguments(RadarQuerySchema, location="query")
@blp.response(200, InfluencersSchema)
@blp.error_responses(401, 403, descriptions={403: "Not staff, moderator or admin"})
def influencers(args: dict[str, Any]):
    """The influencer radar: members ranked by influence (staff and declared relationships apart)."""
    require("dashboard.view")
    period = queries.parse_period(_args(args), default_days=90, clamp=True)
    result = radar.radar(period)
    return {
        "period": period.params(),
        "members": [_influencer(r) for r in result.members],
        "disclosed": [_influencer(r) for r in result.disclosed],
        "ambassadors": [r.user.id for r in result.ambassadors],
        "detractors": [r.user.id for r in result.detractors],
    }
