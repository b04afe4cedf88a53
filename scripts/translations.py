"""Build and check the translation catalogues.

Sources are ``translations/<lang>/*.po`` (one file per feature, so features are
translated side by side without conflicts). ``build`` merges them into
``translations/<lang>/LC_MESSAGES/messages.mo``, which Flask-Babel reads. English
is the source language: its catalogue is generated from the extracted messages.

    python scripts/translations.py build
    python scripts/translations.py missing fr   # untranslated messages, as .po entries
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("en", "fr")
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
    "lazy_ngettext": (1, 2), "_n": (1, 2), "pgettext": ((1, "c"), 2),
}  # fmt: skip


def _method_map() -> list[tuple[str, str]]:
    pairs = []
    section = None
    for line in (ROOT / "babel.cfg").read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            method, _, pattern = section.partition(":")
            pairs.append((pattern.strip(), method.strip()))
    return pairs


def extract() -> Catalog:
    """Every translatable message in the code and templates."""
    catalog = Catalog(locale="en")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT),
        method_map=_method_map(),
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def load_sources(lang: str) -> Catalog:
    """The union of ``translations/<lang>/*.po``; the first translation of a message wins."""
    merged = Catalog(locale=lang, fuzzy=False)
    for path in sorted((TRANSLATIONS / lang).glob("*.po")):
        with path.open("rb") as fh:
            source = read_po(fh, locale=lang)
        for message in source:
            if not message.id or message.fuzzy:
                continue
            if merged.get(message.id, message.context) is None:
                merged.add(message.id, _pad_plural(message.string, merged), context=message.context)
    return merged


def _pad_plural(string, catalog: Catalog):  # noqa: ANN001, ANN202
    if isinstance(string, (tuple, list)):
        forms = list(string) + [string[-1]] * (catalog.num_plurals - len(string))
        return tuple(forms[: catalog.num_plurals])
    return string


def _is_translated(message) -> bool:  # noqa: ANN001
    if message is None:
        return False
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


def missing(lang: str, extracted: Catalog | None = None) -> list:
    extracted = extracted or extract()
    catalog = load_sources(lang)
    return [m for m in extracted if m.id and not _is_translated(catalog.get(m.id, m.context))]


def build() -> None:
    extracted = extract()
    for lang in LANGUAGES:
        if lang == "en":
            catalog = Catalog(locale="en")
            for m in extracted:
                if m.id:
                    catalog.add(m.id, m.id if not isinstance(m.id, tuple) else m.id, context=m.context)
        else:
            catalog = load_sources(lang)
            absent = missing(lang, extracted)
            if absent:
                print(f"warning: {len(absent)} message(s) not translated into {lang}", file=sys.stderr)
        out = TRANSLATIONS / lang / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        with (out / "messages.mo").open("wb") as fh:
            write_mo(fh, catalog)
    print("translations built:", ", ".join(LANGUAGES))


def print_missing(lang: str) -> None:
    catalog = Catalog(locale=lang)
    for m in missing(lang):
        catalog.add(m.id, None, m.locations, context=m.context)
    write_po(sys.stdout.buffer, catalog, omit_header=True, width=100)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "build"
    if command == "build":
        build()
    elif command == "missing":
        print_missing(sys.argv[2] if len(sys.argv) > 2 else "fr")
    else:
        sys.exit(__doc__)
