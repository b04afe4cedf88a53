"""Every authorisation rule, in one table.

``can(user, action, obj)`` answers whether ``user`` (a :class:`models.User` or an
anonymous user) may do ``action`` to ``obj``. Each rule is a small pure predicate;
views, the API, templates (``can`` is a Jinja global) and services all ask here.
Features add their rules with :func:`rule` in this module, so the whole table
stays readable in one place and ``tests/test_permissions.py`` can walk it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from models import ContentItem, ContentState, Role


class Actor(Protocol):
    is_authenticated: bool


Predicate = Callable[[Any, Any], bool]
RULES: dict[str, Predicate] = {}


def rule(action: str) -> Callable[[Predicate], Predicate]:
    def register(func: Predicate) -> Predicate:
        if action in RULES:
            raise ValueError(f"duplicate permission rule {action!r}")
        RULES[action] = func
        return func

    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether ``user`` may do ``action`` on ``obj``. Unknown actions raise KeyError."""
    if user is None:
        return False
    return RULES[action](user, obj)


# --- helpers -------------------------------------------------------------------


def is_member(user: Any) -> bool:
    """Signed in, not suspended or banned."""
    return bool(user.is_authenticated and user.is_active)


def has_role(user: Any, *roles: Role) -> bool:
    return is_member(user) and user.role in {r.value for r in roles}


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN)


def is_moderator(user: Any) -> bool:
    """Community managers; admins hold every moderator power."""
    return has_role(user, Role.MODERATOR, Role.ADMIN)


def is_staff(user: Any) -> bool:
    """Brand staff; admins may act as staff too."""
    return has_role(user, Role.STAFF, Role.ADMIN)


def is_author(user: Any, item: ContentItem | None) -> bool:
    return bool(item is not None and is_member(user) and item.author_id == user.id)


def can_write(user: Any) -> bool:
    """Signed in, active, with a confirmed e-mail address."""
    return is_member(user) and user.email_confirmed_at is not None


# --- accounts --------------------------------------------------------------------


@rule("account.edit")
def _edit_account(user: Any, target: Any) -> bool:
    return is_member(user) and (target is None or target.id == user.id or is_admin(user))


@rule("account.set_role")
def _set_role(user: Any, target: Any) -> bool:
    return is_admin(user) and (target is None or target.id != user.id)


@rule("token.create")
def _create_token(user: Any, target: Any) -> bool:
    return is_member(user) and (target is None or target.id == user.id)


@rule("token.revoke")
def _revoke_token(user: Any, token: Any) -> bool:
    return is_member(user) and (token.user_id == user.id or is_admin(user))


@rule("admin.settings")
def _settings(user: Any, _obj: Any) -> bool:
    return is_admin(user)


# --- content (every kind) ------------------------------------------------------------


@rule("content.view")
def _view_content(user: Any, item: ContentItem) -> bool:
    if item.state == ContentState.PUBLISHED:
        return True
    if is_moderator(user):
        return True
    # Authors still see their own pending or hidden items (with the reason).
    return item.state != ContentState.DELETED and is_author(user, item)


@rule("content.create")
def _create_content(user: Any, _obj: Any) -> bool:
    return can_write(user)


@rule("content.edit")
def _edit_content(user: Any, item: ContentItem) -> bool:
    if item.state == ContentState.DELETED:
        return False
    if is_moderator(user):
        return True
    return item.state != ContentState.HIDDEN and can_write(user) and is_author(user, item)


@rule("content.delete")
def _delete_content(user: Any, item: ContentItem) -> bool:
    if item.state == ContentState.DELETED:
        return False
    return is_moderator(user) or (is_author(user, item) and is_member(user))


@rule("content.hide")
def _hide_content(user: Any, item: ContentItem) -> bool:
    """Only moderators hide; staff never hide a consumer's words."""
    return is_moderator(user) and item.state in (ContentState.PUBLISHED, ContentState.PENDING)


@rule("content.restore")
def _restore_content(user: Any, item: ContentItem) -> bool:
    return is_moderator(user) and item.state in (ContentState.HIDDEN, ContentState.DELETED)


@rule("content.approve")
def _approve_content(user: Any, item: ContentItem) -> bool:
    return is_moderator(user) and item.state == ContentState.PENDING


@rule("content.history")
def _content_history(user: Any, _item: Any) -> bool:
    return is_moderator(user)


@rule("content.flag")
def _flag_content(user: Any, item: ContentItem) -> bool:
    return is_member(user) and item.state == ContentState.PUBLISHED and not is_author(user, item)


@rule("content.react")
def _react_content(user: Any, item: ContentItem) -> bool:
    return can_write(user) and item.state == ContentState.PUBLISHED


# --- brand voice -------------------------------------------------------------------------


@rule("brand.answer")
def _brand_answer(user: Any, _obj: Any) -> bool:
    """Official answers, review responses, idea statuses."""
    return is_staff(user)


@rule("brand.publish")
def _brand_publish(user: Any, _obj: Any) -> bool:
    """Blog articles and catalogue management."""
    return is_staff(user)


# --- moderation ------------------------------------------------------------------------------


@rule("moderation.queue")
def _moderation_queue(user: Any, _obj: Any) -> bool:
    return is_moderator(user)


@rule("moderation.sanction")
def _sanction(user: Any, target: Any) -> bool:
    """Moderators sanction members; never themselves, nor admins."""
    if not is_moderator(user) or target is None:
        return is_moderator(user) and target is None
    return target.id != user.id and target.role != Role.ADMIN


@rule("moderation.log")
def _moderation_log(user: Any, _obj: Any) -> bool:
    return is_moderator(user)


# --- forum ------------------------------------------------------------------------------


@rule("forum.open_topic")
def _open_topic(user: Any, category: Any) -> bool:
    """Writers open topics; some categories (announcements) are for staff only."""
    if not can_write(user):
        return False
    if category is not None and category.post_role == Role.STAFF:
        return is_staff(user) or is_moderator(user)
    return True


@rule("forum.reply")
def _reply(user: Any, topic: Any) -> bool:
    """A locked topic takes no reply, except from moderators."""
    if not can_write(user) or topic.state != ContentState.PUBLISHED:
        return False
    return not topic.is_locked or is_moderator(user)


@rule("forum.accept")
def _accept(user: Any, topic: Any) -> bool:
    """The question's author or staff pick the accepted answer."""
    if topic.topic_kind != "question" or topic.state != ContentState.PUBLISHED:
        return False
    return (is_author(user, topic) and can_write(user)) or is_staff(user)


@rule("forum.staff_filters")
def _staff_filters(user: Any, _obj: Any) -> bool:
    """The "no official answer yet" list is a staff tool."""
    return is_staff(user) or is_moderator(user)


@rule("forum.manage_categories")
def _manage_categories(user: Any, _obj: Any) -> bool:
    return is_admin(user)
