"""The header's tools bar: each role sees the links to the pages it may use, and only those.

The links are registered with the permission rule of their page (``tool_link``); the
template asks ``can``. Every link shown opens (200) for that role, and every link hidden
from a role is refused to it.
"""

from __future__ import annotations

import re

import pytest
from flask import url_for

from community.core.registry import tool_links
from community.permissions import can
from models import Role

TOOLS_NAV = re.compile(r'<nav class="tools-nav"[^>]*>(.*?)</nav>', re.S)

EXPECTED = {
    "member": set(),
    "staff": {"Staff inbox", "Questions without an official answer", "Write an article", "Community dashboard",
              "Influencer radar", "New product"},
    "moderator": {"Moderation queue", "Moderation log", "Questions without an official answer",
                  "Community dashboard", "Influencer radar"},
    "admin": {"Moderation queue", "Moderation log", "Staff inbox", "Questions without an official answer",
              "Write an article", "Community dashboard", "Influencer radar", "New forum category", "New product",
              "Moderation filters", "Webhooks"},
}  # fmt: skip


def _tools(html: str) -> dict[str, str]:
    """The tools bar's links: label -> href."""
    found = TOOLS_NAV.search(html)
    if not found:
        return {}
    return {
        " ".join(re.sub(r"<[^>]+>", "", label).split()): href.replace("&amp;", "&")
        for href, label in re.findall(
            r'<a class="tools-link" href="([^"]+)"[^>]*>(.*?)</a>', found.group(1), re.S
        )
    }


def test_visitors_see_no_tools_bar(client, users):
    html = client.get("/").get_data(as_text=True)
    assert 'class="tools-nav"' not in html


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_sees_the_pages_it_may_use(client, login, users, role):
    login(role)
    tools = _tools(client.get("/").get_data(as_text=True))
    assert set(tools) == EXPECTED[role]
    # The table behind it: shown exactly when the permission rule allows.
    assert set(tools) == {str(link.label) for link in tool_links() if can(users[role], link.action)}
    for label, href in tools.items():
        assert client.get(href).status_code == 200, (role, label, href)
    # Every page hidden from the role is refused to it (the public topic list ignores the
    # staff filter instead: it is checked in tests/test_forum.py).
    for link in tool_links():
        if str(link.label) in tools or link.endpoint == "forum.latest":
            continue
        with client.application.test_request_context():
            url = url_for(link.endpoint, **link.url_args)
        assert client.get(url).status_code in (302, 403), (role, str(link.label))


def test_tools_bar_is_translated_and_marks_the_current_page(client, login, users):
    login("admin")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert re.search(r'href="/dashboard/"\s+aria-current="page">Community dashboard<', html)
    client.post("/language", data={"lang": "fr", "next": "/"})
    html = client.get("/").get_data(as_text=True)
    nav = TOOLS_NAV.search(html).group(0)
    assert 'aria-label="Outils de votre rôle"' in nav
    for text in ("Modération", "Administration", "Boîte de l’équipe", "Tableau de bord"):
        assert text in nav, text
