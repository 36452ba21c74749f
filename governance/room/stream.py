"""The meeting room's live stream (server-sent events): the quorum, "what I hold", the
agenda and the vote, now and after each change, rendered once per change for every reader
who would see the same markup."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request
from litestar.response import ServerSentEvent, ServerSentEventMessage

from governance.accounts import sessions
from governance.accounts.guards import principal_of
from governance.i18n import current_language
from governance.meetings import live
from governance.meetings.guards import meeting_of
from governance.meetings.services import meeting_context, meeting_row
from governance.room.pages import compose, view_facts

Req = Request[Any, Any, Any]

CSRF_PLACEHOLDER = "csrf0placeholder0for0shared0render"


def meeting_stream(request: Req) -> ServerSentEvent:
    """Server-sent events: quorum, "what I hold" and the agenda, now and after each change."""
    context = meeting_of(request)
    engine = request.app.template_engine.engine  # type: ignore[union-attr]

    view = request.query_params.get("view", "tablet")

    meeting_id, slug, principal = context.meeting["id"], context.meeting["slug"], principal_of(request)
    # What this stream last rendered the register's parts (quorum, mine) from: the shared
    # register rows and mandates (held, so compared by identity), roles, the meeting row.
    basis: list[Any] = []

    async def render() -> list[ServerSentEventMessage] | None:
        # The guard ran once, at connection: on every update the stream checks again that
        # its session is alive (not revoked, expired or its person deactivated) and that
        # its reader still has a role here, and ends otherwise.
        if principal is None:
            return None
        alive = await live.shared(meeting_id, "sessions", sessions.alive_handles)
        # A session opened since that set was read is not in it: asked about alone.
        if principal.session_handle not in alive and not await sessions.is_alive(principal.session_handle):
            return None
        # Read once per change for all the worker's streams; rendered for each reader.
        row = await live.shared(meeting_id, "meeting", lambda: meeting_row(slug))
        fresh = await meeting_context(slug, principal, meeting=row)  # no row: "no such meeting"
        if not fresh.roles:
            return None
        facts = await live.shared(meeting_id, "facts", lambda: view_facts(fresh))
        values = await compose(request, fresh, facts)
        values.update(request=request, view=view)
        if values["register"] is None:
            return [ServerSentEventMessage(comment="not convened", data=None)]
        now = [values["register"].lines, fresh.mandates, fresh.roles, fresh.meeting]
        unchanged = bool(basis) and basis[0] is now[0] and basis[1] is now[1] and basis[2:] == now[2:]
        basis[:] = now
        messages = []
        signatures = shared_parts(values, facts, view)
        # A vote closing changes the agenda and the poll, not the register: a thousand
        # tablets skip rendering the parts they already have.
        for name in ("agenda", "poll") if unchanged else ("quorum", "mine", "agenda", "poll"):
            template = engine.get_template(f"meetings/_{name}.html")
            if name in signatures:
                # Rendered once per change for every reader who would see the same
                # markup (same language, view, roles and personal facts); the CSRF
                # token, the one thing that differs, goes in afterwards.
                shared_values = {**values, "csrf": CSRF_PLACEHOLDER}

                async def once(template: Any = template, shared_values: dict[str, Any] = shared_values) -> str:
                    return one_line(template.render(shared_values))

                markup = await live.shared(meeting_id, signatures[name], once)
                data = markup.replace(CSRF_PLACEHOLDER, values["csrf"])
            else:
                data = one_line(template.render(values))
            # The snapshot's version is its content hash: a page (or the stream) can
            # tell a repeat from a change without comparing the markup.
            version = hashlib.sha256(data.encode()).hexdigest()[:16]
            messages.append(ServerSentEventMessage(event=name, data=data, id=f"{name}-{version}"))
        return messages

    return ServerSentEvent(live.stream(context.meeting["id"], render))


def shared_parts(values: dict[str, Any], facts: dict[str, Any], view: str) -> dict[str, tuple[Any, ...]]:
    """For the live parts rendered once per change and shared, everything their markup
    depends on besides the shared facts (compared by identity within one change) and the
    CSRF token: the reader's language, the view, and the personal values each template
    reads (see templates/meetings/_agenda.html, _poll.html, _ballot.html)."""
    meeting, context = values["meeting"], values["context"]
    common = (
        id(facts),
        current_language(),
        view,
        meeting.slug,
        meeting.status,
        meeting.time_zone,
        values.get("drives"),
        context.statutes.authoritative_language if context.statutes else None,
        context.organisation["slug"],
    )
    my_member = values.get("my_member")
    agenda = (
        "agenda",
        *common,
        values.get("agenda_adopted"),
        my_member is not None,
        tuple(m.get("mover_member") == my_member for m in values.get("motions", ())),
        repr(values.get("my_floor")),
        values.get("can_request_floor"),
        repr(values.get("item_quorum")),
        # The secret-ballot request forms name the reader's own members (may_ask): without
        # them here, one tablet's markup (another member's name and form) reached the next.
        repr(values.get("secret_requests")),
    )
    poll = (
        "poll",
        *common,
        values.get("casts_deciding_vote"),
        repr(values.get("poll_mine")),
        values.get("poll_secrecy_warning"),
    )
    return {"agenda": agenda, "poll": poll}


def one_line(html: str) -> str:
    # SSE data lines cannot hold raw newlines meaningfully for htmx; collapse them.
    return " ".join(html.split())
