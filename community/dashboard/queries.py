"""Reading the dashboard's figures: a fixed number of queries over the rollups.

Nothing here scans the content tables: activity, ratings, tone and votes come from the
daily rollups (``dashboard_daily``, kept by the listeners), response times from one compact
row per question or review (``dashboard_response``). The idea board's figures read the
ten most wanted ideas (an indexed, limited read); their counts by status are counters too.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import with_polymorphic

from models import (
    ContentItem,
    ContentState,
    ContentTone,
    DailyMetric,
    Idea,
    Product,
    ProductCategory,
    ResponseSample,
    db,
    utcnow,
)

from ..errors import InvalidInput
from .rollups import CURRENT, IDEAS_SCOPE, VOTES, week_start

ACTIVITY = ("members", "topics", "replies", "reviews", "ideas", "comments")
TONES = ("positive", "neutral", "negative")
STARS = (1, 2, 3, 4, 5)
IDEA_STATUSES = ("new", "under_review", "planned", "in_progress", "done", "declined")
MAX_DAYS = 731
DAILY_UP_TO = 62
LAST_DAY = date(
    9998, 12, 31
)  # leaves room for "the day after" arithmetic  # longer periods are shown per week


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    product_id: int | None = None
    category_id: int | None = None

    @property
    def scope(self) -> str:
        if self.product_id:
            return f"product:{self.product_id}"
        if self.category_id:
            return f"category:{self.category_id}"
        return "all"

    @property
    def weekly(self) -> bool:
        return (self.end - self.start).days + 1 > DAILY_UP_TO

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def buckets(self) -> list[date]:
        if self.weekly:
            first, step = week_start(self.start), 7
        else:
            first, step = self.start, 1
        out, day = [], first
        while day <= self.end:
            out.append(day)
            day += timedelta(days=step)
        return out

    def bucket(self, day: date) -> date:
        return week_start(day) if self.weekly else day

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.product_id:
            out["product"] = self.product_id
        if self.category_id:
            out["category"] = self.category_id
        return out


def parse_period(args: Any, default_days: int = 30, clamp: bool = False) -> Period:
    """``from``/``to`` (ISO dates, inclusive), ``product`` and ``category`` ids.

    With ``clamp`` (the API), a reversed period is put in order and one longer than
    :data:`MAX_DAYS` keeps its last :data:`MAX_DAYS` days; pages refuse both (422).
    """
    today = utcnow().date()

    def _date(name: str, default: date) -> date:
        raw = (args.get(name) or "").strip()
        if not raw:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(_l("Write dates as YYYY-MM-DD."), field=name, code="bad_date") from None

    def _id(name: str) -> int | None:
        raw = str(args.get(name) or "").strip()
        if not raw:
            return None
        if not (raw.isascii() and raw.isdecimal()):
            raise InvalidInput(_l("Choose a product or category from the list."), field=name, code="bad_id")
        return int(raw)

    end = min(_date("to", today), LAST_DAY)
    start = min(_date("from", _minus(end, default_days - 1)), LAST_DAY)
    if clamp:
        start, end = min(start, end), max(start, end)
        start = max(start, _minus(end, MAX_DAYS - 1))
    if start > end:
        raise InvalidInput(_l("The period must start before it ends."), field="from", code="bad_period")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(_l("Choose a period of at most two years."), field="from", code="period_too_long")
    return Period(start, end, _id("product"), _id("category"))


def _minus(day: date, days: int) -> date:
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


def percentile(values: list[int], share: float) -> float | None:
    """Nearest-rank-free linear interpolation (as numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Summary:
    period: Period
    buckets: list[date]
    activity: dict[str, dict[date, int]] = field(default_factory=dict)
    activity_totals: dict[str, int] = field(default_factory=dict)
    responsiveness: dict[str, dict[str, Any]] = field(default_factory=dict)
    rating_over_time: dict[date, float | None] = field(default_factory=dict)
    rating_mean: float | None = None
    rating_count: int = 0
    distribution: dict[int, int] = field(default_factory=dict)
    per_product: list[dict[str, Any]] = field(default_factory=list)
    reviews_answered_share: float | None = None
    ideas_by_status: dict[str, int] = field(default_factory=dict)
    votes_over_time: dict[date, int] = field(default_factory=dict)
    wanted_ideas: list[Idea] = field(default_factory=list)
    tone: dict[str, dict[date, int]] = field(default_factory=dict)
    tone_totals: dict[str, int] = field(default_factory=dict)
    tone_shares: dict[str, float | None] = field(default_factory=dict)
    tone_examples: dict[str, list[ContentItem]] = field(default_factory=dict)
    target_hours: int = 24


def summary(period: Period, examples: bool = True) -> Summary:
    out = Summary(period=period, buckets=period.buckets())
    out.target_hours = int(current_app.config.get("BRAND_RESPONSE_TARGET_HOURS", 24))
    # The scope's rollups, and the idea votes (counted for the whole community only).
    in_scope = or_(
        DailyMetric.scope == period.scope, and_(DailyMetric.scope == "all", DailyMetric.metric == VOTES)
    )
    rows = db.session.execute(
        select(DailyMetric.day, DailyMetric.metric, func.sum(DailyMetric.value))
        .where(in_scope, DailyMetric.day >= period.start, DailyMetric.day <= period.end)
        .group_by(DailyMetric.day, DailyMetric.metric)
    ).all()  # fmt: skip
    series: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for day, metric, value in rows:
        series[metric][period.bucket(day)] += int(value or 0)
    for metric in ACTIVITY:
        out.activity[metric] = {b: series[metric].get(b, 0) for b in out.buckets}
        out.activity_totals[metric] = sum(out.activity[metric].values())
    for label in TONES:
        out.tone[label] = {b: series[f"tone_{label}"].get(b, 0) for b in out.buckets}
        out.tone_totals[label] = sum(out.tone[label].values())
    toned = sum(out.tone_totals.values())
    out.tone_shares = {k: (v / toned if toned else None) for k, v in out.tone_totals.items()}
    for b in out.buckets:
        count = series["rating_count"].get(b, 0)
        out.rating_over_time[b] = round(series["rating_sum"].get(b, 0) / count, 2) if count else None
    out.rating_count = sum(series["rating_count"].values())
    rating_sum = sum(series["rating_sum"].values())
    out.rating_mean = round(rating_sum / out.rating_count, 2) if out.rating_count else None
    out.distribution = {s: sum(series[f"star_{s}"].values()) for s in STARS}
    out.per_product = _per_product(period)
    _responsiveness(out)
    _ideas(out)
    out.votes_over_time = {b: series[VOTES].get(b, 0) for b in out.buckets}
    if examples:
        out.tone_examples = tone_examples(period)
    return out


def _per_product(period: Period) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(DailyMetric.scope, DailyMetric.metric, func.sum(DailyMetric.value))
        # A range, not LIKE 'product:%': the (scope, day, metric) index serves it on SQLite
        # too, instead of a scan of every member's rows (";" sorts right after ":").
        .where(DailyMetric.scope >= "product:", DailyMetric.scope < "product;",
               DailyMetric.metric.in_(("rating_sum", "rating_count")),
               DailyMetric.day >= period.start, DailyMetric.day <= period.end)
        .group_by(DailyMetric.scope, DailyMetric.metric)
    ).all()  # fmt: skip
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    for scope, metric, value in rows:
        sums[int(scope.split(":")[1])][metric] = int(value or 0)
    if period.product_id:
        sums = {k: v for k, v in sums.items() if k == period.product_id}
    products = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(list(sums))))}
    if period.category_id:
        sums = {
            k: v for k, v in sums.items() if k in products and products[k].category_id == period.category_id
        }
    out = []
    for product_id, values in sums.items():
        count = values.get("rating_count", 0)
        if count <= 0 or product_id not in products:
            continue
        out.append({"product": products[product_id], "count": count,
                    "mean": round(values.get("rating_sum", 0) / count, 2)})  # fmt: skip
    out.sort(key=lambda r: (-r["count"], r["product"].slug))
    return out


def _responsiveness(out: Summary) -> None:
    period = out.period
    query = select(ResponseSample.kind, ResponseSample.seconds).where(
        ResponseSample.active.is_(True),
        ResponseSample.asked_at >= period.since,
        ResponseSample.asked_at < period.until,
    )
    backlog_query = select(ResponseSample.kind, func.count()).where(
        ResponseSample.active.is_(True), ResponseSample.answered_at.is_(None)
    )
    if period.product_id:
        query = query.where(ResponseSample.product_id == period.product_id)
        backlog_query = backlog_query.where(ResponseSample.product_id == period.product_id)
    elif period.category_id:
        query = query.where(ResponseSample.category_id == period.category_id)
        backlog_query = backlog_query.where(ResponseSample.category_id == period.category_id)
    samples: dict[str, list[int | None]] = {"question": [], "review": []}
    for kind, seconds in db.session.execute(query):
        samples[kind].append(seconds)
    backlog = dict(db.session.execute(backlog_query.group_by(ResponseSample.kind)).all())
    target = out.target_hours * 3600
    for kind, values in samples.items():
        answered = [v for v in values if v is not None]
        median = percentile(answered, 0.5)
        p90 = percentile(answered, 0.9)
        within = sum(1 for v in answered if v <= target)
        out.responsiveness[kind] = {
            "asked": len(values),
            "answered": len(answered),
            "median_hours": round(median / 3600, 2) if median is not None else None,
            "p90_hours": round(p90 / 3600, 2) if p90 is not None else None,
            "within_target": within,
            "within_target_share": (within / len(values)) if values else None,
            "backlog": int(backlog.get(kind, 0)),
        }
    reviews = out.responsiveness["review"]
    out.reviews_answered_share = reviews["answered"] / reviews["asked"] if reviews["asked"] else None


def _ideas(out: Summary) -> None:
    visible = (Idea.state == ContentState.PUBLISHED, Idea.merged_into_id.is_(None))
    counts = dict(
        db.session.execute(
            select(DailyMetric.metric, DailyMetric.value).where(
                DailyMetric.scope == IDEAS_SCOPE, DailyMetric.day == CURRENT
            )
        ).all()
    )
    out.ideas_by_status = {s: int(counts.get(f"status_{s}", 0)) for s in IDEA_STATUSES}
    out.wanted_ideas = list(
        db.session.scalars(
            select(Idea)
            .where(*visible, Idea.status == "new")
            .order_by(Idea.vote_count.desc(), Idea.id)
            .limit(10)
        )
    )


def tone_examples(period: Period, per_label: int = 3) -> dict[str, list[ContentItem]]:
    out: dict[str, list[ContentItem]] = {}
    for label in TONES:
        ids = db.session.scalars(
            select(ContentTone.content_id)
            .where(ContentTone.label == label, ContentTone.counted.is_(True), ContentTone.official.is_(False),
                   ContentTone.day >= period.start, ContentTone.day <= period.end)
            .order_by(ContentTone.score.desc() if label == "positive" else ContentTone.score)
            .limit(per_label)
        ).all()  # fmt: skip
        poly = with_polymorphic(ContentItem, "*")
        items = {i.id: i for i in db.session.scalars(select(poly).where(poly.id.in_(ids)))}
        out[label] = [items[i] for i in ids if i in items]
    return out


def scope_choices() -> tuple[list[Product], list[ProductCategory]]:
    products = list(db.session.scalars(select(Product).order_by(Product.slug)))
    categories = list(
        db.session.scalars(select(ProductCategory).order_by(ProductCategory.position, ProductCategory.slug))
    )
    return products, categories
