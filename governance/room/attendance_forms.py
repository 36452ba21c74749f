"""The attendance forms posted from the meeting room's pages (arrivals, departures, apologies, proxies,
the second convocation) over governance.meetings.attendance."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from governance.accounts.guards import principal_of
from governance.errors import Invalid
from governance.forms import parse_form
from governance.i18n import gettext as _
from governance.meetings import attendance
from governance.meetings.attendance_schemas import ArrivalIn, DepartureIn, ExcusalIn, ProxyIn, UndoArrivalIn
from governance.meetings.guards import chair_or_secretary, meeting_of, participant, secretary
from governance.room.forms import confirm_page, only_match, page_action

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

PROXY_FIELDS = ("grantor", "holder", "scope", "items", "instructions", "back")


class AttendancePages(Controller):
    path = "/meetings/{slug:str}"
    include_in_schema = False

    @post("/arrivals", guards=[participant])
    async def arrive(self, request: Req, data: Form) -> Template | Redirect:
        done: dict[str, str] = {}

        async def act() -> None:
            values = {k: v for k, v in data.items() if k != "person_id" or v}
            if not values.get("member") and data.get("q", "").strip():
                # The desk's search and Enter: the one member matching what was typed arrives.
                values["member"] = await only_match(request, data["q"])
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
                if not data.get("holder"):
                    # The form starts with nobody chosen: one stray tap must not hand over a vote.
                    message = _("Choose the member who will hold the proxy.")
                    raise Invalid(message, fields={"holder": message})
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
