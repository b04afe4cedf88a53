"""Chart descriptions for static/js/dashboard.js (read from JSON data blocks)."""

from __future__ import annotations

from typing import Any

from .exports import ACTIVITY_LABELS, STATUS_LABELS, TONE_LABELS
from .queries import ACTIVITY, IDEA_STATUSES, STARS, TONES, Summary

COLOURS = ["#1f5f8b", "#b5541c", "#2e7d32", "#6a1b9a", "#8d6e00", "#00695c"]
TONE_COLOURS = {"positive": "#2e7d32", "neutral": "#757575", "negative": "#c62828"}


def charts_for(summary: Summary) -> dict[str, dict[str, Any]]:
    labels = [b.isoformat() for b in summary.buckets]
    return {
        "activity": {"type": "line", "labels": labels, "datasets": [
            {"label": str(ACTIVITY_LABELS[m]), "data": [summary.activity[m][b] for b in summary.buckets],
             "borderColor": COLOURS[i], "backgroundColor": COLOURS[i]}
            for i, m in enumerate(ACTIVITY)
        ]},
        "reviews": {"type": "line", "labels": labels, "datasets": [
            {"label": "★", "data": [summary.rating_over_time[b] for b in summary.buckets],
             "borderColor": COLOURS[1], "backgroundColor": COLOURS[1], "spanGaps": True}
        ], "yMax": 5},
        "stars": {"type": "bar", "labels": [f"{s}★" for s in STARS], "datasets": [
            {"label": "★", "data": [summary.distribution[s] for s in STARS], "backgroundColor": COLOURS[4]}
        ]},
        "ideas": {"type": "bar", "labels": [str(STATUS_LABELS[s]) for s in IDEA_STATUSES], "datasets": [
            {"label": "#", "data": [summary.ideas_by_status[s] for s in IDEA_STATUSES], "backgroundColor": COLOURS[3]}
        ]},
        "votes": {"type": "bar", "labels": labels, "datasets": [
            {"label": "#", "data": [summary.votes_over_time[b] for b in summary.buckets], "backgroundColor": COLOURS[0]}
        ]},
        "tone": {"type": "bar", "stacked": True, "labels": labels, "datasets": [
            {"label": str(TONE_LABELS[t]), "data": [summary.tone[t][b] for b in summary.buckets],
             "backgroundColor": TONE_COLOURS[t]}
            for t in TONES
        ]},
    }  # fmt: skip
