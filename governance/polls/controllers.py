"""Polls: JSON API over governance.polls.services."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from governance.accounts.guards import principal_of
from governance.agenda.guards import driver, representative
from governance.forms import as_domain_error, parse_form
from governance.i18n import gettext as _
from governance.i18n import lazy_gettext as _l
from governance.meetings.attendance_controllers import page_action, render_meeting_page
from governance.meetings.guards import meeting_of, participant
from governance.meetings.services import meeting_out
from governance.polls import services
from governance.schemas import Slug
from governance.web import page

Req = Request[Any, Any, Any]


class PollIn(BaseModel):
    motion: int
    method: Literal["roll_call", "secret"] = "roll_call"


class BallotIn(BaseModel):
    member: Slug = Field(description="The member whose vote this is (yours, or one whose proxy you hold)")
    choice: Literal["yes", "no", "abstain"]
    token: str = Field(min_length=16, max_length=100, description="Client-generated, reused on retry")


class ReceiptOut(BaseModel):
    poll: int
    receipt: str


class MyBallotOut(BaseModel):
    member: str
    name: str
    by_proxy: bool
    voted: bool


class PollOut(BaseModel):
    id: int
    motion: int
    round: int
    method: str
    status: str
    question: str
    majority: str
    electorate: int
    voted: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    secrecy_warning: bool
    # Only once closed: per-option counts are never visible while the poll is open.
    yes: int | None
    no: int | None
    abstain: int | None
    outcome: str | None
    arithmetic: str | None
    mine: list[MyBallotOut]


class PublishedBallotOut(BaseModel):
    id: str | None = None
    member: str | None = None
    choice: str
    weight: int


async def poll_out(request: Req, row: dict[str, Any]) -> PollOut:
    voted, size = await services.progress(row["id"])
    closed = row["status"] == "closed"
    mine = await services.my_ballots(meeting_of(request), principal_of(request), row["id"])
    more = "more than" if row["strict"] else "at least"
    return PollOut(
        id=row["id"],
        motion=row["motion"],
        round=row["round"],
        method=row["method"],
        status=row["status"],
        question=row["question"],
        majority=f"{more} {row['threshold_numerator']}/{row['threshold_denominator']} ({row['base']}), "
        f"{row['majority_article']}",
        electorate=size,
        voted=voted,
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        secrecy_warning=services.secrecy_warning(row),
        yes=row["yes"] if closed else None,
        no=row["no"] if closed else None,
        abstain=row["abstain"] if closed else None,
        outcome=row["outcome"],
        arithmetic=row["arithmetic"],
        mine=[
            MyBallotOut(member=m["slug"], name=m["name"], by_proxy=m["proxy_holder"] is not None, voted=m["voted"])
            for m in mine
        ],
    )


class PollApi(Controller):
    path = "/api/v1/meetings/{slug:str}/polls"
    tags = ["polls"]
    guards = [participant]

    @get("/", summary="Polls of the meeting (open ones show only how many have voted)")
    async def list_polls(self, request: Req) -> list[PollOut]:
        return [await poll_out(request, row) for row in await services.list_polls(meeting_of(request))]

    @post("/", guards=[driver], summary="Open a vote on a motion put to the vote (the chair)")
    async def open_poll(self, request: Req, data: PollIn) -> PollOut:
        row = await services.open_poll(meeting_of(request), principal_of(request), data.motion, data.method)
        return await poll_out(request, row)

    @get("/{poll_id:int}")
    async def get_poll(self, request: Req, poll_id: int) -> PollOut:
        return await poll_out(request, await services.get_poll(meeting_of(request), poll_id))

    @post("/{poll_id:int}/ballots", guards=[representative], summary="Cast a ballot (retry with the same token)")
    async def cast(self, request: Req, poll_id: int, data: BallotIn) -> ReceiptOut:
        receipt = await services.cast(
            meeting_of(request), principal_of(request), poll_id, data.member, data.choice, data.token
        )
        return ReceiptOut(**receipt)

    @post("/{poll_id:int}/close", status_code=200, guards=[driver], summary="Close the vote and count (the chair)")
    async def close_poll(self, request: Req, poll_id: int) -> PollOut:
        return await poll_out(request, await services.close_poll(meeting_of(request), principal_of(request), poll_id))

    @get("/{poll_id:int}/ballots", summary="The ballots of a closed poll (secret ones sorted by id, never by time)")
    async def ballots(self, request: Req, poll_id: int) -> list[PublishedBallotOut]:
        return [PublishedBallotOut(**row) for row in await services.published_ballots(meeting_of(request), poll_id)]


# --- pages --------------------------------------------------------------------------------

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
CHOICE_WORDS = {"yes": _l("YES"), "no": _l("NO"), "abstain": _l("ABSTAIN")}


class PollPages(Controller):
    path = "/meetings/{slug:str}/polls"
    include_in_schema = False

    @post("/", guards=[driver])
    async def open_poll(self, request: Req, data: Form) -> Template | Redirect:
        async def act() -> None:
            form = parse_form(PollIn, data)
            await services.open_poll(meeting_of(request), principal_of(request), form.motion, form.method)

        return await page_action(request, data, act)

    @post("/{poll_id:int}/close", guards=[driver])
    async def close_poll(self, request: Req, poll_id: int, data: Form) -> Template | Redirect:
        return await page_action(
            request, data, lambda: services.close_poll(meeting_of(request), principal_of(request), poll_id)
        )

    @post("/{poll_id:int}/confirm", guards=[representative])
    async def confirm(self, request: Req, poll_id: int, data: Form) -> Template:
        """The explicit confirmation step: nothing is recorded until the voter confirms."""
        context = meeting_of(request)
        poll = await services.get_poll(context, poll_id)
        mine = {m["slug"]: m for m in await services.my_ballots(context, principal_of(request), poll_id)}
        member, choice = data.get("member", ""), data.get("choice", "")
        if member not in mine or choice not in CHOICE_WORDS:
            return await render_meeting_page(
                request, "meetings/meeting.html", message=_("Choose yes, no or abstain."), status_code=422
            )
        return page(
            "meetings/vote_confirm.html",
            meeting=meeting_out(context),
            poll=poll,
            member=member,
            member_name=mine[member]["name"],
            choice=choice,
            choice_label=str(CHOICE_WORDS[choice]),
            token=secrets.token_urlsafe(24),
        )

    @post("/{poll_id:int}/ballots", guards=[representative])
    async def cast(self, request: Req, poll_id: int, data: Form) -> Template:
        context = meeting_of(request)
        try:
            receipt = await services.cast(
                context,
                principal_of(request),
                poll_id,
                data.get("member", ""),
                data.get("choice", ""),
                data.get("token", ""),
            )
        except Exception as exc:
            error = as_domain_error(exc)
            return await render_meeting_page(
                request, "meetings/meeting.html", message=error.message, status_code=error.status_code
            )
        return page("meetings/vote_receipt.html", meeting=meeting_out(context), receipt=receipt["receipt"])
