"""Language normalisation shared by both backends.

French: the Snowball stemmer keeps some plurals ("vélos" stays "vélos"), so a
plural-folding step runs before stemming; accents are folded after it, so "ecran"
finds "écran".
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Remove accents: "écran" -> "ecran"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fr_singular(word: str) -> str:
    """A rough French singular: "vélos" -> "vélo", "chevaux" stays (rare in titles)."""
    if len(word) > 3 and word[-1] in "sx" and word[-2] not in "sux" and not word[-2].isdigit():
        return word[:-1]
    return word


def normalize_fr(text: str) -> str:
    """Text as the PostgreSQL backend stores and queries French: plurals folded."""
    return _WORD.sub(lambda m: fr_singular(m.group(0).lower()), text)
