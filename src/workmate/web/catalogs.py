"""Keep the message catalogs in step with the code: `python -m workmate.web.catalogs`.

Extracts every message id from the templates and the web package, adds new ones to each
locale's .po file (keeping existing translations, dropping ids no longer used) and lists the
German ones still untranslated. Catalogs are compiled at run time (see i18n.py), so there is
nothing else to build.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from workmate.web.i18n import CATALOG_DIR, DOMAIN, LOCALES

WEB_DIR = Path(__file__).parent
SRC_DIR = WEB_DIR.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
# Refusals users read: the first argument of every domain error and of our validators'
# ValueError, anywhere in the package (the web UI translates them, the API stays English).
ERROR_KEYWORDS = {
    name: None
    for name in (
        "WorkmateError",
        "BadRequest",
        "Forbidden",
        "Conflict",
        "Gone",
        "PayloadTooLarge",
        "UnsupportedMediaType",
        "Invalid",
        "TooManyRequests",
        "ServiceUnavailable",
        "ValueError",
        "NotFound",
        "InvalidValue",
        "msg",
    )
}
ERROR_METHODS = [("migrations/**", "ignore"), ("web/**", "ignore"), ("**.py", "python")]


def N_(message: str) -> str:
    """Mark a message id for extraction whose text is chosen at run time (statuses, labels)."""
    return message


def extracted() -> Iterator[tuple[str | tuple[str, ...], str]]:
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        WEB_DIR, method_map=METHODS, keywords=KEYWORDS, options_map={"**.html": {}}
    ):
        yield message, filename
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        SRC_DIR, method_map=ERROR_METHODS, keywords=ERROR_KEYWORDS
    ):
        yield message, filename
    yield from refusal_texts()


def refusal_texts() -> Iterator[tuple[str, str]]:
    """Messages built in code rather than written at a call: constraint refusals."""
    from workmate.constraints import MESSAGES, ForeignKey

    yield "{entity} not found", "errors.py"
    for entry in MESSAGES.values():
        if isinstance(entry, ForeignKey):
            yield entry.missing, "constraints.py"
            yield entry.referenced, "constraints.py"
        else:
            yield entry.message, "constraints.py"


def template_catalog() -> Catalog:
    catalog = Catalog(domain=DOMAIN, project="Workmate")
    for message, filename in extracted():
        if isinstance(message, tuple) and len(message) >= 2:
            catalog.add((message[0], message[1]), locations=[(filename, 0)])
        elif isinstance(message, str) and message:
            catalog.add(message, locations=[(filename, 0)])
    return catalog


def po_path(locale: str) -> Path:
    return CATALOG_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN, project="Workmate")
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def untranslated(catalog: Catalog, template: Catalog) -> list[str]:
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = found.string if found else None
        values = strings if isinstance(strings, tuple | list) else (strings,)
        if found is None or not all(values):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def update() -> int:
    template = template_catalog()
    for locale in LOCALES:
        catalog = load(locale)
        # Keep the creation date: regenerating must not change a file whose messages did not.
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.project, catalog.version = "Workmate", "0.1"
        catalog.copyright_holder = catalog.last_translator = "Workmate contributors"
        catalog.msgid_bugs_address = ""
        catalog.language_team = locale
        catalog.header_comment = (
            f"# Workmate web UI messages ({locale}).\n"
            "# Update the message ids with: python -m workmate.web.catalogs"
        )
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, no_location=True, sort_output=True, width=100)
    missing = untranslated(load("de"), template)
    for message_id in missing:
        print(f"untranslated (de): {message_id}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(update())
