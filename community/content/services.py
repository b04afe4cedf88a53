"""Writing, editing and changing the state of any content item.

Feature services build their model object (a reply, a review...) and hand it to
:func:`publish` with the author and the Markdown source; edits go through
:func:`edit`, author deletions through :func:`delete_by_author`, and moderator
decisions through :func:`set_state`. Each step renders HTML once, keeps the
revision history and announces the event after commit.

Other features hook in without the writers knowing them:

- ``CREATE_POLICIES``: called as ``policy(item, author)`` before a new item is
  stored; may raise :class:`~community.errors.InvalidInput` (a word filter) or set
  ``item.state = "pending"`` (pre-moderation).
- ``RENDER_TRANSFORMS``: ``transform(html) -> html`` applied before sanitising
  (mentions, for example).
- ``CHANGE_HOOKS``: called as ``hook(item, change)`` inside the transaction after
  any change (``"created"``, ``"edited"``, ``"state"``) is flushed; the search index
  outbox uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l

from models import ContentItem, ContentRevision, ContentState, User, db, utcnow

from .. import events
from ..errors import InvalidInput, PermissionDenied
from ..markup import clean_source, render_markdown
from ..permissions import can

CREATE_POLICIES: list[Callable[[ContentItem, User], None]] = []
RENDER_TRANSFORMS: list[Callable[[str], str]] = []
CHANGE_HOOKS: list[Callable[[ContentItem, str], None]] = []

LANGUAGES = ("en", "fr")


@contextmanager
def policies_suspended() -> Iterator[None]:
    """Write without create policies (filters, rate limits, pre-moderation): for
    operator imports such as the demo seeder, never for people's requests."""
    saved = CREATE_POLICIES[:]
    CREATE_POLICIES.clear()
    try:
        yield
    finally:
        CREATE_POLICIES[:] = saved


def render(source: str) -> str:
    """Markdown to stored HTML, with every registered transform."""

    def transform(html: str) -> str:
        for step in RENDER_TRANSFORMS:
            html = step(html)
        return html

    return render_markdown(source, transform=transform if RENDER_TRANSFORMS else None)


def _changed(item: ContentItem, change: str) -> None:
    db.session.flush()
    for hook in CHANGE_HOOKS:
        hook(item, change)


def publish(item: ContentItem, author: User, source: str, language: str | None = None) -> ContentItem:
    """Store a new content item written by ``author``.

    :raises PermissionDenied: when the author may not write.
    :raises InvalidInput: when a create policy (filters) refuses the text.
    """
    if not can(author, "content.create"):
        raise PermissionDenied(_l("Confirm your e-mail address before writing."))
    lang = language or author.locale or "en"
    if lang not in LANGUAGES:
        raise InvalidInput(_l("This language is not available."), code="bad_language")
    item.author_id = author.id
    item.author_role = author.role
    item.body_source = clean_source(source)
    item.body_html = render(item.body_source)
    item.language = lang
    item.state = ContentState.PUBLISHED.value
    for policy in CREATE_POLICIES:
        policy(item, author)
    db.session.add(item)
    _changed(item, "created")
    events.announce(events.content_created, content_id=item.id, kind=item.kind, author_id=author.id)
    return item


def edit(
    item: ContentItem, editor: User, source: str, *, title: str | None = None, reason: str = ""
) -> ContentItem:
    """Change an item's text (and title, for kinds that have one), keeping the old version.

    :raises PermissionDenied: when ``editor`` may not edit it.
    """
    if not can(editor, "content.edit", item):
        raise PermissionDenied()
    old_title = getattr(item, "title", None)
    db.session.add(
        ContentRevision(
            content_id=item.id, editor_id=editor.id, title=old_title, body_source=item.body_source,
            reason=reason.strip()[:500],
        )
    )  # fmt: skip
    item.body_source = clean_source(source)
    item.body_html = render(item.body_source)
    if title is not None and hasattr(item, "title"):
        item.title = title
    item.edited_at = utcnow()
    _changed(item, "edited")
    events.announce(events.content_edited, content_id=item.id, kind=item.kind, editor_id=editor.id)
    return item


def delete_by_author(item: ContentItem, actor: User) -> ContentItem:
    """Soft-delete: the item leaves every page and search, and stays for the audit log."""
    if not can(actor, "content.delete", item):
        raise PermissionDenied()
    return set_state(item, actor, ContentState.DELETED, reason="")


def set_state(item: ContentItem, actor: User | None, state: ContentState, reason: str = "") -> ContentItem:
    """Move an item to ``state``; permission checks belong to the caller (moderation)."""
    previous = item.state
    item.state = ContentState(state).value
    item.hidden_reason = reason.strip()[:500] or None if state == ContentState.HIDDEN else None
    _changed(item, "state")
    events.announce(
        events.content_state_changed, content_id=item.id, kind=item.kind, previous=previous,
        state=item.state, actor_id=actor.id if actor else None, reason=reason,
    )  # fmt: skip
    return item
