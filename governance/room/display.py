"""The room's screen: the display view a display link opens (no login, no personal chrome,
read-only), with its live stream. The links themselves are the meetings context's
(governance.meetings.display)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from litestar import Controller, Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage, Template

from governance.agenda.views import agenda_panel
from governance.auth import Principal
from governance.errors import NotFound
from governance.i18n import gettext as _
from governance.meetings import display, live
from governance.meetings.attendance_api import quorum_out
from governance.meetings.services import MeetingContext, meeting_context, meeting_out, meeting_row
from governance.polls.views import poll_panel
from governance.room.pages import view_facts
from governance.room.stream import one_line
from governance.web import page

Req = Request[Any, Any, Any]

# The display has no reader: panels that ask "who is looking" get nobody (no ballots, no
# casting vote, no floor, no roles).
NOBODY = Principal(
    person_id=0, email="", full_name="", is_admin=False, language="en", session_handle="", staff_of=frozenset()
)


async def display_values(context: MeetingContext, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the room's screen shows: the quorum, the current item, its motions, the vote."""
    if facts is None:
        facts = await view_facts(context)
    register = replace(facts["register"], context=context) if facts["register"] is not None else None
    values: dict[str, Any] = {
        "context": context,
        "meeting": meeting_out(context),
        "register": register,
        "quorum": quorum_out(register) if register is not None else None,
        "view": "display",
    }
    values.update(await agenda_panel(context, NOBODY, register, facts["agenda"]))
    values.update(await poll_panel(context, NOBODY, values.get("motions", ()), facts["polls"]))
    return values


async def _opened(token: str) -> tuple[dict[str, Any], MeetingContext]:
    link = await display.meeting_of_token(token)
    if link is None:
        raise NotFound(_("This display link does not exist or was revoked."))
    return link, await meeting_context(link["slug"], None)


class DisplayPages(Controller):
    """Opened by a display link: no login, nothing to post (only GET routes exist here)."""

    path = "/display/{token:str}"
    include_in_schema = False

    @get("/")
    async def show(self, request: Req, token: str) -> Template:
        _link, context = await _opened(token)
        values = await display_values(context)
        return page("meetings/display.html", token=token, **values)

    @get("/live")
    async def live_stream(self, request: Req, token: str) -> ServerSentEvent:
        link, context = await _opened(token)
        engine = request.app.template_engine.engine  # type: ignore[union-attr]
        meeting_id, slug, link_id = context.meeting["id"], context.meeting["slug"], link["id"]

        async def render() -> list[ServerSentEventMessage] | None:
            # Revoking the link ends the stream (revoking wakes the meeting's streams).
            if not await display.is_live(link_id):
                return None
            row = await live.shared(meeting_id, "meeting", lambda: meeting_row(slug))
            fresh = await meeting_context(slug, None, meeting=row)
            facts = await live.shared(meeting_id, "facts", lambda: view_facts(fresh))
            values = await display_values(fresh, facts)
            values.update(request=request, token=token)
            data = one_line(engine.get_template("meetings/_display.html").render(values))
            version = hashlib.sha256(data.encode()).hexdigest()[:16]
            return [ServerSentEventMessage(event="display", data=data, id=f"display-{version}")]

        return ServerSentEvent(live.stream(meeting_id, render, ended=revoked_notice))


def revoked_notice() -> str:
    message = _("This display link was revoked: the screen no longer follows the meeting.")
    return f'<p class="banner" role="alert">{message}</p>'
