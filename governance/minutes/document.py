"""The minutes as a document: one standalone HTML page to read, print, and render to PDF/A.

:func:`render_document` turns a version's content (``services.content_of``) into a complete
HTML document (``templates/minutes/document.html``) with its own print style sheet: A4 pages,
the version and status at the top of every page, "page X of Y" at the bottom, DejaVu fonts,
no script and no external resource (WeasyPrint renders the same HTML to PDF/A).
:func:`render_fragment` is the same document's body, for the app's own pages.

Generated wording is in the chosen ``language`` (through ``_()`` and the vocabulary labels);
item titles, motion texts and names come from the facts, in the authoritative language, and
are marked with that ``lang``. The secretary's narratives are plain text: escaped, never
marked safe, their paragraphs kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from jinja2 import Environment
from markupsafe import Markup

from governance import i18n
from governance.i18n import gettext as _
from governance.i18n import lazy_gettext as _l
from governance.vocabulary import label

Row = dict[str, Any]
TEMPLATE = "minutes/document.html"
FRAGMENT = "minutes/_document.html"

STATUSES = {
    "draft": _l("draft"),
    "circulated": _l("circulated"),
    "approved": _l("approved"),
    "signed": _l("signed"),
    "published": _l("published"),
}


@cache
def _environment() -> Environment:
    # Imported here: the web layer imports the controllers that import this module.
    from governance.web import make_environment

    return make_environment()


@contextmanager
def _speaking(language: str) -> Iterator[str]:
    """Render in ``language`` (gettext and the vocabulary labels), then back to the request's."""
    language = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    token = i18n.set_language(language)
    try:
        yield language
    finally:
        i18n._current.reset(token)


def status_label(status: str) -> str:
    found = STATUSES.get(status)
    return str(found) if found is not None else status


def _css_string(text: str) -> str:
    """``text`` as a CSS string: every character but ASCII letters, digits and spaces
    escaped as hex (the space after each escape ends it and is not part of the text), so
    nothing in it can end the string or the <style> block."""
    return '"' + "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def css_content(template: str, **counters: str) -> Markup:
    """A CSS ``content`` value: the (translated) ``template`` as strings, with its
    ``{name}`` placeholders replaced by the CSS expressions in ``counters``."""
    parts = re.split(r"\{(\w+)\}", template)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(counters.get(part) or _css_string("{" + part + "}"))
        elif part:
            out.append(_css_string(part))
    # Safe: CSS string literals whose every special character is escaped (see _css_string),
    # and counter expressions written here, never by a user.
    return Markup(" ".join(out) or '""')  # noqa: S704


def paragraphs(text: str | None) -> list[list[str]]:
    """Plain text as paragraphs (split on blank lines), each a list of lines."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    return [[line for line in block.split("\n")] for block in re.split(r"\n\s*\n", text) if block.strip()]


class _Clock:
    """Times of the record (UTC strings or datetimes) in the meeting's time zone."""

    def __init__(self, zone: str | None, language: str) -> None:
        try:
            self.zone = ZoneInfo(zone or "UTC")
        except (KeyError, ValueError):
            self.zone = ZoneInfo("UTC")
        self.language = language

    def moment(self, value: Any) -> dt.datetime | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            moment = value
        else:
            try:
                moment = dt.datetime.fromisoformat(str(value))
            except ValueError:
                return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(self.zone)

    def date(self, value: Any) -> str:
        moment = self.moment(value)
        return format_date(moment, "long", locale=self.language) if moment else ""

    def time(self, value: Any) -> str:
        moment = self.moment(value)
        return format_time(moment, "HH:mm", locale=self.language) if moment else ""

    def when(self, value: Any) -> str:
        moment = self.moment(value)
        if moment is None:
            return ""
        return _("{date} at {time}").format(date=self.date(moment), time=self.time(moment))


def term(enum: type[StrEnum], value: Any) -> str:
    """The vocabulary label of ``value`` (itself when it is not in the vocabulary)."""
    try:
        return label(enum(value))
    except ValueError:
        return str(value or "")


def _values(content: Row, language: str, authoritative_language: str, signatures: list[Row] | None, status: str) -> Row:
    facts = content.get("facts") or {}
    meeting = facts.get("meeting") or {}
    clock = _Clock(meeting.get("time_zone"), language)
    authoritative = language == authoritative_language
    code = authoritative_language.upper()
    if authoritative:
        authority = _("Authoritative version ({language})").format(language=code)
    else:
        authority = _("Translation — not authoritative; the authoritative version is in {language}").format(
            language=code
        )
    version_line = _("Version {n} — {status}").format(n=content.get("version", ""), status=status_label(status))
    motions_by_id = {m["id"]: m for item in facts.get("items", []) for m in item.get("motions", [])}
    return {
        "content": content,
        "facts": facts,
        "meeting": meeting,
        "narratives": content.get("narratives") or {},
        "language": language,
        "source_language": authoritative_language,
        "authoritative": authoritative,
        "authority": authority,
        "version_line": version_line,
        "status": status,
        "signatures": signatures or [],
        "clock": clock,
        "paragraphs": paragraphs,
        "term": term,
        "motions_by_id": motions_by_id,
        "css": {
            "organisation": css_content((facts.get("organisation") or {}).get("name", "")),
            "version": css_content(version_line),
            "authority": css_content(authority),
            "page": css_content(_("Page {page} of {pages}"), page="counter(page)", pages="counter(pages)"),
        },
    }


def _render(
    template: str,
    content: Row,
    language: str,
    authoritative_language: str,
    signatures: list[Row] | None,
    status: str,
) -> str:
    with _speaking(language) as language:
        values = _values(content, language, authoritative_language, signatures, status)
        return _environment().get_template(template).render(values)


def render_document(
    content: Row,
    *,
    language: str,
    authoritative_language: str,
    signatures: list[Row] | None = None,
    status: str = "draft",
) -> str:
    """The minutes as a complete standalone HTML document, in ``language``."""
    return _render(TEMPLATE, content, language, authoritative_language, signatures, status)


def render_fragment(
    content: Row,
    *,
    language: str,
    authoritative_language: str,
    signatures: list[Row] | None = None,
    status: str = "draft",
) -> Markup:
    """The document's body (an ``<article>``), to show inside a page of the app."""
    html = _render(FRAGMENT, content, language, authoritative_language, signatures, status)
    # Safe: rendered by an autoescaping template, every value from the facts and the
    # narratives escaped there; nothing is added here.
    return Markup(html)  # noqa: S704
