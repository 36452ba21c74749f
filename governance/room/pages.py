"""The meeting room's page shell: a meeting page (the tablet, the desk, the console, the
projector, the agenda) composed from the contexts' panels: the register and the quorum
(meetings), the agenda (agenda), the vote (polls) and the secret-ballot requests.

Above the contexts: they never import this package (their pages reach it only through the
re-exports left in ``governance.meetings.attendance_controllers`` while they move)."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

from litestar import Request
from litestar.response import Template
from litestar.utils.scope.state import ScopeState

from governance import clock
from governance.accounts.guards import principal_of
from governance.agenda.views import agenda_panel, agenda_rows
from governance.meetings import attendance
from governance.meetings.attendance_api import fresh, quorum_out
from governance.meetings.guards import meeting_of
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext, meeting_out
from governance.polls import secret_requests
from governance.polls.views import poll_panel, poll_rows
from governance.room import console
from governance.web import page

Req = Request[Any, Any, Any]


def _panel_context(request: Req, register: attendance.Register) -> dict[str, Any]:
    context = register.context
    person = principal_of(request).person_id
    mine = [m for m in context.mandates_for(person) if m["office"] != "observer"]
    my_members = {m["member"] for m in mine}
    by_slug = register.names_by_slug
    last = register.last_check
    return {
        "context": context,
        "meeting": meeting_out(context),
        "register": register,
        "quorum": quorum_out(register),
        "last_change": attendance.describe_trigger(last["trigger"], by_slug) if last else None,
        "my_lines": _lines_of(register, my_members),
        "proxies_to_accept": [
            p
            for p in register.proxies
            if p["holder"] in my_members and p["accepted_at"] is None and p["revoked_at"] is None
        ],
        "my_proxies": [p for p in register.proxies if p["grantor"] in my_members and p["revoked_at"] is None],
        # Recorded by the secretariat for my member, with neither its form nor my confirmation.
        "proxies_to_confirm": [
            p
            for p in register.proxies
            if p["grantor"] in my_members and p["revoked_at"] is None and not attendance.grantor_agreed(p)
        ],
        "mine": mine,
        # The partials carry their own CSRF field: over SSE there is no template callable.
        "csrf": ScopeState.from_scope(request.scope).csrf_token or "",
    }


def _lines_of(register: attendance.Register, members: set[int]) -> list[attendance.MemberLine]:
    """The register's lines of these members, in the register's order (one member: no scan)."""
    if not members:
        return []
    if len(members) == 1:
        line = register.by_id.get(next(iter(members)))
        return [line] if line is not None else []
    return [line for line in register.lines if line.id in members]


async def render_meeting_page(
    request: Req, template: str, *, message: str | None = None, status_code: int = 200, **extra: Any
) -> Template:
    """A meeting page with its live panels (a draft meeting has no register yet)."""
    # A GET changed nothing since its guard read the context; after an action, read it again.
    context = meeting_of(request) if request.method == "GET" else await fresh(request)
    return page(template, status_code=status_code, message=message, **(await compose(request, context)), **extra)


async def view_facts(context: MeetingContext) -> dict[str, Any]:
    """What every reader of the meeting's pages sees alike, read from the database: the
    register, the agenda's rows and the poll's. A live update loads it once per change and
    worker (``live.shared``); a page request loads it itself."""
    register = await attendance.load_register(context) if context.statutes is not None else None
    agenda = await agenda_rows(context)
    return {
        "register": register,
        "agenda": agenda,
        "polls": await poll_rows(context, agenda["motions"], agenda["current"]),
        "secret_requests": await secret_requests.rows_for(context, agenda["motions"]),
    }


async def compose(request: Req, context: MeetingContext, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything a meeting page or its live stream shows: register, quorum, agenda."""
    if facts is None:
        facts = await view_facts(context)
    register = None
    if context.statutes is not None and facts["register"] is not None:
        # The register's rows are shared; its context is this reader's (roles, mandates).
        register = replace(facts["register"], context=context)
        values = _panel_context(request, register)
    else:
        values = {"context": context, "meeting": meeting_out(context), "register": None}
    values.update(await agenda_panel(context, principal_of(request), register, facts["agenda"]))
    values.update(await poll_panel(context, principal_of(request), values.get("motions", ()), facts["polls"]))
    values.update(
        secret_requests.panel(
            context, principal_of(request), register, values.get("motions", ()), facts["secret_requests"]
        )
    )
    # The console's guards against a tap the rules would refuse (pure, over what is loaded).
    values["take_up_refused"] = console.take_up_refusals(
        context.meeting["status"],
        values.get("agenda_items", ()),
        values.get("current_item"),
        values.get("motions", ()),
        agenda_adopted=bool(values.get("agenda_adopted")),
    )
    statutes = context.statutes
    values["motion_refused"] = (
        console.motion_refusals(
            context.meeting["status"],
            values.get("motions", ()),
            person=principal_of(request).person_id,
            secretary=MeetingRole.secretary in context.roles,
            drives=bool(values.get("drives")),
            seconding_required=statutes.seconding_required,
            motions_article=statutes.motions_article,
        )
        if statutes is not None
        else {}
    )
    values["poll_non_voters_against"] = console.non_voters_against(
        values.get("poll"), values.get("poll_voted", 0), values.get("poll_size", 0)
    )
    return values


PAGES = {
    "desk": "meetings/desk.html",
    "tablet": "meetings/meeting.html",
    "console": "meetings/console.html",
    "agenda": "meetings/agenda.html",
}


def fold(text: str) -> str:
    """Lower case without accents: "montreal" finds Montréal, "bogota" Bogotá."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def desk_extra(q: str, done: dict[str, str]) -> dict[str, Any]:
    return {
        "query": q.strip()[:100],
        "done": {k: v for k, v in done.items() if v},
        "now": clock.now(),
        "desk_matches": desk_matches,
        "representatives": representatives,
    }


def representatives(context: MeetingContext, member_id: int) -> list[dict[str, Any]]:
    """Who may check in for a member, its principal first (the desk's default)."""
    order = {"principal": 0, "delegate": 1, "substitute": 2}
    mandates = [m for m in context.mandates if m["member"] == member_id and m["office"] != "observer"]
    return sorted(mandates, key=lambda m: order.get(m["role"], 3))


def desk_matches(register: attendance.Register, query: str) -> list[attendance.MemberLine]:
    folded = fold(query.strip())
    return [line for line in register.lines if not folded or folded in fold(line.name) or folded in line.slug]
