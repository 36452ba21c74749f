"""The web layer's shared parts: templates, page responses, and error responses.

Pages (Jinja2 + htmx) and the JSON API (under ``/api/``) share services; they differ
only in how an error is shown: an HTML page or inline form message for people, an
RFC 9457 problem-details body for programs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from governance import i18n, vocabulary
from governance.accounts.principal import LANGUAGE_COOKIE
from governance.db import IntegrityViolation
from governance.errors import DomainError, from_integrity
from governance.i18n import gettext as _
from governance.settings import PROJECT_ROOT

log = logging.getLogger("governance")

TEMPLATES_DIR = PROJECT_ROOT / "templates"
HTMX = "htmx-2.0.11.min.js"
HTMX_SSE = "htmx-ext-sse-2.2.4.min.js"


def _localized(obj: Any, field: str) -> str:
    if isinstance(obj, Mapping):
        language = i18n.current_language()
        return str(obj.get(f"{field}_{language}") or obj.get(f"{field}_en") or "")
    return i18n.localized(obj, field)


def _revocation_reason(reason: str) -> str:
    from governance.meetings.attendance import revocation_reason

    return revocation_reason(reason)


def _missing_sentences(codes: list[str]) -> list[str]:
    from governance.meetings.attendance import missing_sentences

    return missing_sentences(codes)


def qr_svg(text: str, title: str = "") -> Markup:
    """A QR code of ``text`` as inline SVG (no script, no style attribute: fine under our CSP).

    Marked safe because segno writes nothing but its own markup and geometry: the encoded
    text becomes modules, never markup, and the optional title is XML-escaped by segno
    (``xml.sax.saxutils.escape``)."""
    import segno

    svg = segno.make_qr(text, error="m").svg_inline(scale=4, title=title or None, svgclass="qr", light="#fff")
    # Safe: segno's own markup, the title escaped by segno (see above); nothing else is added.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


def fingerprint_groups(fingerprint: str) -> str:
    """A hex fingerprint in groups of four, for reading aloud and comparing."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def checkpoint_fingerprint(note: str) -> str:
    """A short fingerprint of a signed checkpoint (the first 64 bits of its SHA-256, in hex):
    what the room's screen shows in place of the whole note, to compare with a copy."""
    import hashlib

    return hashlib.sha256(note.encode()).hexdigest()[:16]


def _poll_arithmetic(poll: Any) -> str:
    """A closed poll's arithmetic in the reader's language, from its numbers (an election round
    from the facts the poll panel puts beside it; the stored English text where the numbers
    do not say it all, e.g. a round closed before its valid ballots were kept)."""
    from governance.polls.wording import arithmetic  # pure; the page layer reads the polls' words

    said = arithmetic(i18n.current_language(), dict(poll))
    if said and poll.get("majority_article") and poll.get("method") != "unanimous_consent":
        said = f"{said} ({poll['majority_article']})"  # the statute it applies, as the stored text cites
    return said or poll.get("arithmetic") or ""


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["qr_svg"] = qr_svg
    env.filters["fingerprint_groups"] = fingerprint_groups
    env.filters["checkpoint_fingerprint"] = checkpoint_fingerprint
    env.filters["in_zone"] = lambda value, zone: value.astimezone(ZoneInfo(zone)) if value else value
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext, npgettext=i18n.npgettext
    )
    env.globals.update(
        poll_arithmetic=_poll_arithmetic,
        label=vocabulary.label,
        choices=vocabulary.choices,
        localized=_localized,
        current_language=i18n.current_language,
        LANGUAGES=i18n.LANGUAGES,
        LANGUAGE_NAMES=i18n.LANGUAGE_NAMES,
        HTMX=HTMX,
        HTMX_SSE=HTMX_SSE,
        vocabulary=vocabulary,
        revocation_reason=_revocation_reason,
        missing_sentences=_missing_sentences,
    )
    return env


def template_config() -> TemplateConfig:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment()))


def page(template: str, *, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=template, context=context, status_code=status_code)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


# --- errors ---------------------------------------------------------------------------


def problem(request: Request, status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(content=body, status_code=status, media_type="application/problem+json")


def _respond(request: Request, error: DomainError, headers: dict[str, str] | None = None) -> Response:
    if is_api(request):
        extra: dict[str, Any] = {}
        if error.fields:
            extra["errors"] = error.fields
        extra.update(getattr(error, "details", {}))
        response = problem(request, error.status_code, error.title, error.message, **extra)
    else:
        response = page("error.html", status_code=error.status_code, status=error.status_code, message=error.message)
    if headers:
        response.headers.update(headers)
    return response


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    return _respond(request, exc, headers)


def integrity_handler(request: Request, exc: IntegrityViolation) -> Response:
    return _respond(request, from_integrity(exc))


def _error(status: int, title: str, message: str, fields: dict[str, str] | None = None) -> DomainError:
    """A DomainError for a framework exception, with its own status and title."""
    error = DomainError(message, fields=fields)
    error.status_code, error.title = status, title
    return error


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """Litestar's own refusals (routing, guards, CSRF, validation, size) in our words."""
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException):
        if not is_api(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return Redirect(f"/login?next={quote(target)}", status_code=303)
        return _respond(request, _error(401, "Not signed in", _("Please sign in first.")))
    if isinstance(exc, PermissionDeniedException):
        message = (
            _("The form had expired or did not come from this site. Reload the page and try again.")
            if "CSRF" in str(exc.detail)
            else _("You are not allowed to do this.")
        )
        return _respond(request, _error(403, "Forbidden", message))
    if isinstance(exc, NotFoundException):
        if "user" not in request.scope:
            # No route matched: the router refused before the middleware that picks the language
            # ran. Pick it here from what the visitor sent (the account's choice needs the session).
            i18n.set_language(
                request.cookies.get(LANGUAGE_COOKIE)
                or i18n.negotiate(request.headers.get("accept-language"))
                or i18n.DEFAULT_LANGUAGE
            )
        return _respond(request, _error(404, "Not found", _("There is nothing at this address.")))
    if isinstance(exc, ValidationException):
        fields: dict[str, str] = {}
        if isinstance(exc.extra, list):
            for item in exc.extra:
                if isinstance(item, dict) and "key" in item:
                    fields[str(item["key"])] = str(item.get("message", "")).removeprefix("Value error, ")
        message = _("The request is not valid: check the fields listed.")
        return _respond(request, _error(400, "Invalid request", message, fields))
    if status == 413:
        return _respond(request, _error(413, "Too large", _("What you sent is too large.")))
    message = str(exc.detail) if status < 500 else _("Something went wrong on our side.")
    return _respond(request, _error(status, "Error", message))


def internal_error_handler(request: Request, exc: Exception) -> Response:
    # The traceback goes to the log (never the client); the transaction has rolled back.
    log.exception("Unhandled error on %s %s", request.method, request.url.path)
    message = _("Something went wrong on our side; nothing was saved. Please try again.")
    return _respond(request, _error(HTTP_500_INTERNAL_SERVER_ERROR, "Internal error", message))


def unstorable_value_handler(request: Request, exc: Exception) -> Response:
    """A value the database cannot take (an id beyond its integer range, text it refuses),
    or a form field that is not UTF-8 (Litestar's multipart parser raises UnicodeDecodeError):
    the client's mistake, refused as such; the transaction has rolled back."""
    log.info("Refused a value the database cannot store on %s %s: %s", request.method, request.url.path, type(exc))
    message = _("The request is not valid: check the fields listed.")
    return _respond(request, _error(400, "Invalid request", message))


def _unstorable_value_errors() -> tuple[type[Exception], ...]:
    # SQLite: an int beyond 64 bits. PostgreSQL: asyncpg refuses the argument (out of int32/int64
    # range) client-side, or the server refuses the value (22xxx data exceptions).
    errors: list[type[Exception]] = [OverflowError, UnicodeDecodeError]
    try:
        import asyncpg
        from asyncpg.exceptions import _base as asyncpg_base
    except ImportError:  # pragma: no cover - SQLite-only installs
        return tuple(errors)
    return (*errors, asyncpg.exceptions.DataError, asyncpg_base.DataError)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    IntegrityViolation: integrity_handler,
    HTTPException: http_exception_handler,
    **dict.fromkeys(_unstorable_value_errors(), unstorable_value_handler),
    Exception: internal_error_handler,
}
