"""The demo community: ``flask --app app demo seed``.

A believable bilingual community for a fictional outdoor-gear brand, "Boréal".
Each feature adds a seeder to :data:`SEEDERS`; seeders run in order and receive
a :class:`DemoContext` holding what earlier seeders made. ``--scale N`` multiplies
the volume for benchmarks.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from models import Role, User, db

from .database import analyze

# Dotted paths of seeders, called as seeder(ctx) in this order.
SEEDERS: list[str] = ["community.demo.seed_accounts", "community.forum.demo.seed_forum"]

DEMO_ACCOUNTS = [
    ("admin", Role.ADMIN, "Alice Admin", "en"),
    ("moderator", Role.MODERATOR, "Mona Modératrice", "fr"),
    ("staff", Role.STAFF, "Sam from Boréal", "en"),
    ("member", Role.MEMBER, "Marie Membre", "fr"),
]

FIRST_NAMES = [
    "Camille", "Lucas", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Jules", "Inès", "Arthur",
    "Emma", "Noah", "Olivia", "Liam", "Sophia", "Ethan", "Mia", "James", "Ava", "Oliver",
    "Zoé", "Théo", "Amelia", "Gabriel", "Isla", "Nathan", "Élodie", "Mateo", "Grace", "Raphaël",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright",
]  # fmt: skip
BIOS = {
    "fr": ["Randonneuse du dimanche.", "Je teste tout en montagne.", "Vélo, bivouac et café.", ""],
    "en": ["Weekend hiker.", "I review gear so you don't have to.", "Trail runner, coffee addict.", ""],
}


@dataclass
class DemoContext:
    scale: int = 1
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    users: dict[str, User] = field(default_factory=dict)
    members: list[User] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def demo_password(username: str) -> str:
    return f"{username}{current_app.config['DEMO_PASSWORD_SUFFIX']}"


def seed_accounts(ctx: DemoContext) -> None:
    from .auth.services import create_user

    for username, role, name, lang in DEMO_ACCOUNTS:
        user = create_user(
            username,
            f"{username}@demo.boreal.example",
            demo_password(username),
            role=role,
            locale=lang,
            display_name=name,
            confirmed=True,
        )
        user.trust_level = 3 if role != Role.MEMBER else 2
        ctx.users[username] = user
    count = 36 * ctx.scale
    with click.progressbar(range(count), label="Members", show_eta=True, show_pos=True) as bar:
        for i in bar:
            ctx.members.append(_member(ctx, i))
    ctx.members.insert(0, ctx.users["member"])
    db.session.flush()


def _member(ctx: DemoContext, i: int) -> User:
    from .auth.passwords import hash_password

    rng = ctx.rng
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    lang = rng.choice(["fr", "en"])
    if "demo_hash" not in ctx.extra:  # one hash for all generated members: seeding stays fast
        ctx.extra["demo_hash"] = hash_password(demo_password("member"))
    user = User(
        username=f"{first}.{last}{i}".lower().replace("é", "e").replace("ë", "e").replace("ï", "i"),
        email=f"member{i}@demo.boreal.example",
        password_hash=ctx.extra["demo_hash"],
        display_name=f"{first} {last}",
        bio=rng.choice(BIOS[lang]),
        locale=lang,
        # Established members: newcomers (level 0) would have their posts held for approval.
        trust_level=rng.choice([1, 1, 2, 2, 3]),
    )
    from models import utcnow

    user.email_confirmed_at = utcnow()
    db.session.add(user)
    return user


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def _seeder_name(path: str | None) -> str | None:
    """``community.forum.demo.seed_forum`` -> ``forum``: the step shown beside the bar."""
    if path is None:
        return None
    parts = path.split(".")
    return parts[1] if len(parts) > 3 else parts[-1]


@click.group("demo", help="The demo community.")
def demo_cli() -> None:
    pass


@demo_cli.command("seed")
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(1, 10000),
    help="Multiply the volume (for benchmarks).",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has accounts.")
@with_appcontext
def seed(scale: int, if_empty: bool) -> None:
    """Create the demo community."""
    if not is_empty():
        if if_empty:
            click.echo("The database already has accounts: demo not seeded.")
            return
        raise click.ClickException("The database is not empty; seed a fresh database.")
    from . import events
    from .content.services import policies_suspended

    ctx = DemoContext(scale=scale)
    # History is imported as written: no filters or rate limits, and no events (no
    # notifications or webhooks for it; the dashboard's seeder rebuilds its figures).
    # Each feature's seeder is one step of the bar (a large --scale takes minutes); the
    # step shown is the one running. Without a terminal, click prints only the label.
    with (
        policies_suspended(),
        events.muted(),
        click.progressbar(
            SEEDERS,
            label=f"Seeding the demo community (scale {scale})",
            item_show_func=_seeder_name,
            show_pos=True,
            show_eta=True,
        ) as steps,
    ):
        for path in steps:
            module_name, _, func_name = path.rpartition(".")
            getattr(importlib.import_module(module_name), func_name)(ctx)
            db.session.commit()
    analyze()  # planner statistics for the seeded tables (SQLite gathers none by itself)
    click.echo("Demo community seeded.")


@demo_cli.command("accounts")
@with_appcontext
def accounts() -> None:
    """Print the demo accounts and their passwords."""
    click.echo("Demo accounts (username / password):")
    for username, role, _name, _lang in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<10} {username:<10} {demo_password(username)}")
