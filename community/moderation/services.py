"""Moderation writes. Services take the actor explicitly, only add and flush, and
raise :mod:`community.errors` exceptions; the caller commits.

Other features call :func:`record` (audit log), :func:`record_read` (posts read),
and put :func:`write_rate_limit` on their POST views and API endpoints.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import current_app, request
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    AuditEntry,
    ContentItem,
    ContentState,
    FilterAction,
    FilterRule,
    Flag,
    FlagReason,
    FlagStatus,
    ModeratorScope,
    Role,
    Sanction,
    SanctionKind,
    User,
    WriteEvent,
    db,
    utcnow,
)

from .. import events
from ..auth import services as auth_services
from ..content import registry
from ..content import services as content_services
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied, RateLimited
from ..markup import count_links
from ..permissions import can, is_moderator, is_silenced, moderates

# Stored as the hidden reason when flags hid an item; shown translated.
SYSTEM_HIDE_REASON = "pending-review:flags"
ACTIONS = ("approve", "hide", "restore", "delete", "edit", "dismiss")
TRUST_LEVELS = range(0, 5)


def _cfg(key: str) -> Any:
    return current_app.config[key]


# --- audit ------------------------------------------------------------------------------


def _target_ref(target: Any) -> tuple[str, int | None]:
    if isinstance(target, tuple):
        return str(target[0]), target[1]
    if isinstance(target, ContentItem):
        return "content", target.id
    if isinstance(target, User):
        return "user", target.id
    if target is None:
        return "site", None
    return type(target).__tablename__, getattr(target, "id", None)


def record(
    actor: User | None,
    action: str,
    target: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Add one line to the audit log. ``target`` is a model object or ``(type, id)``."""
    target_type, target_id = _target_ref(target)
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None, action=action, target_type=target_type,
        target_id=target_id, before=before, after=after, reason=(reason or "").strip()[:500],
    )  # fmt: skip
    db.session.add(entry)
    return entry


def _state_action(previous: str, state: str) -> str:
    if state == ContentState.HIDDEN:
        return "content.hide"
    if state == ContentState.DELETED:
        return "content.delete"
    if state == ContentState.PENDING:
        return "content.hold"
    if previous == ContentState.PENDING:
        return "content.approve"
    return "content.restore"


def _audit_state_changes(session: Session) -> None:
    """Before commit: every content state change announced by a moderator, staff,
    admin or the system (flags) goes to the audit log, in the same transaction."""
    pending = session.info.get(events._PENDING) or []
    for signal, payload in pending:
        if signal is not events.content_state_changed:
            continue
        actor = session.get(User, payload["actor_id"]) if payload.get("actor_id") else None
        if actor is not None and actor.role == Role.MEMBER:
            continue  # an author deleting their own words is not a moderation action
        session.add(
            AuditEntry(
                actor_id=actor.id if actor else None,
                action=_state_action(payload["previous"], payload["state"]),
                target_type="content", target_id=payload["content_id"],
                before={"state": payload["previous"]}, after={"state": payload["state"], "kind": payload["kind"]},
                reason=(payload.get("reason") or "")[:500],
            )
        )  # fmt: skip


def init_audit() -> None:
    if not sa_event.contains(Session, "before_commit", _audit_state_changes):
        sa_event.listen(Session, "before_commit", _audit_state_changes)


# --- flags ------------------------------------------------------------------------------


def _flags_can_hide(item: ContentItem) -> bool:
    kind = registry._KINDS.get(item.kind)
    return kind.flags_can_hide if kind is not None else True


def open_flag_weight(item: ContentItem) -> float:
    total = db.session.scalar(
        select(func.coalesce(func.sum(Flag.weight), 0.0)).where(
            Flag.content_id == item.id, Flag.status == FlagStatus.OPEN.value
        )
    )
    return float(total or 0.0)


def flag(item: ContentItem, user: User, reason: str, note: str = "") -> Flag:
    """Report ``item``. Enough weight of open flags hides it pending review, except
    for kinds that say ``flags_can_hide=False`` (reviews).

    :raises PermissionDenied: for silenced (read-only), suspended or banned members,
        with a message that says so, and for items they may not flag.
    """
    refuse_sanctioned_flagger(user)
    if not can(user, "content.flag", item):
        raise PermissionDenied(_l("You cannot flag this."))
    try:
        reason = FlagReason(reason).value
    except ValueError:
        raise InvalidInput(_l("Choose a reason."), code="bad_reason") from None
    note = (note or "").strip()
    if reason == FlagReason.OTHER and not note:
        raise InvalidInput(_l("Say what is wrong in the note."), code="note_required")
    weight = float(_cfg("FLAG_WEIGHTS").get(user.trust_level, 1.0))
    new = Flag(content_id=item.id, user_id=user.id, reason=reason, note=note[:500], weight=weight)
    try:
        with db.session.begin_nested():
            db.session.add(new)
    except IntegrityError:
        raise Conflict(_l("You have already flagged this."), code="already_flagged") from None
    events.announce(events.flag_raised, flag_id=new.id, content_id=item.id, kind=item.kind, reason=reason)
    if (
        item.state == ContentState.PUBLISHED
        and _flags_can_hide(item)
        and open_flag_weight(item) >= float(_cfg("FLAG_HIDE_THRESHOLD"))
    ):
        content_services.set_state(item, None, ContentState.HIDDEN, SYSTEM_HIDE_REASON)
    return new


def refuse_sanctioned_flagger(user: User) -> None:
    """Say clearly why a sanctioned member cannot flag."""
    if getattr(user, "is_authenticated", False) and not user.is_active:
        raise PermissionDenied(
            _l("Your account is suspended or banned: you cannot flag posts."), code="account_suspended"
        )
    if is_silenced(user):
        raise PermissionDenied(
            _l("Your account is read-only until %(date)s: you cannot flag posts.",
               date=format_datetime(user.silenced_until, "medium")),
            code="account_silenced",
        )  # fmt: skip


def _resolve_flags(item: ContentItem, status: FlagStatus) -> int:
    result = db.session.execute(
        update(Flag)
        .where(Flag.content_id == item.id, Flag.status == FlagStatus.OPEN.value)
        .values(status=status.value, resolved_at=utcnow())
    )
    return result.rowcount or 0


# --- moderator actions --------------------------------------------------------------------


def moderate(
    item: ContentItem,
    actor: User,
    action: str,
    reason: str = "",
    *,
    source: str | None = None,
    title: str | None = None,
) -> ContentItem:
    """Approve, hide, restore, delete, edit or dismiss the flags of one item."""
    reason = (reason or "").strip()
    if action not in ACTIONS:
        raise InvalidInput(_l("Unknown moderation action."), code="bad_action")
    if not moderates(actor, item):
        raise PermissionDenied()
    if action == "approve":
        if not can(actor, "content.approve", item):
            raise Conflict(_l("This item is not waiting for approval."), code="bad_state")
        content_services.set_state(item, actor, ContentState.PUBLISHED, reason)
        _resolve_flags(item, FlagStatus.DISMISSED)
        if item.author_id:
            author = db.session.get(User, item.author_id)
            if author is not None:
                maybe_promote(author)
    elif action == "hide":
        if not reason:
            raise InvalidInput(_l("Give the reason the public will see."), code="reason_required")
        if not can(actor, "content.hide", item):
            raise Conflict(_l("This item cannot be hidden."), code="bad_state")
        content_services.set_state(item, actor, ContentState.HIDDEN, reason)
        _resolve_flags(item, FlagStatus.UPHELD)
    elif action == "restore":
        if not can(actor, "content.restore", item):
            raise Conflict(_l("This item is not hidden or deleted."), code="bad_state")
        content_services.set_state(item, actor, ContentState.PUBLISHED, reason)
        _resolve_flags(item, FlagStatus.DISMISSED)
    elif action == "delete":
        if not can(actor, "content.delete", item):
            raise Conflict(_l("This item is already deleted."), code="bad_state")
        content_services.set_state(item, actor, ContentState.DELETED, reason)
        _resolve_flags(item, FlagStatus.UPHELD)
    elif action == "edit":
        if not reason:
            raise InvalidInput(_l("Give the reason for the edit."), code="reason_required")
        if not (source or "").strip():
            raise InvalidInput(_l("The text cannot be empty."), code="empty")
        if not can(actor, "content.edit", item):
            raise Conflict(_l("This item cannot be edited."), code="bad_state")
        before = {"body_source": item.body_source, "title": getattr(item, "title", None)}
        content_services.edit(item, actor, source or "", title=title, reason=reason)
        after = {"body_source": item.body_source, "title": getattr(item, "title", None)}
        record(actor, "content.edit", item, before, after, reason)
    elif action == "dismiss":
        if not can(actor, "moderation.dismiss_flags", item):
            raise Conflict(_l("This item is deleted."), code="bad_state")
        count = _resolve_flags(item, FlagStatus.DISMISSED)
        record(actor, "flags.dismiss", item, {"open_flags": count}, {"open_flags": 0}, reason)
        if item.state == ContentState.HIDDEN and item.hidden_reason == SYSTEM_HIDE_REASON:
            content_services.set_state(item, actor, ContentState.PUBLISHED, reason)
    return item


def moderate_many(
    items: list[ContentItem], actor: User, action: str, reason: str = ""
) -> tuple[list[int], list[int]]:
    """Bulk action: returns (done ids, refused ids). Edits are one at a time."""
    if action not in ACTIONS or action == "edit":
        raise InvalidInput(_l("Unknown moderation action."), code="bad_action")
    if action == "hide" and not (reason or "").strip():
        raise InvalidInput(_l("Give the reason the public will see."), code="reason_required")
    done, refused = [], []
    for item in items:
        try:
            with db.session.begin_nested():
                moderate(item, actor, action, reason)
        except (PermissionDenied, Conflict, InvalidInput):
            refused.append(item.id)
        else:
            done.append(item.id)
    return done, refused


# --- trust levels -------------------------------------------------------------------------


def set_trust(actor: User | None, target: User, level: int) -> None:
    """Set a trust level by hand. ``actor`` None means an operator on the command line."""
    if level not in TRUST_LEVELS:
        raise InvalidInput(_l("Trust levels go from 0 to 4."), code="bad_level")
    if actor is not None and not can(actor, "moderation.set_trust", target):
        raise PermissionDenied()
    before = target.trust_level
    target.trust_level = level
    record(actor, "user.trust", target, {"trust_level": before}, {"trust_level": level})


def approved_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(ContentItem.id)).where(
            ContentItem.author_id == user.id, ContentItem.state == ContentState.PUBLISHED.value
        )
    ) or 0  # fmt: skip


def maybe_promote(user: User) -> int:
    """Raise ``user`` to the highest level whose every threshold is reached (never lowers)."""
    thresholds = _cfg("TRUST_PROMOTION")
    candidates = [lvl for lvl in sorted(thresholds) if lvl > user.trust_level]
    if not candidates:
        return user.trust_level
    approved = approved_count(user)
    age_days = (utcnow() - user.created_at).days if user.created_at else 0
    for level in candidates:
        t = thresholds[level]
        if (
            user.days_visited >= t.get("days_visited", 0)
            and user.posts_read >= t.get("posts_read", 0)
            and approved >= t.get("approved", 0)
            and age_days >= t.get("account_days", 0)
        ):
            user.trust_level = level
        else:
            break
    return user.trust_level


def record_read(user: User, n: int = 1) -> None:
    """Count ``n`` posts read by ``user`` (features call this from their pages)."""
    if n <= 0 or not getattr(user, "is_authenticated", False):
        return
    user.posts_read = (user.posts_read or 0) + n
    maybe_promote(user)


def touch_visit(user: User) -> bool:
    """Count today's visit; returns True when something was written (once a day)."""
    today = utcnow().date()
    if user.last_visit_on == today:
        return False
    user.last_visit_on = today
    user.days_visited = (user.days_visited or 0) + 1
    maybe_promote(user)
    return True


# --- create policies (filters, links, repeats, rate limits, pre-moderation) -----------------


def _exempt(author: User) -> bool:
    return is_moderator(author)


def _filter_rules() -> list[tuple[str, str, bool]]:
    rules = [(p, a, bool(r)) for p, a, r in _cfg("MODERATION_FILTERS")]
    rows = db.session.execute(select(FilterRule.pattern, FilterRule.action, FilterRule.is_regex)).all()
    return rules + [(p, a, r) for p, a, r in rows]


def _matches(pattern: str, is_regex: bool, text: str) -> bool:
    try:
        regex = pattern if is_regex else r"(?<!\w)" + re.escape(pattern) + r"(?!\w)"
        return re.search(regex, text, re.IGNORECASE) is not None
    except re.error:
        return False


def _text_of(item: ContentItem) -> str:
    return f"{getattr(item, 'title', '') or ''}\n{item.body_source}"


def policy_rate_limit(item: ContentItem, author: User) -> None:
    if _exempt(author):
        return
    limit, window = _cfg("WRITE_RATE_LIMITS").get(author.trust_level, (None, None))
    if not limit:
        return
    since = utcnow() - timedelta(seconds=window)
    rows = db.session.scalars(
        select(ContentItem.created_at)
        .where(ContentItem.author_id == author.id, ContentItem.created_at >= since)
        .order_by(ContentItem.created_at)
    ).all()
    if len(rows) >= limit:
        raise _rate_limited(rows[0], window)


def _rate_limited(oldest: datetime, window: int) -> RateLimited:
    retry = max(1, int((oldest + timedelta(seconds=window) - utcnow()).total_seconds()) + 1)
    return RateLimited(
        _l("You are writing too fast for your trust level. You can write again in %(n)s seconds.", n=retry),
        retry_after=retry,
    )


def policy_filters(item: ContentItem, author: User) -> None:
    if _exempt(author):
        return
    text = _text_of(item)
    review = False
    for pattern, action, is_regex in _filter_rules():
        if _matches(pattern, is_regex, text):
            if action == FilterAction.BLOCK:
                raise InvalidInput(
                    _l("Your text contains words that are not allowed here (%(word)s). Please rephrase it.",
                       word=pattern if not is_regex else "…"),
                    code="filtered",
                )  # fmt: skip
            review = True
    if review:
        item.state = ContentState.PENDING.value


def policy_links(item: ContentItem, author: User) -> None:
    if _exempt(author):
        return
    limit = _cfg("LINK_LIMITS").get(author.trust_level)
    if limit is not None and count_links(item.body_source) > limit:
        raise InvalidInput(
            _l("New members may include at most %(n)s link(s) per post.", n=limit), code="too_many_links"
        )


def policy_repeat(item: ContentItem, author: User) -> None:
    if _exempt(author) or not item.body_source.strip():
        return
    since = utcnow() - timedelta(seconds=_cfg("REPEAT_WINDOW_SECONDS"))
    same = db.session.scalar(
        select(ContentItem.id)
        .where(
            ContentItem.author_id == author.id, ContentItem.created_at >= since,
            ContentItem.body_source == item.body_source, ContentItem.state != ContentState.DELETED.value,
        )
        .limit(1)
    )  # fmt: skip
    if same is not None:
        raise InvalidInput(
            _l("You have just posted this same text. Please do not repeat it."), code="repeated"
        )


def policy_premoderation(item: ContentItem, author: User) -> None:
    if _exempt(author) or author.trust_level > 0:
        return
    if approved_count(author) < _cfg("PREMODERATION_FIRST_POSTS"):
        item.state = ContentState.PENDING.value


POLICIES = [policy_rate_limit, policy_filters, policy_links, policy_repeat, policy_premoderation]


def install_policies() -> None:
    for policy in POLICIES:
        if policy not in content_services.CREATE_POLICIES:
            content_services.CREATE_POLICIES.append(policy)


def check_write_rate(user: User) -> None:
    """Raise :class:`RateLimited` when ``user`` exhausted their writes; else count one."""
    if _exempt(user):
        return
    limit, window = _cfg("WRITE_RATE_LIMITS").get(user.trust_level, (None, None))
    if not limit:
        return
    since = utcnow() - timedelta(seconds=window)
    rows = db.session.scalars(
        select(WriteEvent.created_at)
        .where(WriteEvent.user_id == user.id, WriteEvent.created_at >= since)
        .order_by(WriteEvent.created_at)
    ).all()
    if len(rows) >= limit:
        raise _rate_limited(rows[0], window)
    db.session.add(WriteEvent(user_id=user.id))


def write_rate_limit(view: Callable) -> Callable:
    """Decorator for POST views and API endpoints that write: 429 with Retry-After."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if request.method not in ("GET", "HEAD", "OPTIONS") and current_user.is_authenticated:
            check_write_rate(current_user._get_current_object())
        return view(*args, **kwargs)

    return wrapper


# --- filters and scopes (admin settings) -------------------------------------------------


def add_filter(actor: User, pattern: str, action: str, is_regex: bool) -> FilterRule:
    if not can(actor, "moderation.filters"):
        raise PermissionDenied()
    pattern = (pattern or "").strip()
    if not pattern:
        raise InvalidInput(_l("Enter a word or a pattern."), code="empty")
    if action not in (FilterAction.BLOCK, FilterAction.REVIEW):
        raise InvalidInput(_l("Unknown filter action."), code="bad_action")
    if is_regex:
        try:
            re.compile(pattern)
        except re.error:
            raise InvalidInput(_l("This is not a valid regular expression."), code="bad_regex") from None
    rule = FilterRule(pattern=pattern[:200], action=action, is_regex=is_regex)
    db.session.add(rule)
    db.session.flush()
    record(actor, "filter.add", rule, None, {"pattern": rule.pattern, "action": action, "regex": is_regex})
    return rule


def remove_filter(actor: User, rule_id: int) -> None:
    if not can(actor, "moderation.filters"):
        raise PermissionDenied()
    rule = db.session.get(FilterRule, rule_id)
    if rule is None:
        raise NotFound()
    record(actor, "filter.remove", rule, {"pattern": rule.pattern, "action": rule.action}, None)
    db.session.delete(rule)


def set_scopes(actor: User | None, target: User, scopes: list[tuple[str, int]]) -> None:
    """Limit a moderator to these scopes (empty: the whole community)."""
    if actor is not None and not can(actor, "moderation.scopes"):
        raise PermissionDenied()
    before = sorted([s.scope_type, s.scope_id] for s in target.moderation_scopes)
    target.moderation_scopes = [ModeratorScope(scope_type=t, scope_id=i) for t, i in sorted(set(scopes))]
    record(
        actor, "user.scopes", target, {"scopes": before}, {"scopes": [list(s) for s in sorted(set(scopes))]}
    )


# --- sanctions ------------------------------------------------------------------------------


def sanction(actor: User | None, target: User, kind: str, reason: str, days: int | None = None) -> Sanction:
    """Suspend (days), silence (days) or ban a member. ``actor`` None: the command line."""
    if actor is not None and not can(actor, "moderation.sanction", target):
        raise PermissionDenied()
    try:
        kind = SanctionKind(kind).value
    except ValueError:
        raise InvalidInput(_l("Unknown sanction."), code="bad_sanction") from None
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("Give the reason the member will see."), code="reason_required")
    if kind != SanctionKind.BAN and (not days or days < 1 or days > 3650):
        raise InvalidInput(_l("Give a duration between 1 and 3650 days."), code="bad_duration")
    now = utcnow()
    ends = now + timedelta(days=days) if kind != SanctionKind.BAN and days else None
    row = Sanction(
        user_id=target.id,
        kind=kind,
        reason=reason[:500],
        created_by_id=actor.id if actor else None,
        ends_at=ends,
    )
    db.session.add(row)
    before = {"is_active": target.is_active, "silenced_until": _iso(target.silenced_until)}
    if kind == SanctionKind.SILENCE:
        target.silenced_until = ends
    else:
        target.is_active = False
    db.session.flush()
    after = {
        "is_active": target.is_active,
        "silenced_until": _iso(target.silenced_until),
        "ends_at": _iso(ends),
    }
    record(actor, f"user.{kind}", target, before, after, reason)
    events.announce(events.member_sanctioned, user_id=target.id, sanction_id=row.id, kind=kind)
    return row


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def lift(actor: User | None, row: Sanction) -> None:
    target = db.session.get(User, row.user_id)
    if actor is not None and not can(actor, "moderation.sanction", target):
        raise PermissionDenied()
    row.lifted_at = utcnow()
    _restore_access(target)
    record(actor, f"user.lift_{row.kind}", target, None, {"is_active": target.is_active}, "")


def _active_sanctions(user: User, now: datetime) -> list[Sanction]:
    rows = db.session.scalars(
        select(Sanction).where(Sanction.user_id == user.id, Sanction.lifted_at.is_(None))
    ).all()
    return [r for r in rows if r.active(now)]


def _restore_access(user: User) -> None:
    now = utcnow()
    active = _active_sanctions(user, now)
    if not any(r.kind in (SanctionKind.SUSPEND, SanctionKind.BAN) for r in active):
        user.is_active = True
    if not any(r.kind == SanctionKind.SILENCE for r in active):
        user.silenced_until = None


def expire_sanctions() -> int:
    """End every suspension and silence whose time is over; returns how many."""
    now = utcnow()
    rows = db.session.scalars(
        select(Sanction).where(
            Sanction.lifted_at.is_(None), Sanction.ends_at.is_not(None), Sanction.ends_at <= now
        )
    ).all()
    for row in rows:
        row.lifted_at = row.ends_at
        target = db.session.get(User, row.user_id)
        if target is not None:
            _restore_access(target)
            record(None, f"user.end_{row.kind}", target, None, {"is_active": target.is_active})
    return len(rows)


class AccountBlocked(PermissionDenied):
    code = "account_suspended"


def login_check(user: User) -> None:
    """Called at sign-in with the right password: ends an expired suspension, or says why
    the member cannot sign in, with the end date."""
    if user.is_active:
        return
    now = utcnow()
    ended = db.session.scalars(
        select(Sanction).where(
            Sanction.user_id == user.id, Sanction.lifted_at.is_(None), Sanction.ends_at.is_not(None),
            Sanction.ends_at <= now,
        )
    ).all()  # fmt: skip
    for row in ended:
        row.lifted_at = row.ends_at
    if ended:
        _restore_access(user)
        if user.is_active:
            return
    active = sorted(_active_sanctions(user, now), key=lambda r: r.created_at, reverse=True)
    for row in active:
        if row.kind == SanctionKind.BAN:
            raise AccountBlocked(_l("Your account is banned. Reason: %(reason)s", reason=row.reason))
        if row.kind == SanctionKind.SUSPEND:
            raise AccountBlocked(
                _l("Your account is suspended until %(date)s. Reason: %(reason)s",
                   date=format_datetime(row.ends_at, "medium"), reason=row.reason)
            )  # fmt: skip


def install_login_check() -> None:
    if login_check not in auth_services.LOGIN_CHECKS:
        auth_services.LOGIN_CHECKS.append(login_check)
    if touch_visit not in auth_services.LOGIN_HOOKS:  # signing in is a visit
        auth_services.LOGIN_HOOKS.append(touch_visit)


# --- own account: deletion and export -------------------------------------------------------


def delete_account(user: User, password: str, keep_posts: bool) -> None:
    """The member deletes their account; their posts stay anonymised or are deleted."""
    from ..auth.passwords import verify_password

    if not can(user, "account.delete", user):
        raise PermissionDenied()
    if not verify_password(user.password_hash, password or ""):
        raise InvalidInput(_l("Your current password is not correct."), code="wrong_password")
    items = db.session.scalars(select(ContentItem).where(ContentItem.author_id == user.id)).all()
    for item in items:
        if not keep_posts and item.state != ContentState.DELETED:
            content_services.set_state(item, None, ContentState.DELETED, "")
        item.author_id = None
    record(None, "user.delete_self", ("user", user.id), None, {"kept_posts": keep_posts, "items": len(items)})
    db.session.flush()
    db.session.delete(user)
    db.session.flush()


def export_data(user: User) -> dict[str, Any]:
    """Everything the member wrote or did here, as JSON-friendly data."""
    items = db.session.scalars(
        select(ContentItem).where(ContentItem.author_id == user.id).order_by(ContentItem.id)
    ).all()
    flags = db.session.scalars(select(Flag).where(Flag.user_id == user.id).order_by(Flag.id)).all()
    sanctions = db.session.scalars(
        select(Sanction).where(Sanction.user_id == user.id).order_by(Sanction.id)
    ).all()
    return {
        "account": {
            "username": user.username, "email": user.email, "display_name": user.display_name,
            "bio": user.bio, "locale": user.locale, "role": user.role, "trust_level": user.trust_level,
            "created_at": _iso(user.created_at), "days_visited": user.days_visited, "posts_read": user.posts_read,
        },
        "content": [
            {
                "id": i.id, "kind": i.kind, "state": i.state, "title": getattr(i, "title", None),
                "body": i.body_source, "language": i.language, "created_at": _iso(i.created_at),
                "edited_at": _iso(i.edited_at), "hidden_reason": i.hidden_reason,
            }
            for i in items
        ],
        "flags": [
            {"content_id": f.content_id, "reason": f.reason, "note": f.note, "status": f.status,
             "created_at": _iso(f.created_at)}
            for f in flags
        ],
        "sanctions": [
            {"kind": s.kind, "reason": s.reason, "created_at": _iso(s.created_at), "ends_at": _iso(s.ends_at),
             "lifted_at": _iso(s.lifted_at)}
            for s in sanctions
        ],
    }  # fmt: skip
