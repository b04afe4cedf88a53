"""Demo data for the dashboard: one declared ambassador, then every figure recomputed."""

from __future__ import annotations

from models import db

from ..demo import DemoContext
from . import rollups


def seed_dashboard(ctx: DemoContext) -> None:
    if len(ctx.members) > 2:
        ctx.members[1].brand_relationship = "ambassador"
    db.session.flush()
    rollups.rebuild(db.session)
