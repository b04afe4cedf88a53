"""An offline sentiment scorer for English and French contributions.

English uses VADER (``vaderSentiment``, MIT licence, its lexicon ships in the package).
French uses the small lexicon below, written for this project and distributed under the
project's licence (AGPL-3.0-or-later): about two hundred common opinion words of outdoor
gear reviews and forum posts, each weighted from -3 (very negative) to +3 (very positive),
with negations ("ne ... pas", "jamais", "pas") flipping and damping the next opinion word
and intensifiers ("très", "vraiment") strengthening it. Scores are normalised like
VADER's compound score, ``s / sqrt(s² + 15)``, to -1 .. 1.

A contribution is *positive* from +0.05 up, *negative* from -0.05 down, *neutral* in
between (VADER's published thresholds).
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

# Stems are matched at the start of a folded word (lower case, no accents).
FRENCH_LEXICON: dict[str, float] = {
    # positive
    "excellent": 3.0, "parfait": 3.0, "genial": 3.0, "superbe": 3.0, "formidable": 3.0,
    "merveill": 3.0, "top": 2.5, "ravi": 2.5, "adore": 3.0, "j'adore": 3.0, "adorer": 3.0,
    "super": 2.5, "bravo": 2.5, "impeccable": 2.5, "remarquable": 2.5, "fantastique": 3.0,
    "magnifique": 3.0, "extra": 2.0, "bien": 1.5, "bon": 1.5, "bonne": 1.5, "tres bien": 2.0,
    "content": 2.0, "satisfait": 2.0, "recommande": 2.0, "conseille": 1.5, "agreable": 2.0,
    "confortable": 2.0, "leger": 1.0, "legere": 1.0, "solide": 1.8, "robuste": 1.8,
    "fiable": 2.0, "efficace": 2.0, "pratique": 1.5, "chaud": 0.8, "chaude": 0.8,
    "impermeable": 1.0, "etanche": 1.0, "resistant": 1.5, "resistante": 1.5, "durable": 1.8,
    "qualite": 1.5, "beau": 1.8, "belle": 1.8, "joli": 1.5, "jolie": 1.5, "rapide": 1.0,
    "facile": 1.5, "simple": 1.0, "merci": 1.8, "aime": 2.0, "plaisir": 2.0, "heureux": 2.5,
    "heureuse": 2.5, "enchante": 2.5, "utile": 1.5, "ideal": 2.5, "ideale": 2.5,
    "reussi": 2.0, "reussie": 2.0, "costaud": 1.5, "lumineux": 1.0, "performant": 2.0,
    "performante": 2.0, "sympa": 1.8, "cool": 1.5, "bluffant": 2.5, "indispensable": 2.0,
    "fidele": 1.5, "convaincu": 2.0, "convaincue": 2.0, "recommandable": 2.0,
    # negative
    "mauvais": -2.0, "mauvaise": -2.0, "nul": -2.5, "nulle": -2.5, "horrible": -3.0,
    "affreux": -3.0, "decu": -2.5, "decue": -2.5, "decevant": -2.5, "deception": -2.5,
    "cher": -1.0, "chere": -1.0, "lourd": -1.2, "lourde": -1.2, "fragile": -1.8,
    "casse": -2.0, "cassee": -2.0, "dechire": -2.0, "dechiree": -2.0, "fuite": -2.0,
    "fuit": -2.0, "mouille": -1.5, "trempe": -1.5, "froid": -0.8, "probleme": -1.8,
    "defaut": -2.0, "defectueux": -2.5, "panne": -2.0, "lent": -1.0, "lente": -1.0,
    "inutile": -2.0, "inconfortable": -2.0, "penible": -2.0, "difficile": -1.2,
    "compliqué": -1.2, "complique": -1.2, "colere": -2.5, "furieux": -3.0, "pire": -2.5,
    "arnaque": -3.0, "honte": -2.5, "regrette": -2.0, "eviter": -2.0, "evitez": -2.0,
    "dommage": -1.5, "bof": -1.0, "moyen": -0.8, "moyenne": -0.8, "decoud": -2.0,
    "usure": -1.2, "use": -1.0, "rouille": -2.0, "odeur": -1.0, "bruyant": -1.2,
    "rembourse": -1.0, "retour": -0.5, "attente": -0.8, "ignore": -1.5, "aucune reponse": -2.0,
    "catastrophe": -3.0, "catastrophique": -3.0, "inadmissible": -3.0, "inacceptable": -3.0,
    "hors de prix": -2.0, "dangereux": -2.5, "dangereuse": -2.5, "ampoule": -1.0,
    "mal": -1.5, "triste": -2.0, "agace": -2.0, "enerve": -2.0, "galere": -2.0,
}  # fmt: skip

NEGATIONS = {"pas", "jamais", "aucun", "aucune", "rien", "ni", "sans"}
INTENSIFIERS = {"tres": 0.3, "vraiment": 0.3, "trop": 0.2, "super": 0.2, "hyper": 0.3, "extremement": 0.4}
# "pas" right after "ne": counted once; a negation reaches this many following words.
NEGATION_REACH = 3
NEGATION_FACTOR = -0.74  # VADER's N_SCALAR

_WORD = re.compile(r"[a-z']+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _french_weight(word: str) -> float | None:
    if word in FRENCH_LEXICON:
        return FRENCH_LEXICON[word]
    if word.startswith(("l'", "d'", "j'", "c'", "n'", "m'", "s'", "qu'")):
        return _french_weight(word.split("'", 1)[1])
    for stem in ("merveill",):
        if word.startswith(stem):
            return FRENCH_LEXICON[stem]
    for suffix in ("s", "es", "x", "e", "tes", "ment"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and base in FRENCH_LEXICON:
            return FRENCH_LEXICON[base]
    return None


def score_french(text: str) -> float:
    words = _WORD.findall(fold(text))
    total = 0.0
    joined = " ".join(words)
    for phrase in ("aucune reponse", "hors de prix"):
        hits = joined.count(phrase)
        total += hits * FRENCH_LEXICON[phrase]
    negated_until = -1
    boost = 0.0
    for i, word in enumerate(words):
        if word in NEGATIONS or word in ("n'", "ne"):
            negated_until = i + NEGATION_REACH
            continue
        if word in INTENSIFIERS:
            boost += INTENSIFIERS[word]
            continue
        weight = _french_weight(word)
        if weight is None:
            boost = 0.0
            continue
        weight = weight + math.copysign(boost, weight) if boost else weight
        boost = 0.0
        if i <= negated_until:
            weight *= NEGATION_FACTOR
        total += weight
    return total / math.sqrt(total * total + 15) if total else 0.0


@lru_cache(maxsize=1)
def _vader():  # noqa: ANN202
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def score_english(text: str) -> float:
    return float(_vader().polarity_scores(text or "")["compound"])


def score(text: str, language: str) -> float:
    """Sentiment of ``text`` in -1 .. 1 (French or English; anything else as English)."""
    text = (text or "")[:5000]
    return round(score_french(text) if language == "fr" else score_english(text), 4)


def label(value: float) -> str:
    if value >= POSITIVE_THRESHOLD:
        return "positive"
    if value <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"
