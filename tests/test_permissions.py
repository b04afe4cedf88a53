"""Walk the whole permission table: every rule, every kind of actor, every state."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin

from community.permissions import RULES, can
from models import ContentItem, ContentState, ModeratorScope, Role, User, utcnow
from tests.content_kinds import NOTE_KIND, Note

STATES = [s.value for s in ContentState]
ALL = set(STATES)


def _user(uid: int, role: Role = Role.MEMBER, *, confirmed: bool = True, active: bool = True) -> User:
    return User(
        id=uid, username=f"u{uid}", email=f"u{uid}@x.test", password_hash="x", role=role.value,
        is_active=active, email_confirmed_at=utcnow() if confirmed else None, session_version=1,
    )  # fmt: skip


ACTORS = {
    "anonymous": AnonymousUserMixin(),
    "unconfirmed": _user(2, confirmed=False),
    "member": _user(3),
    "author": _user(4),
    "staff": _user(5, Role.STAFF),
    "moderator": _user(6, Role.MODERATOR),
    "admin": _user(7, Role.ADMIN),
    "suspended": _user(8, active=False),
    "scoped_moderator": _user(9, Role.MODERATOR),
    "silenced": _user(10),
}
# A moderator limited to a category the test items are not in.
ACTORS["scoped_moderator"].moderation_scopes = [ModeratorScope(scope_type="category", scope_id=99)]
ACTORS["silenced"].silenced_until = utcnow() + timedelta(days=3)
AUTHOR_ID = 4

# action -> actor -> the content states in which the action is allowed.
CONTENT_TABLE: dict[str, dict[str, set[str]]] = {
    "content.view": {
        "anonymous": {"published"}, "unconfirmed": {"published"}, "member": {"published"},
        "author": {"published", "pending", "hidden"}, "staff": {"published"}, "moderator": ALL,
        "admin": ALL, "suspended": {"published"}, "scoped_moderator": {"published"}, "silenced": {"published"},
    },
    # Watching needs an active account and an item one can see.
    "notifications.watch": {
        "unconfirmed": {"published"}, "member": {"published"}, "author": {"published", "pending", "hidden"},
        "staff": {"published"}, "moderator": ALL, "admin": ALL, "scoped_moderator": {"published"},
        "silenced": {"published"},
    },
    "content.edit": {
        "author": {"published", "pending"}, "moderator": {"published", "pending", "hidden"},
        "admin": {"published", "pending", "hidden"},
    },
    "content.delete": {
        "author": {"published", "pending", "hidden"}, "moderator": {"published", "pending", "hidden"},
        "admin": {"published", "pending", "hidden"},
    },
    "content.hide": {
        "moderator": {"published", "pending", "hidden"}, "admin": {"published", "pending", "hidden"},
    },
    "content.restore": {"moderator": {"hidden", "deleted"}, "admin": {"hidden", "deleted"}},
    "content.approve": {"moderator": {"pending"}, "admin": {"pending"}},
    "content.history": {"moderator": ALL, "admin": ALL},
    "content.flag": {  # never the silenced (read-only), suspended or banned
        "unconfirmed": {"published"}, "member": {"published"}, "staff": {"published"},
        "moderator": {"published"}, "admin": {"published"}, "scoped_moderator": {"published"},
    },
    "content.react": {
        "member": {"published"}, "author": {"published"}, "staff": {"published"},
        "moderator": {"published"}, "admin": {"published"}, "scoped_moderator": {"published"},
    },
    "moderation.dismiss_flags": {
        "moderator": {"published", "pending", "hidden"}, "admin": {"published", "pending", "hidden"},
    },
    # --- reviews ---
    "reviews.edit": {"author": {"published", "pending"}},
    "reviews.delete": {"author": {"published", "pending", "hidden"}},
    "reviews.vote": {
        "member": {"published"}, "staff": {"published"}, "moderator": {"published"}, "admin": {"published"},
        "scoped_moderator": {"published"},
    },
    "reviews.respond": {"staff": {"published"}, "admin": {"published"}},
    "blog.edit": {"admin": {"published", "pending", "hidden"}},
}  # fmt: skip

# action -> (object description, object factory) -> actors allowed.
SELF = "self"
OTHER_MEMBER = "another member"
AN_ADMIN = "an admin"
NONE = "nothing"


def _target(kind: str, actor_name: str):
    actor = ACTORS[actor_name]
    if kind == SELF:
        return actor if actor.is_authenticated else _user(99)
    if kind == OTHER_MEMBER:
        return _user(50)
    if kind == AN_ADMIN:
        return _user(51, Role.ADMIN)
    return None


EVERY_MEMBER = {
    "unconfirmed",
    "member",
    "author",
    "staff",
    "moderator",
    "admin",
    "scoped_moderator",
    "silenced",
}
WRITERS = {"member", "author", "staff", "moderator", "admin", "scoped_moderator"}
OTHER_TABLE: dict[str, dict[str, set[str]]] = {
    "content.create": {NONE: WRITERS},
    "account.edit": {SELF: EVERY_MEMBER, OTHER_MEMBER: {"admin"}, NONE: EVERY_MEMBER},
    "account.set_role": {SELF: set(), OTHER_MEMBER: {"admin"}, NONE: {"admin"}},
    "token.create": {SELF: EVERY_MEMBER, OTHER_MEMBER: set()},
    "token.revoke": {SELF: EVERY_MEMBER, OTHER_MEMBER: {"admin"}},
    "admin.settings": {NONE: {"admin"}},
    "brand.answer": {NONE: {"staff", "admin"}},
    "brand.publish": {NONE: {"staff", "admin"}},
    "moderation.queue": {NONE: {"moderator", "admin", "scoped_moderator"}},
    "moderation.log": {NONE: {"moderator", "admin", "scoped_moderator"}},
    "moderation.set_trust": {SELF: set(), OTHER_MEMBER: {"moderator", "admin"}, NONE: {"moderator", "admin"}},
    "moderation.filters": {NONE: {"admin"}},
    "moderation.scopes": {NONE: {"admin"}},
    "account.delete": {SELF: EVERY_MEMBER, OTHER_MEMBER: set()},
    "account.export": {SELF: EVERY_MEMBER, OTHER_MEMBER: set()},
    "blog.preview": {NONE: {"staff", "admin"}},
    "moderation.sanction": {
        SELF: set(), OTHER_MEMBER: {"moderator", "admin"}, AN_ADMIN: set(), NONE: {"moderator", "admin"},
    },
    # --- reviews ---
    "reviews.manage_catalogue": {NONE: {"staff", "admin"}},
    "reviews.write": {NONE: WRITERS},
    "idea.vote": {NONE: WRITERS},
    "idea.status": {NONE: {"staff", "admin"}},
    "idea.merge": {NONE: {"staff", "moderator", "admin", "scoped_moderator"}},
    # --- notifications ---
    "notifications.inbox": {NONE: {"staff", "admin"}},
    "notifications.admin": {NONE: {"admin"}},
    # --- dashboard ---
    "dashboard.view": {NONE: {"staff", "moderator", "admin", "scoped_moderator"}},
    "dashboard.disclose": {NONE: {"admin"}, OTHER_MEMBER: {"admin"}},
}  # fmt: skip


# --- forum: rules about a category or a topic ---------------------------------------------


def _category(post_role: str = "member", category_id: int = 1) -> SimpleNamespace:
    return SimpleNamespace(id=category_id, post_role=post_role)


def _topic(*, kind: str = "question", state: str = "published", locked: bool = False) -> SimpleNamespace:
    # kind: the test content kind, whose scope is ("category", 1), outside the scoped moderator's.
    return SimpleNamespace(
        kind=NOTE_KIND.name, topic_kind=kind, state=state, is_locked=locked, author_id=AUTHOR_ID
    )


# action -> (object description, object) -> actors allowed.
FORUM_TABLE: dict[str, dict[str, tuple[object, set[str]]]] = {
    "forum.open_topic": {
        "open category": (_category("member"), WRITERS),
        "staff-only category": (_category("staff"), {"staff", "moderator", "admin", "scoped_moderator"}),
        "no category": (None, WRITERS),
    },
    "forum.reply": {
        "open topic": (_topic(), WRITERS),
        "locked topic": (_topic(locked=True), {"moderator", "admin"}),
        "hidden topic": (_topic(state="hidden"), set()),
    },
    "forum.accept": {
        "question": (_topic(), {"author", "staff", "admin"}),
        "discussion": (_topic(kind="discussion"), set()),
        "deleted question": (_topic(state="deleted"), set()),
    },
    "forum.moderate_topic": {  # the scoped moderator's category is not the topic's
        "topic": (_topic(), {"moderator", "admin"}),
        "locked topic": (_topic(locked=True), {"moderator", "admin"}),
    },
    "forum.moderate_category": {  # move a topic or split replies into it
        "a category": (_category(), {"moderator", "admin"}),
        "the scoped moderator's category": (_category(category_id=99), {"moderator", "admin", "scoped_moderator"}),
        "no category": (None, set()),
    },
    "forum.staff_filters": {"nothing": (None, {"staff", "moderator", "admin", "scoped_moderator"})},
    "forum.manage_categories": {"nothing": (None, {"admin"})},
}  # fmt: skip


def _forum_cases():
    for action, objects in FORUM_TABLE.items():
        for name, (_obj, allowed) in objects.items():
            for actor in ACTORS:
                yield action, name, actor, actor in allowed


@pytest.mark.parametrize(("action", "name", "actor", "expected"), list(_forum_cases()))
def test_forum_rule(action: str, name: str, actor: str, expected: bool):
    obj = FORUM_TABLE[action][name][0]
    assert can(ACTORS[actor], action, obj) is expected


def test_every_rule_is_in_the_expectation_tables():
    assert set(RULES) == set(CONTENT_TABLE) | set(OTHER_TABLE) | set(FORUM_TABLE)


def _content_cases():
    for action, allowed in CONTENT_TABLE.items():
        for actor in ACTORS:
            for state in STATES:
                yield action, actor, state, state in allowed.get(actor, set())


@pytest.mark.parametrize(("action", "actor", "state", "expected"), list(_content_cases()))
def test_content_rule(action: str, actor: str, state: str, expected: bool):
    item = ContentItem(id=1, kind="content", author_id=AUTHOR_ID, state=state)
    assert can(ACTORS[actor], action, item) is expected


def _token_for(kind: str, actor_name: str):
    owner = _target(kind, actor_name)
    return SimpleNamespace(user_id=owner.id)


def _other_cases():
    for action, targets in OTHER_TABLE.items():
        for kind, allowed in targets.items():
            for actor in ACTORS:
                yield action, kind, actor, actor in allowed


@pytest.mark.parametrize(("action", "kind", "actor", "expected"), list(_other_cases()))
def test_other_rule(action: str, kind: str, actor: str, expected: bool):
    obj = _token_for(kind, actor) if action == "token.revoke" else _target(kind, actor)
    assert can(ACTORS[actor], action, obj) is expected


def test_unknown_action_is_an_error():
    with pytest.raises(KeyError):
        can(ACTORS["admin"], "no.such.action")


def test_no_user_can_do_nothing():
    assert can(None, "content.create") is False


MODERATOR_ACTIONS = [
    "content.view", "content.edit", "content.delete", "content.hide", "content.restore", "content.approve",
    "content.history", "moderation.dismiss_flags",
]  # fmt: skip


@pytest.mark.parametrize("action", MODERATOR_ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_scoped_moderator_has_full_powers_in_scope_only(action: str, state: str):
    """Note items live in ("category", 1): a moderator scoped there acts as a global one."""
    inside = _user(20, Role.MODERATOR)
    inside.moderation_scopes = [ModeratorScope(scope_type="category", scope_id=1)]
    elsewhere = ACTORS["scoped_moderator"]
    note = Note(id=1, kind="test_note", author_id=AUTHOR_ID, state=state)
    assert can(inside, action, note) is can(ACTORS["moderator"], action, note)
    member_can = can(ACTORS["member"], action, note)
    assert can(elsewhere, action, note) is member_can
