"""Which messages some source files can print, and which of them a language's catalogue leaves
untranslated: for the tests that read a document or a panel for English left in FR and ES."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3), "lazy_gettext": None}  # fmt: skip


def messages_in(*paths: str) -> set[tuple[str | None, str]]:
    """Every (context, msgid) the files (templates or Python, relative to the project) can print."""
    found: set[tuple[str | None, str]] = set()
    for path in paths:
        html = path.endswith(".html")
        method = "jinja2.ext:babel_extract" if html else "python"
        options = {"extensions": "jinja2.ext.i18n"} if html else {}
        for _line, message, _comments, context in extract_from_file(
            method, str(ROOT / path), keywords=KEYWORDS, options=options
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.add((context, msgid))
    return found


def untranslated(language: str, messages: set[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """The messages with no (or a partly empty) translation in the language's catalogue."""
    with (ROOT / "governance" / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    missing = []
    for context, msgid in sorted(messages, key=str):
        message = catalog.get(msgid, context=context)
        strings = message.string if message is not None else ""
        if not (all(strings) if isinstance(strings, tuple) else strings):
            missing.append((context, msgid))
    return missing
