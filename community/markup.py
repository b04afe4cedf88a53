"""Markdown to safe HTML: the only path from user text to markup.

CommonMark (markdown-it-py) with tables, strikethrough and autolinks renders the
source with raw HTML disabled; nh3 (Ammonia) then keeps only an allowlist of tags,
attributes and URL schemes, and sets ``rel="nofollow ugc noopener"`` on every link.
HTML is rendered once, when content is written, and stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "code": {"class"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
# Characters that have no business in text: C0 controls but tab/newline, DEL, and
# the Unicode bidi overrides used to disguise text.
_UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_CLASS_OK = re.compile(r"^(language-[A-Za-z0-9_+-]{1,32}|mention)$")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    return md


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if attr == "class":
        kept = [c for c in value.split() if _CLASS_OK.match(c)]
        return " ".join(kept) or None
    return value


def sanitize_html(html: str) -> str:
    """Clean HTML with the allowlist; use only on HTML this module produced."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )


def clean_source(source: str) -> str:
    """Normalise user text before storing it: newlines and unsafe characters."""
    return _UNSAFE_CHARS.sub("", source.replace("\r\n", "\n").replace("\r", "\n"))


def render_markdown(source: str, *, transform: Callable[[str], str] | None = None) -> str:
    """Render Markdown ``source`` to sanitised HTML. Never raises on any text.

    ``transform`` may rewrite the rendered HTML before sanitising (mentions, for
    example); whatever it adds still goes through the allowlist.
    """
    html = _parser().render(clean_source(source or ""))
    if transform is not None:
        html = transform(html)
    return sanitize_html(html)


def count_links(source: str) -> int:
    """How many links the rendered ``source`` holds (for trust-level limits)."""
    return render_markdown(source).count("<a ")


_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"\s+")


def html_to_text(html: str) -> str:
    """Plain text of stored HTML, for snippets, search and e-mail."""
    import html as html_lib

    return _WS.sub(" ", html_lib.unescape(_TAG.sub(" ", html))).strip()
