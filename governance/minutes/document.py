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
import difflib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.lists import format_list
from jinja2 import Environment
from markupsafe import Markup

from governance import i18n
from governance.i18n import gettext as _
from governance.i18n import lazy_gettext as _l
from governance.minutes import wording
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


def verify_url() -> str:
    """Where anyone checks the signed minutes: the public site's /verify page."""
    return os.environ.get("GOVERNANCE_PUBLIC_URL", "").strip().rstrip("/") + "/verify"


_WORD = re.compile(r"\d+(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d+)?|\S+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``new`` against ``old`` word by word: ("same" | "del" | "ins", words) runs."""
    # A number written with spaces or separators ("3 200 000", "3,200,000") is one word.
    a, b = _WORD.findall(old or ""), _WORD.findall(new or "")
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("ins", " ".join(b[j1:j2])))
    return out


def annex_listing(polls: list[Row], poll: str, merkle_root: str, participation_hash: str) -> str:
    """The annex's per-poll hashes as preformatted lines, the hashes aligned under each other::

        Poll  12  Merkle root:        4f1c...
                  Participation hash: 9a0b...

    ``poll`` and the two labels (with their colon) are in the document's language."""
    width = max((len(str(p.get("poll", ""))) for p in polls), default=1)
    head = len(poll) + 1 + width + 2
    label = max(len(merkle_root), len(participation_hash)) + 1
    lines = []
    for p in polls:
        first = f"{poll} {p.get('poll', '')!s:>{width}}  "
        lines.append(f"{first}{merkle_root:<{label}}{p.get('merkle_root') or ''}")
        lines.append(f"{'':<{head}}{participation_hash:<{label}}{p.get('participation_hash') or ''}")
    return "\n".join(lines)


def in_language(texts: dict[str, str] | None, fallback: str, language: str, source: str) -> tuple[str, str]:
    """(text, its language): the document's language when that version exists, else the
    authoritative text (the template marks it as such)."""
    texts = texts or {}
    if texts.get(language):
        return texts[language], language
    if texts.get(source):
        return texts[source], source
    return fallback or "", source


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


def _version_line(
    version: Any, status: str, dates: Row, clock: _Clock, planned: list[str], *, names: bool = True
) -> str:
    """What this document is: its version, when it was approved, signed (by whom, unless
    ``names`` is false: the running page header) and published."""
    parts = [_("Version {n}").format(n=version)]
    if dates.get("approved_at"):
        parts.append(_("approved on {date}").format(date=clock.date(dates["approved_at"])))
    else:
        parts.append(wording.version_status(status))
    if planned:
        parts.append(_("signed electronically: see the last page"))
    elif dates.get("signed_by") and names:
        signers = format_list(list(dates["signed_by"]), locale=clock.language)
        parts.append(_("signed by {names}").format(names=signers))
    elif dates.get("signed_by"):
        parts.append(wording.version_status("signed"))
    if dates.get("published_at"):
        parts.append(_("published on {date}").format(date=clock.date(dates["published_at"])))
    return " — ".join(parts)


def _values(
    content: Row,
    language: str,
    authoritative_language: str,
    signatures: list[Row] | None,
    status: str,
    dates: Row | None = None,
    signatories: list[str] | None = None,
    logo: str | None = None,
) -> Row:
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
    dates = dict(dates or {})
    if signatures and not dates.get("signed_by"):
        dates["signed_by"] = [s["name"] for s in signatures]
    version_line = _version_line(content.get("version", ""), status, dates, clock, list(signatories or []))
    organisation = facts.get("organisation") or {}
    organisation_name = (organisation.get("names") or {}).get(language) or organisation.get("name", "")
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
        "motions_by_decision": {m["decision_number"]: m for m in motions_by_id.values() if m.get("decision_number")},
        "signatories": list(signatories or []),
        "wording": wording,
        "word_diff": word_diff,
        "in_language": in_language,
        "annex_listing": annex_listing,
        "verify_url": verify_url(),
        "organisation_name": organisation_name,
        "logo": logo,
        "css": {
            "organisation": css_content(organisation_name),
            "version": css_content(
                _version_line(content.get("version", ""), status, dates, clock, list(signatories or []), names=False)
            ),
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
    dates: Row | None = None,
    signatories: list[str] | None = None,
    logo: str | None = None,
) -> str:
    with _speaking(language) as language:
        values = _values(content, language, authoritative_language, signatures, status, dates, signatories, logo)
        return _environment().get_template(template).render(values)


def render_document(
    content: Row,
    *,
    language: str,
    authoritative_language: str,
    signatures: list[Row] | None = None,
    status: str = "draft",
    dates: Row | None = None,
    signatories: list[str] | None = None,
    logo: str | None = None,
) -> str:
    """The minutes as a complete standalone HTML document, in ``language``.

    ``dates``: ``approved_at``, ``published_at`` (and ``signed_by``, names) for the header.
    ``signatories``: the offices that will sign the PDF; each gets a block on the last page with
    an empty box (``id="signature-field-<office>"``) where its PAdES signature's appearance goes
    (see ``pdf.render_pdf``'s ``signature_fields``).
    ``logo``: the organisation's logo as a ``data:`` URI (its letterhead), or None."""
    return _render(TEMPLATE, content, language, authoritative_language, signatures, status, dates, signatories, logo)


def signature_appearance(language: str, zone: str | None, name: str, place: str | None, at: Any) -> str:
    """The visible text of a signature on the PDF's last page: who, where and when, in ``language``."""
    with _speaking(language) as language:
        clock = _Clock(zone, language)
        when = clock.when(at)
        if place:
            said = _("Signed electronically at {place} on {when}").format(place=place, when=when)
        else:
            said = _("Signed electronically on {when}").format(when=when)
        return f"{name}\n{said}"


def render_fragment(
    content: Row,
    *,
    language: str,
    authoritative_language: str,
    signatures: list[Row] | None = None,
    status: str = "draft",
    dates: Row | None = None,
    logo: str | None = None,
) -> Markup:
    """The document's body (an ``<article>``), to show inside a page of the app."""
    html = _render(FRAGMENT, content, language, authoritative_language, signatures, status, dates, None, logo)
    # Safe: rendered by an autoescaping template, every value from the facts and the
    # narratives escaped there; nothing is added here.
    return Markup(html)  # noqa: S704
