"""A meeting page's form post: run the action, then back to the page it came from, or that
page again with the reason and what was typed; and the confirmation step of weighty actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, overload
from urllib.parse import urlencode

from litestar import Request
from litestar.response import Redirect, Template

from governance.agenda.documents import documents_by_item
from governance.errors import Invalid
from governance.forms import as_domain_error
from governance.i18n import gettext as _
from governance.i18n import ngettext
from governance.meetings import attendance
from governance.meetings.attendance_api import fresh
from governance.meetings.guards import meeting_of
from governance.room.pages import PAGES, desk_extra, desk_matches, render_meeting_page
from governance.web import page

Req = Request[Any, Any, Any]


def confirm_page(
    request: Req, *, heading: str, consequence: str, action: str, fields: dict[str, str], confirm_label: str
) -> Template:
    """The confirmation step of a weighty action (templates/meetings/confirm.html): the same
    form again with ``confirm=yes``, or back to the page it came from."""
    context = meeting_of(request)
    back = fields.get("back", "tablet")
    cancel = f"/meetings/{context.meeting['slug']}" + ("" if back not in PAGES or back == "tablet" else f"/{back}")
    return page(
        "meetings/confirm.html",
        context=context,
        heading=heading,
        consequence=consequence,
        items=[],
        action=action,
        fields=fields,
        confirm_label=confirm_label,
        cancel=cancel,
    )


@overload
async def page_action(
    request: Req,
    data: dict[str, str],
    action: Callable[[], Awaitable[Any]],
    after: dict[str, str] | None = None,
    refuse_only: Literal[False] = False,
) -> Template | Redirect: ...


@overload
async def page_action(
    request: Req,
    data: dict[str, str],
    action: Callable[[], Awaitable[Any]],
    after: dict[str, str] | None = None,
    *,
    refuse_only: Literal[True],
) -> Template | None: ...


async def page_action(
    request: Req,
    data: dict[str, str],
    action: Callable[[], Awaitable[Any]],
    after: dict[str, str] | None = None,
    refuse_only: bool = False,
) -> Template | Redirect | None:
    """Run a meeting-page action (a form post), then go back to the page it came from
    (``back``: tablet, desk, console or agenda), or show that page again with the reason
    and what was typed. The desk keeps its search (``q``) and says what just happened
    (``after``: e.g. ``{"arrived": member}``, shown with its undo)."""
    back = data.get("back", "tablet")
    back = back if back in PAGES else "tablet"
    slug = meeting_of(request).meeting["slug"]
    try:
        await action()
    except Exception as exc:
        error = as_domain_error(exc)
        extra: dict[str, Any] = {}
        if back == "desk":
            extra.update(desk_extra(data.get("q", ""), {}))
        if back == "agenda":
            extra["documents_by_item"] = await documents_by_item(await fresh(request))
        return await render_meeting_page(
            request,
            PAGES[back],
            message=error.message,
            status_code=error.status_code,
            errors=error.fields,
            values=data,
            **extra,
        )
    if refuse_only:
        return None
    target = f"/meetings/{slug}" + ("" if back == "tablet" else f"/{back}")
    if back == "desk":
        query = {"q": data.get("q", "").strip()[:100], **(after or {})}
        query = {k: v for k, v in query.items() if v}
        if query:
            target += "?" + urlencode(query)
    return Redirect(target, status_code=303)


async def only_match(request: Req, query: str) -> str:
    """The one member not yet checked in whose name (or code) contains ``query``."""
    register = await attendance.load_register(meeting_of(request))
    matches = desk_matches(register, query)
    waiting = [line for line in matches if line.state not in ("present", "remote")]
    if len(waiting) == 1:
        return waiting[0].slug
    if not matches:
        message = _("No member matches “{query}”.").format(query=query.strip())
    elif not waiting:
        message = ngettext("{names} is already checked in.", "{names} are already checked in.", len(matches)).format(
            names=", ".join(line.name for line in matches[:5])
        )
    else:
        message = _("{n} members match “{query}”: {names}. Type more letters, or press Arrived on a row.")
        message = message.format(n=len(waiting), query=query.strip(), names=", ".join(w.name for w in waiting[:6]))
    raise Invalid(message, fields={"q": message})
