"""Attendance, proxies and the live quorum: the secretary's desk, the chair's console,
the projector, the tablet's box, the live stream, and the JSON API."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template
from litestar.utils.scope.state import ScopeState

from governance import clock
from governance.accounts import sessions
from governance.accounts.guards import principal_of
from governance.errors import Invalid
from governance.forms import as_domain_error, parse_form
from governance.i18n import gettext as _
from governance.i18n import ngettext
from governance.meetings import attendance, live
from governance.meetings.attendance_schemas import (
    ArrivalIn,
    DepartureIn,
    ExcusalIn,
    MemberLineOut,
    PendingProxyOut,
    ProxyIn,
    ProxyOut,
    QuorumCheckOut,
    QuorumOut,
    RegisterOut,
    RevocationIn,
    UndoArrivalIn,
)
from governance.meetings.guards import chair_or_secretary, meeting_of, participant, secretary
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext, meeting_context, meeting_out, meeting_row
from governance.vocabulary import label
from governance.web import page

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def quorum_out(register: attendance.Register) -> QuorumOut:
    statutes = register.context.statutes
    assert statutes is not None  # a register exists only under a rule set
    q = register.quorum
    convocation = register.context.meeting["convocation"]
    share = statutes.quorum_fraction(convocation)
    fraction = f"{share.numerator}/{share.denominator}"
    article = statutes.quorum_article_for(convocation)
    more = _("more than") if statutes.quorum_strict else _("at least")
    basis = _("{more} {fraction} {of}, counting {counts}").format(
        more=more,
        fraction=fraction,
        of=label(statutes.quorum_of),
        counts=label(statutes.quorum_counts),
    )
    return QuorumOut(
        convocation=convocation,
        present=q.present,
        remote=q.remote,
        represented=q.represented,
        counted=q.counted,
        total=q.total,
        required=q.required,
        met=q.met,
        basis=basis,
        article=article,
    )


def register_out(request: Req, register: attendance.Register) -> RegisterOut:
    return RegisterOut(
        quorum=quorum_out(register),
        members=[MemberLineOut(member=line.slug, **_line_fields(line)) for line in register.lines],
        proxies=[proxy_out(request, row, register.names) for row in register.proxies],
    )


def _line_fields(line: attendance.MemberLine) -> dict[str, Any]:
    fields = dict(line.__dict__)
    for key in ("id", "slug", "category", "no_vote_code", "no_vote_articles"):
        fields.pop(key)
    fields["no_vote_reason"] = line.no_vote_reason  # in the reader's language
    fields["proxy_missing"] = attendance.missing_sentences(line.proxy_missing)
    fields["holds_pending"] = [
        PendingProxyOut(grantor_name=name, missing=attendance.missing_sentences(codes))
        for name, codes in line.holds_pending
    ]
    return fields


def sees_instructions(context: MeetingContext, person_id: int, row: dict[str, Any]) -> bool:
    """Voting instructions are between the grantor and the holder (and the secretariat, which
    records the proxy): "vote in favour of the budget" told to the room would say how a
    member votes. Other members, observers and the chair (unless grantor, holder or
    secretariat) get ``None``."""
    if MeetingRole.secretary in context.roles:
        return True
    return any(
        m["office"] != "observer" and m["member"] in (row["grantor"], row["holder"])
        for m in context.mandates_for(person_id)
    )


def proxy_out(request: Req, row: dict[str, Any], names: dict[int, str] | None = None) -> ProxyOut:
    names = names or {}
    context = meeting_of(request)
    missing = attendance.proxy_missing(row)
    return ProxyOut(
        id=row["id"],
        grantor=row.get("grantor_slug", ""),
        grantor_name=row.get("grantor_name") or names.get(row["grantor"], ""),
        holder=row.get("holder_slug", ""),
        holder_name=row.get("holder_name") or names.get(row["holder"], ""),
        scope=row["scope"],
        items=row["items"],
        instructions=row["instructions"] if sees_instructions(context, principal_of(request).person_id, row) else None,
        accepted=row["accepted_at"] is not None,
        accepted_in_room=bool(row["accepted_in_room"]),
        validated=row["validated_at"] is not None,
        revoked=row["revoked_at"] is not None,
        revoked_reason=row["revoked_reason"],
        grantor_confirmed=row["grantor_confirmed_at"] is not None,
        form_sha256=row["form_sha256"] or None,
        missing=missing,
        missing_text=attendance.missing_sentences(missing),
        complete=row["revoked_at"] is None and not missing,
    )


async def _fresh(request: Req) -> MeetingContext:
    """The meeting context again (after a change, its convocation may differ)."""
    return await meeting_context(meeting_of(request).meeting["slug"], principal_of(request))


class AttendanceApi(Controller):
    path = "/api/v1/meetings/{slug:str}"
    tags = ["attendance"]
    guards = [participant]

    @get("/register", summary="Attendance register, proxies and the quorum now")
    async def get_register(self, request: Req) -> RegisterOut:
        return register_out(request, await attendance.load_register(meeting_of(request)))

    @post("/arrivals", summary="Register an arrival (the secretariat, or self check-in where allowed)")
    async def arrive(self, request: Req, data: ArrivalIn) -> QuorumOut:
        await attendance.check_in(
            meeting_of(request),
            principal_of(request),
            data.member,
            person_id=data.person_id,
            mode=data.mode,
            at=data.at,
        )
        return quorum_out(await attendance.load_register(await _fresh(request)))

    @post(
        "/arrivals/undo",
        status_code=200,
        summary="Undo an arrival recorded by mistake (within a minute; logged, the quorum recomputed)",
    )
    async def undo_arrival(self, request: Req, data: UndoArrivalIn) -> QuorumOut:
        await attendance.undo_arrival(meeting_of(request), principal_of(request), data.member)
        return quorum_out(await attendance.load_register(await _fresh(request)))

    @post("/departures", summary="Register a departure")
    async def depart(self, request: Req, data: DepartureIn) -> QuorumOut:
        await attendance.depart(meeting_of(request), principal_of(request), data.member, at=data.at)
        return quorum_out(await attendance.load_register(await _fresh(request)))

    @post("/excusals", guards=[secretary], summary="Record a member's apologies")
    async def excuse(self, request: Req, data: ExcusalIn) -> QuorumOut:
        await attendance.excuse(meeting_of(request), principal_of(request), data.member, data.reason)
        return quorum_out(await attendance.load_register(await _fresh(request)))

    @get("/proxies")
    async def list_proxies(self, request: Req) -> list[ProxyOut]:
        return [proxy_out(request, row) for row in await attendance.list_proxies(meeting_of(request))]

    @post("/proxies", summary="Give a member's proxy to another member")
    async def give_proxy(self, request: Req, data: ProxyIn) -> ProxyOut:
        row = await attendance.give_proxy(
            meeting_of(request),
            principal_of(request),
            grantor_slug=data.grantor,
            holder_slug=data.holder,
            scope=data.scope,
            items=data.items,
            instructions=data.instructions,
        )
        return proxy_out(request, row)

    @post("/proxies/{proxy_id:int}/accept", status_code=200, summary="The holder's representative accepts the proxy")
    async def accept_proxy(self, request: Req, proxy_id: int) -> ProxyOut:
        return proxy_out(request, await attendance.accept_proxy(meeting_of(request), principal_of(request), proxy_id))

    @post(
        "/proxies/{proxy_id:int}/accept-in-room",
        status_code=200,
        guards=[secretary],
        summary="The secretariat records that the holder, present, accepted the proxy in the room",
    )
    async def accept_in_room(self, request: Req, proxy_id: int) -> ProxyOut:
        return proxy_out(request, await attendance.accept_in_room(meeting_of(request), principal_of(request), proxy_id))

    @post(
        "/proxies/{proxy_id:int}/confirm",
        status_code=200,
        summary="The grantor's representative confirms a proxy recorded for it by the secretariat",
    )
    async def confirm_proxy(self, request: Req, proxy_id: int) -> ProxyOut:
        return proxy_out(request, await attendance.confirm_proxy(meeting_of(request), principal_of(request), proxy_id))

    @post("/proxies/{proxy_id:int}/validate", status_code=200, guards=[secretary], summary="The secretariat validates")
    async def validate_proxy(self, request: Req, proxy_id: int) -> ProxyOut:
        return proxy_out(request, await attendance.validate_proxy(meeting_of(request), principal_of(request), proxy_id))

    @post("/proxies/{proxy_id:int}/revoke", status_code=200, summary="Revoke a proxy")
    async def revoke_proxy(self, request: Req, proxy_id: int, data: RevocationIn | None = None) -> ProxyOut:
        reason = data.reason if data else ""
        return proxy_out(
            request, await attendance.revoke_proxy(meeting_of(request), principal_of(request), proxy_id, reason)
        )

    @post(
        "/second-convocation",
        status_code=200,
        guards=[chair_or_secretary],
        summary="Move to the second convocation (its own quorum)",
    )
    async def second_convocation(self, request: Req) -> QuorumOut:
        await attendance.second_convocation(meeting_of(request), principal_of(request))
        return quorum_out(await attendance.load_register(await _fresh(request)))

    @get("/quorum-checks", summary="Every quorum check, in order")
    async def quorum_checks(self, request: Req) -> list[QuorumCheckOut]:
        context = meeting_of(request)
        register = await attendance.load_register(context)
        by_slug = {line.slug: line.name for line in register.lines}
        return [
            QuorumCheckOut(description=attendance.describe_trigger(row["trigger"], by_slug), **_check_fields(row))
            for row in await attendance.quorum_checks(context)
        ]


def _check_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("id", "meeting")}


# --- pages ------------------------------------------------------------------------------


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
    context = meeting_of(request) if request.method == "GET" else await _fresh(request)
    return page(template, status_code=status_code, message=message, **(await _view(request, context)), **extra)


async def _view_facts(context: MeetingContext) -> dict[str, Any]:
    """What every reader of the meeting's pages sees alike, read from the database: the
    register, the agenda's rows and the poll's. A live update loads it once per change and
    worker (``live.shared``); a page request loads it itself."""
    # Imported here: the agenda context builds on this module (its pages reuse it).
    from governance.agenda.views import agenda_rows
    from governance.polls import secret_requests
    from governance.polls.views import poll_rows

    register = await attendance.load_register(context) if context.statutes is not None else None
    agenda = await agenda_rows(context)
    return {
        "register": register,
        "agenda": agenda,
        "polls": await poll_rows(context, agenda["motions"]),
        "secret_requests": await secret_requests.rows_for(context, agenda["motions"]),
    }


async def _view(request: Req, context: MeetingContext, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything a meeting page or its live stream shows: register, quorum, agenda."""
    from governance.agenda.views import agenda_panel
    from governance.polls import secret_requests
    from governance.polls.views import poll_panel

    if facts is None:
        facts = await _view_facts(context)
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
    return values


PAGES = {
    "desk": "meetings/desk.html",
    "tablet": "meetings/meeting.html",
    "console": "meetings/console.html",
    "agenda": "meetings/agenda.html",
}


class AttendancePages(Controller):
    path = "/meetings/{slug:str}"
    include_in_schema = False

    @get("/desk", guards=[secretary])
    async def desk(self, request: Req, q: str = "", arrived: str = "", undone: str = "", left: str = "") -> Template:
        return await render_meeting_page(
            request, "meetings/desk.html", **desk_extra(q, {"arrived": arrived, "undone": undone, "left": left})
        )

    @get("/console", guards=[chair_or_secretary])
    async def console(self, request: Req) -> Template:
        return await render_meeting_page(request, "meetings/console.html")

    @get("/projector", guards=[participant])
    async def projector(self, request: Req) -> Template:
        return await render_meeting_page(request, "meetings/projector.html")

    @get("/live", guards=[participant])
    async def live_stream(self, request: Req) -> ServerSentEvent:
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
            facts = await live.shared(meeting_id, "facts", lambda: _view_facts(fresh))
            values = await _view(request, fresh, facts)
            values.update(request=request, view=view)
            if values["register"] is None:
                return [ServerSentEventMessage(comment="not convened", data=None)]
            now = [values["register"].lines, fresh.mandates, fresh.roles, fresh.meeting]
            unchanged = bool(basis) and basis[0] is now[0] and basis[1] is now[1] and basis[2:] == now[2:]
            basis[:] = now
            messages = []
            signatures = _shared_parts(values, facts, view)
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
                        return _one_line(template.render(shared_values))

                    markup = await live.shared(meeting_id, signatures[name], once)
                    data = markup.replace(CSRF_PLACEHOLDER, values["csrf"])
                else:
                    data = _one_line(template.render(values))
                # The snapshot's version is its content hash: a page (or the stream) can
                # tell a repeat from a change without comparing the markup.
                version = hashlib.sha256(data.encode()).hexdigest()[:16]
                messages.append(ServerSentEventMessage(event=name, data=data, id=f"{name}-{version}"))
            return messages

        return ServerSentEvent(live.stream(context.meeting["id"], render))

    @post("/arrivals", guards=[participant])
    async def arrive(self, request: Req, data: Form) -> Template | Redirect:
        done: dict[str, str] = {}

        async def act() -> None:
            values = {k: v for k, v in data.items() if k != "person_id" or v}
            if not values.get("member") and data.get("q", "").strip():
                # The desk's search and Enter: the one member matching what was typed arrives.
                values["member"] = await _only_match(request, data["q"])
            form = parse_form(ArrivalIn, values)
            await attendance.check_in(
                meeting_of(request), principal_of(request), form.member, person_id=form.person_id, mode=form.mode
            )
            done["arrived"] = form.member

        return await page_action(request, data, act, after=done)

    @post("/arrivals/undo", guards=[participant])
    async def undo_arrival(self, request: Req, data: Form) -> Template | Redirect:
        done: dict[str, str] = {}

        async def act() -> None:
            form = parse_form(UndoArrivalIn, data)
            await attendance.undo_arrival(meeting_of(request), principal_of(request), form.member)
            done["undone"] = form.member

        return await page_action(request, data, act, after=done)

    @post("/departures", guards=[participant])
    async def depart(self, request: Req, data: Form) -> Template | Redirect:
        done: dict[str, str] = {}

        async def act() -> None:
            form = parse_form(DepartureIn, data)
            await attendance.depart(meeting_of(request), principal_of(request), form.member)
            done["left"] = form.member

        return await page_action(request, data, act, after=done)

    @post("/excusals", guards=[secretary])
    async def excuse(self, request: Req, data: Form) -> Template | Redirect:
        async def act() -> None:
            form = parse_form(ExcusalIn, data)
            await attendance.excuse(meeting_of(request), principal_of(request), form.member, form.reason)

        return await page_action(request, data, act)

    @post("/proxies", guards=[participant])
    async def give_proxy(self, request: Req, data: Form) -> Template | Redirect:
        if data.get("confirm") != "yes":
            # Handing over a member's vote asks first, naming both members.
            async def check() -> None:
                form = parse_form(ProxyIn, data)
                names = (await attendance.load_register(meeting_of(request))).names_by_slug
                for field in ("grantor", "holder"):
                    if getattr(form, field) not in names:
                        message = _("This member has no seat in this meeting's body.")
                        raise Invalid(message, fields={field: message})
                asked["names"] = names

            asked: dict[str, Any] = {}
            refused = await page_action(request, data, check, refuse_only=True)
            if refused is not None:
                return refused
            names = asked["names"]
            grantor, holder = names[data["grantor"]], names[data["holder"]]
            return confirm_page(
                request,
                heading=_("Give the proxy of {grantor} to {holder}?").format(grantor=grantor, holder=holder),
                consequence=_(
                    "The vote of {grantor} will be cast by the representative of {holder} until the proxy is revoked "
                    "or {grantor} arrives."
                ).format(grantor=grantor, holder=holder),
                action=f"/meetings/{meeting_of(request).meeting['slug']}/proxies",
                fields={k: v for k, v in data.items() if k in PROXY_FIELDS},
                confirm_label=_("Give the proxy"),
            )

        async def act() -> None:
            form = parse_form(ProxyIn, data)
            await attendance.give_proxy(
                meeting_of(request),
                principal_of(request),
                grantor_slug=form.grantor,
                holder_slug=form.holder,
                scope=form.scope,
                items=form.items,
                instructions=form.instructions,
            )

        return await page_action(request, data, act)

    @post("/proxies/{proxy_id:int}/{step:str}", guards=[participant])
    async def proxy_step(self, request: Req, proxy_id: int, step: str, data: Form) -> Template | Redirect:
        steps = {
            "accept": attendance.accept_proxy,
            "accept-in-room": attendance.accept_in_room,
            "confirm": attendance.confirm_proxy,
            "validate": attendance.validate_proxy,
            "revoke": attendance.revoke_proxy,
        }

        async def act() -> None:
            if step not in steps:
                from governance.errors import NotFound

                raise NotFound(_("There is nothing at this address."))
            await steps[step](meeting_of(request), principal_of(request), proxy_id)

        return await page_action(request, data, act)

    @post("/second-convocation", guards=[chair_or_secretary])
    async def second_convocation(self, request: Req, data: Form) -> Template | Redirect:
        if data.get("confirm") != "yes":
            rule_set = meeting_of(request).rule_set or {}
            return confirm_page(
                request,
                heading=_("Move to the second convocation?"),
                consequence=_(
                    "The first convocation has no quorum. The meeting will continue on its second convocation, with "
                    "its own quorum ({fraction}, {article}); it cannot go back to the first."
                ).format(
                    fraction=f"{rule_set.get('second_call_numerator')}/{rule_set.get('second_call_denominator')}",
                    article=rule_set.get("second_call_article", ""),
                ),
                action=f"/meetings/{meeting_of(request).meeting['slug']}/second-convocation",
                fields={"back": data.get("back", "tablet")},
                confirm_label=_("Move to the second convocation"),
            )

        async def act() -> None:
            await attendance.second_convocation(meeting_of(request), principal_of(request))

        return await page_action(request, data, act)


CSRF_PLACEHOLDER = "csrf0placeholder0for0shared0render"
PROXY_FIELDS = ("grantor", "holder", "scope", "items", "instructions", "back")


def _shared_parts(values: dict[str, Any], facts: dict[str, Any], view: str) -> dict[str, tuple[Any, ...]]:
    """For the live parts rendered once per change and shared, everything their markup
    depends on besides the shared facts (compared by identity within one change) and the
    CSRF token: the reader's language, the view, and the personal values each template
    reads (see templates/meetings/_agenda.html, _poll.html, _ballot.html)."""
    from governance.i18n import current_language

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


def _one_line(html: str) -> str:
    # SSE data lines cannot hold raw newlines meaningfully for htmx; collapse them.
    return " ".join(html.split())


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


async def page_action(
    request: Req, data: dict[str, str], action: Any, after: dict[str, str] | None = None, refuse_only: bool = False
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
            # Imported here: the agenda context builds on this module.
            from governance.agenda.documents import documents_by_item

            extra["documents_by_item"] = await documents_by_item(await _fresh(request))
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


async def _only_match(request: Req, query: str) -> str:
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
