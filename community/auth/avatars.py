"""Generated avatars: the member's initials on a colour derived from their id."""

from __future__ import annotations

import hashlib

from markupsafe import escape

from models import User

# Background colours that all give at least 4.5:1 contrast with white text.
PALETTE = ["#1f5f8b", "#8b3a1f", "#2e6b30", "#6b2e6b", "#7a5200", "#005f73", "#9b2226", "#3d405b"]


def colour_for(user: User) -> str:
    digest = hashlib.sha256(str(user.id).encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def initials_svg(user: User) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96" '
        f'role="img" aria-label="{escape(user.name)}">'
        f'<rect width="96" height="96" rx="48" fill="{colour_for(user)}"/>'
        '<text x="50%" y="50%" dy=".35em" text-anchor="middle" fill="#ffffff" '
        'font-family="system-ui, sans-serif" font-size="40" font-weight="600">'
        f"{escape(user.initials)}</text></svg>"
    )
