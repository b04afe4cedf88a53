"""Per-item fragments: the parts of a post, review or topic row that every viewer sees alike.

A page lists many items (twenty posts, ten reviews, fifty topics); most of each item's
HTML (the author with their labels, badges, the language label, links) is the same for
every viewer and changes only when the item or its author does. Each such part is
rendered by a macro from a :func:`snapshot`, a named tuple of plain values copied from
the item, and cached under a key made of the whole snapshot, the macro and the
interface language. The macro sees nothing else (it is called without the page's
context): whatever it shows is in the key, so an edit, a moderator's hide, a deletion,
an author's rename or new role, an accepted answer or another language gives another
key at once, and no write has to remember to invalidate anything. What depends on the
viewer (like buttons and their state, edit, delete and flag controls, moderator tools,
unread marks) and on the clock (relative dates) stays outside, rendered on each request.

The cache is a bounded per-process LRU: a key names its content, so an entry never goes
stale and needs no sharing between processes. ``FRAGMENT_CACHE_SECONDS = 0`` turns it off
(every item rendered on each request, as in the tests that count a page's work).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from flask import Flask, current_app, request
from flask_babel import get_locale
from markupsafe import Markup

# Entries per process and app (about 1 KB each).
MAX_ENTRIES = 10_000
# Separates the pieces of one fragment, when viewer-dependent HTML goes between them
# (a macro writes it as ``{{ fragment_split }}``; user text never holds NUL characters:
# security.strip_nul_characters removes them from every request).
SPLIT = "\x00|\x00"


class Author(NamedTuple):
    """What ``macros/author.html`` shows of a person."""

    username: str
    name: str
    role: str
    brand_relationship: str | None


def author(user: Any) -> Author | None:
    if user is None:
        return None
    return Author(user.username, user.name, user.role, user.brand_relationship)


class _Store:
    def __init__(self) -> None:
        self.entries: OrderedDict[tuple, tuple[Markup, ...]] = OrderedDict()
        self.lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.extensions["community.fragments"] = _Store()
    app.jinja_env.globals["fragment_split"] = Markup(SPLIT)


def enabled() -> bool:
    return current_app.config["FRAGMENT_CACHE_SECONDS"] > 0


def render_many(template: str, macro: str, snapshots: dict[Any, tuple]) -> dict[Any, tuple[Markup, ...]]:
    """``{item id: pieces}``: ``macro`` of ``template`` called with each snapshot (cached).

    The macro's output is split at :data:`SPLIT` into pieces (a tuple of Markup), so a
    page can put viewer-dependent HTML between them."""
    if not snapshots:
        return {}
    # The language and the address prefix are the only inputs besides the snapshot.
    where = (template, macro, str(get_locale()), request.script_root if request else "")
    keys = {item: (where, snap) for item, snap in snapshots.items()}
    found: dict[Any, tuple[Markup, ...]] = {}
    cache = enabled()
    store: _Store = current_app.extensions["community.fragments"]
    entries = store.entries
    if cache:
        with store.lock:
            for item, key in keys.items():
                pieces = entries.get(key)
                if pieces is not None:
                    entries.move_to_end(key)
                    found[item] = pieces
    missing = [item for item in snapshots if item not in found]
    if missing:
        render = getattr(current_app.jinja_env.get_template(template).module, macro)
        fresh = {item: _pieces(render(snapshots[item])) for item in missing}
        found.update(fresh)
        if cache:
            with store.lock:
                for item, pieces in fresh.items():
                    entries[keys[item]] = pieces
                while len(entries) > MAX_ENTRIES:
                    entries.popitem(last=False)
    return found


def _pieces(html: str) -> tuple[Markup, ...]:
    return tuple(Markup(piece) for piece in str(html).split(SPLIT))


def snapshots(items: Iterable[Any], snapshot: Callable[[Any], tuple]) -> dict[Any, tuple]:
    return {item.id: snapshot(item) for item in items if item is not None}


def size() -> int:
    return len(current_app.extensions["community.fragments"].entries)
