"""Places where features plug into site-wide pages without editing them.

Each feature registers, when its views module is imported:

- a header navigation entry: ``nav_item("forum", "forum.index", _l("Forum"), order=10)``;
- a link to a page that only some roles may use, in the header's "tools" bar:
  ``tool_link("moderation.queue", "moderation.queue", _l("Moderation queue"), action="moderation.queue",
  group="moderation")``; the header shows it to whoever ``can(user, action)`` allows;
- a home page block: ``home_block(HomeBlock("forum.active", order=20, template="forum/_home.html",
  load=lambda user: {"topics": queries.active_topics(limit=5)}))`` — ``load`` returns the
  template's context, or None to leave the block out; the page lays blocks out in two
  columns (``wide=True`` spans both); a block template renders one ``<section>`` headed
  by an ``<h2>``;
- sitemap entries: ``sitemap_source("forum", lambda: [(url, lastmod), ...])``.

Registrations are keyed by name, so importing a module twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class NavItem:
    name: str
    endpoint: str
    label: Any
    order: int = 50


@dataclass(frozen=True)
class HomeBlock:
    name: str
    template: str
    load: Callable[[Any], dict[str, Any] | None]
    order: int = 50
    wide: bool = False
    # The same for every visitor (``load`` ignores the user, the template asks nothing
    # about them): rendered once per language and content generation, then cached.
    shared: bool = False


@dataclass(frozen=True)
class ToolLink:
    name: str
    endpoint: str
    label: Any
    action: str  # the permission rule (``can(user, action)``) that shows the link
    group: str = "brand"  # one of TOOL_GROUPS: links are shown group by group
    order: int = 50
    args: tuple[tuple[str, str], ...] = ()  # query arguments of the link

    @property
    def url_args(self) -> dict[str, str]:
        return dict(self.args)


# Groups of the tools bar, in the order shown.
TOOL_GROUPS = ("moderation", "brand", "insights", "admin")

SitemapEntry = tuple[str, datetime | None]

_NAV: dict[str, NavItem] = {}
_TOOLS: dict[str, ToolLink] = {}
_HOME: dict[str, HomeBlock] = {}
_SITEMAP: dict[str, Callable[[], Iterable[SitemapEntry]]] = {}


def nav_item(name: str, endpoint: str, label: Any, order: int = 50) -> None:
    _NAV[name] = NavItem(name, endpoint, label, order)


def nav_items() -> list[NavItem]:
    return sorted(_NAV.values(), key=lambda item: (item.order, item.name))


def tool_link(
    name: str, endpoint: str, label: Any, action: str, group: str = "brand", order: int = 50,
    args: dict[str, str] | None = None,
) -> None:  # fmt: skip
    if group not in TOOL_GROUPS:
        raise ValueError(f"unknown tool group {group!r}")
    _TOOLS[name] = ToolLink(name, endpoint, label, action, group, order, tuple(sorted((args or {}).items())))


def tool_links() -> list[ToolLink]:
    """Every registered tool link, by group then order; templates keep those ``can`` allows."""
    return sorted(_TOOLS.values(), key=lambda t: (TOOL_GROUPS.index(t.group), t.order, t.name))


def home_block(block: HomeBlock) -> None:
    _HOME[block.name] = block


def home_blocks() -> list[HomeBlock]:
    return sorted(_HOME.values(), key=lambda block: (block.order, block.name))


def sitemap_source(name: str, entries: Callable[[], Iterable[SitemapEntry]]) -> None:
    """``entries()`` yields (path, last modified) pairs for ``sitemap.xml``: public
    pages only (what a visitor may read)."""
    _SITEMAP[name] = entries


def sitemap_sources() -> dict[str, Callable[[], Iterable[SitemapEntry]]]:
    return dict(_SITEMAP)
