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

from models import ContentItem, ContentState, Role, utcnow

from .content.registry import parent_of, scope_of


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


def moderator_scopes(user: Any) -> set[tuple[str, int]]:
    """The scopes a moderator is limited to; empty means the whole community."""
    if is_admin(user):
        return set()
    return {(s.scope_type, s.scope_id) for s in (getattr(user, "moderation_scopes", None) or [])}


def is_global_moderator(user: Any) -> bool:
    return is_moderator(user) and not moderator_scopes(user)


def moderates(user: Any, item: ContentItem | None) -> bool:
    """A moderator with full powers on ``item``: unscoped, or scoped to the item's context."""
    if not is_moderator(user):
        return False
    scopes = moderator_scopes(user)
    if not scopes:
        return True
    return item is not None and scope_of(item) in scopes


def is_author(user: Any, item: ContentItem | None) -> bool:
    return bool(item is not None and is_member(user) and item.author_id == user.id)


def is_silenced(user: Any) -> bool:
    """Read-only for now (a moderator's "silence" sanction)."""
    silenced = getattr(user, "silenced_until", None)
    return silenced is not None and silenced > utcnow()


def can_write(user: Any) -> bool:
    """Signed in, active, with a confirmed e-mail address, not silenced."""
    if not (is_member(user) and user.email_confirmed_at is not None):
        return False
    return not is_silenced(user)


def moderates_category(user: Any, category_id: int | None) -> bool:
    """A moderator with full powers in this forum category (unscoped, or scoped to it)."""
    if not is_moderator(user) or category_id is None:
        return False
    scopes = moderator_scopes(user)
    return not scopes or ("category", category_id) in scopes


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
    """The item, and what it belongs to (a reply's topic...): a published reply in a
    hidden topic is hidden with it."""
    if not _view_one(user, item):
        return False
    parent = parent_of(item)
    return parent is None or _view_one(user, parent)


def _view_one(user: Any, item: ContentItem) -> bool:
    if item.state == ContentState.PUBLISHED:
        return True
    if moderates(user, item):
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
    if moderates(user, item):
        return True
    return item.state != ContentState.HIDDEN and can_write(user) and is_author(user, item)


@rule("content.delete")
def _delete_content(user: Any, item: ContentItem) -> bool:
    if item.state == ContentState.DELETED:
        return False
    return moderates(user, item) or (is_author(user, item) and is_member(user))


@rule("content.hide")
def _hide_content(user: Any, item: ContentItem) -> bool:
    """Only moderators hide; staff never hide a consumer's words."""
    return moderates(user, item) and item.state in (
        ContentState.PUBLISHED,
        ContentState.PENDING,
        ContentState.HIDDEN,
    )  # hiding a hidden item changes its public reason (after a hide by flags)


@rule("content.restore")
def _restore_content(user: Any, item: ContentItem) -> bool:
    return moderates(user, item) and item.state in (ContentState.HIDDEN, ContentState.DELETED)


@rule("content.approve")
def _approve_content(user: Any, item: ContentItem) -> bool:
    return moderates(user, item) and item.state == ContentState.PENDING


@rule("content.history")
def _content_history(user: Any, item: Any) -> bool:
    return moderates(user, item)


@rule("content.flag")
def _flag_content(user: Any, item: ContentItem) -> bool:
    """Members flag others' published items; silenced (read-only) and suspended or
    banned members do not."""
    return (
        is_member(user)
        and not is_silenced(user)
        and item.state == ContentState.PUBLISHED
        and not is_author(user, item)
    )


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
    """Unscoped moderators sanction members; never themselves, nor admins."""
    if not is_global_moderator(user) or target is None:
        return is_global_moderator(user) and target is None
    return target.id != user.id and target.role != Role.ADMIN


@rule("moderation.log")
def _moderation_log(user: Any, _obj: Any) -> bool:
    return is_moderator(user)


# --- reviews -------------------------------------------------------------------------------
# Only the author changes a review (text and rating); staff answer it in public and
# can neither hide, delete nor edit it; moderators hide it for a listed reason.


@rule("reviews.manage_catalogue")
def _manage_catalogue(user: Any, _obj: Any) -> bool:
    return is_staff(user)


@rule("reviews.write")
def _write_review(user: Any, product: Any) -> bool:
    """``product`` None asks whether the member may review at all."""
    return can_write(user) and (product is None or bool(product.active))


@rule("reviews.edit")
def _edit_review(user: Any, review: ContentItem) -> bool:
    return (
        review.state in (ContentState.PUBLISHED, ContentState.PENDING)
        and can_write(user)
        and is_author(user, review)
    )


@rule("reviews.delete")
def _delete_review(user: Any, review: ContentItem) -> bool:
    return review.state != ContentState.DELETED and is_author(user, review)


@rule("reviews.vote")
def _vote_review(user: Any, review: ContentItem) -> bool:
    return can_write(user) and review.state == ContentState.PUBLISHED and not is_author(user, review)


@rule("reviews.respond")
def _respond_review(user: Any, review: ContentItem) -> bool:
    return is_staff(user) and review.state == ContentState.PUBLISHED


# --- ideas ----------------------------------------------------------------------------------


@rule("idea.vote")
def _vote_idea(user: Any, _idea: Any) -> bool:
    """Members with a confirmed address vote; the service refuses closed or merged ideas."""
    return can_write(user)


@rule("idea.status")
def _idea_status(user: Any, _idea: Any) -> bool:
    """Only brand staff change an idea's public status."""
    return is_staff(user)


@rule("idea.merge")
def _merge_idea(user: Any, _idea: Any) -> bool:
    """Staff or moderators merge duplicates (and undo merges)."""
    return is_staff(user) or is_moderator(user)


# --- moderation (flags, trust, filters, scopes, own account) ----------------------------


@rule("moderation.dismiss_flags")
def _dismiss_flags(user: Any, item: ContentItem) -> bool:
    return moderates(user, item) and item.state != ContentState.DELETED


@rule("moderation.set_trust")
def _set_trust(user: Any, target: Any) -> bool:
    """Unscoped moderators set trust levels by hand, never their own."""
    return is_global_moderator(user) and (target is None or target.id != user.id)


@rule("moderation.filters")
def _filters(user: Any, _obj: Any) -> bool:
    return is_admin(user)


@rule("moderation.scopes")
def _scopes(user: Any, _obj: Any) -> bool:
    return is_admin(user)


@rule("account.delete")
def _delete_account(user: Any, target: Any) -> bool:
    return is_member(user) and (target is None or target.id == user.id)


@rule("account.export")
def _export_account(user: Any, target: Any) -> bool:
    return is_member(user) and (target is None or target.id == user.id)


# --- blog ------------------------------------------------------------------------------------


@rule("blog.edit")
def _edit_article(user: Any, article: ContentItem) -> bool:
    """Staff edit the articles they wrote; admins edit any article."""
    return is_staff(user) and can(user, "content.edit", article)


@rule("blog.preview")
def _preview_article(user: Any, _article: Any) -> bool:
    """Drafts and scheduled articles are seen by staff only (and admins)."""
    return is_staff(user)


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
    return not topic.is_locked or moderates(user, topic)


@rule("forum.moderate_topic")
def _moderate_topic(user: Any, topic: Any) -> bool:
    """Lock, pin, move: the moderators of the topic's category (or of everything)."""
    return moderates(user, topic)


@rule("forum.moderate_category")
def _moderate_category(user: Any, category: Any) -> bool:
    """Move a topic into, or split replies off into, a category: its moderators."""
    return category is not None and moderates_category(user, category.id)


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


# --- notifications ---


@rule("notifications.inbox")
def _notifications_inbox(user: Any, _obj: Any) -> bool:
    """The staff inbox (what waits for the brand) and "take it"."""
    return is_staff(user)


@rule("notifications.admin")
def _notifications_admin(user: Any, _obj: Any) -> bool:
    """Webhooks and the log of failed deliveries."""
    return is_admin(user)


@rule("notifications.watch")
def _notifications_watch(user: Any, target: Any) -> bool:
    """Watch, track or mute a topic, idea, category or product the member can see."""
    if not is_member(user):
        return False
    if isinstance(target, ContentItem):
        return _view_content(user, target)
    return target is None or getattr(target, "active", True) or is_staff(user)


# --- dashboard ---------------------------------------------------------------------------


@rule("dashboard.view")
def _view_dashboard(user: Any, _obj: Any) -> bool:
    """The community dashboard and influencer radar: brand staff, moderators, admins."""
    return is_staff(user) or is_moderator(user)


@rule("dashboard.disclose")
def _disclose_relationship(user: Any, _target: Any) -> bool:
    """Only admins set a member's declared brand relationship."""
    return is_admin(user)
