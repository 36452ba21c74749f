"""Polls: JSON API over governance.polls.services."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from governance.accounts.guards import principal_of
from governance.agenda.guards import driver, driver_or_secretary, representative, representative_or_driver
from governance.errors import Conflict, Invalid
from governance.forms import as_domain_error, parse_form
from governance.i18n import gettext as _
from governance.i18n import lazy_gettext as _l
from governance.meetings.attendance_controllers import page_action, render_meeting_page
from governance.meetings.guards import meeting_of, participant
from governance.meetings.services import meeting_out
from governance.polls import padding, services
from governance.polls.guards import casting_vote_holder
from governance.polls.views import board_view
from governance.schemas import Slug
from governance.web import page

Req = Request[Any, Any, Any]


Method = Literal["roll_call", "secret", "show_of_hands", "unanimous_consent"]


class PollIn(BaseModel):
    motion: int
    method: Method = "roll_call"
    countdown: int | None = Field(default=None, description="Seconds the chair gives voters (shown on every screen)")


class BallotIn(BaseModel):
    member: Slug = Field(description="The member whose vote this is (yours, or one whose proxy you hold)")
    choice: str = Field(
        min_length=1,
        max_length=1000,
        description='"yes", "no", "abstain" or "blank" (where offered); in an election the marked candidates\' '
        'member ids, comma-separated, or "blank" / "abstain"',
    )
    token: str = Field(min_length=16, max_length=100, description="Client-generated, reused on retry")
    previous: str | None = Field(
        default=None, min_length=16, max_length=100, description="To change a ballot: the token of the earlier one"
    )
    weight: int | None = Field(
        default=None, ge=1, description="Optional check: the votes the member carries (refused if not the snapshot's)"
    )


class CloseIn(BaseModel):
    """A show of hands closes with the tellers' counts and names; other methods need nothing."""

    yes: int | None = Field(default=None, ge=0, le=1_000_000)
    no: int | None = Field(default=None, ge=0, le=1_000_000)
    abstain: int | None = Field(default=None, ge=0, le=1_000_000)
    tellers: str = Field(default="", max_length=300)

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in (("yes", self.yes), ("no", self.no), ("abstain", self.abstain)) if v is not None}


class VoidIn(BaseModel):
    reason: str = Field(min_length=1, max_length=300)


class ObjectionIn(BaseModel):
    member: Slug = Field(description="The member objecting")


class CastingVoteIn(BaseModel):
    choice: str = Field(
        min_length=1, max_length=1000, description='"yes" or "no"; in an election the chosen candidates\' ids'
    )


class CandidateIn(BaseModel):
    member: Slug


class CandidateOut(BaseModel):
    member: str
    name: str
    withdrawn: bool


class ReceiptOut(BaseModel):
    poll: int
    receipt: str = Field(description="SHA-256 of the ballot's leaf (hex); the same whatever the choice")
    code: str = Field(description="The receipt's short code, as the voter sees it (ABCDE-FGHIJ)")


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
    closes_at: dt.datetime | None
    closed_at: dt.datetime | None
    kind: str
    options: list[str]
    seats: int
    changeable: bool
    secrecy_warning: str | None
    # Only once closed: per-option counts are never visible while the poll is open.
    yes: int | None
    no: int | None
    abstain: int | None
    blank: int | None
    tally: dict[str, int] | None
    elected: list[str] | None
    tellers: str | None
    objection: str | None
    casting_vote: str | None
    void_reason: str | None
    outcome: str | None
    arithmetic: str | None
    mine: list[MyBallotOut]


class BoardOut(BaseModel):
    """A closed poll's bulletin board (docs/record-format.md §5): enough to recompute every
    receipt (SHA-256 of each leaf), the Merkle root, and to check the signed checkpoint."""

    poll: int
    merkle_root: str = Field(description="hex(MTH(leaves)), RFC 9162")
    participation_hash: str
    ballots: int
    leaves: list[str] = Field(description="Each ballot's leaf exactly as hashed (JCS, UTF-8), sorted by receipt")
    checkpoint: str | None = Field(description="The signed note over the Merkle root (None: not signed)")


class PublishedBallotOut(BaseModel):
    """A ballot's leaf as published after the close (docs/record-format.md §5); id is its receipt."""

    id: str | None = None
    member: str | None = None
    choice: str
    weight: int
    nonce: str | None = None
    code: str | None = None


async def poll_out(request: Req, row: dict[str, Any]) -> PollOut:
    voted, size = await services.progress(row["id"])
    closed = row["status"] == "closed"
    election = row["kind"] == "election"
    options = services.options_of(row)
    names = await services.candidate_names(row) if election else {}
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
        closes_at=row["closes_at"],
        closed_at=row["closed_at"],
        kind=row["kind"],
        options=[str(c) for c in options["candidates"]] if election else options,
        seats=row["seats"],
        changeable=row["changeable"],
        secrecy_warning=await services.secrecy_warning(row) if row["status"] == "open" else None,
        yes=row["yes"] if closed else None,
        no=row["no"] if closed else None,
        abstain=row["abstain"] if closed else None,
        blank=row["blank"] if closed else None,
        tally=json.loads(row["tally"]) if closed and row["tally"] else None,
        elected=[names.get(c, str(c)) for c in json.loads(row["elected"])] if closed and row["elected"] else None,
        tellers=row["tellers"],
        objection=row["objection"],
        casting_vote=row["casting_vote"],
        void_reason=row["void_reason"],
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
        row = await services.open_poll(
            meeting_of(request), principal_of(request), data.motion, data.method, data.countdown
        )
        return await poll_out(request, row)

    @get("/{poll_id:int}")
    async def get_poll(self, request: Req, poll_id: int) -> PollOut:
        return await poll_out(request, await services.get_poll(meeting_of(request), poll_id))

    @post("/{poll_id:int}/ballots", guards=[representative], summary="Cast a ballot (retry with the same token)")
    async def cast(self, request: Req, poll_id: int, data: BallotIn) -> ReceiptOut:
        receipt = await services.cast(
            meeting_of(request),
            principal_of(request),
            poll_id,
            data.member,
            data.choice,
            data.token,
            data.previous,
            weight=data.weight,
        )
        return ReceiptOut(**receipt)

    @post("/{poll_id:int}/close", status_code=200, guards=[driver], summary="Close the vote and count (the chair)")
    async def close_poll(self, request: Req, poll_id: int, data: CloseIn | None = None) -> PollOut:
        data = data or CloseIn()
        row = await services.close_poll(
            meeting_of(request), principal_of(request), poll_id, counts=data.counts(), tellers=data.tellers
        )
        return await poll_out(request, row)

    @post("/{poll_id:int}/void", status_code=200, guards=[driver], summary="Void an open vote (a new round follows)")
    async def void_poll(self, request: Req, poll_id: int, data: VoidIn) -> PollOut:
        row = await services.void_poll(meeting_of(request), principal_of(request), poll_id, data.reason)
        return await poll_out(request, row)

    @post(
        "/{poll_id:int}/objection",
        status_code=200,
        guards=[representative_or_driver],
        summary="Object to a call for unanimous consent (a member's representative, or the chair for the room)",
    )
    async def objection(self, request: Req, poll_id: int, data: ObjectionIn) -> PollOut:
        row = await services.object_to_consent(meeting_of(request), principal_of(request), poll_id, data.member)
        return await poll_out(request, row)

    @post(
        "/{poll_id:int}/casting-vote",
        status_code=200,
        guards=[casting_vote_holder],
        summary="Settle a tie with the casting vote of the office the statutes name",
    )
    async def casting_vote(self, request: Req, poll_id: int, data: CastingVoteIn) -> PollOut:
        row = await services.record_casting_vote(meeting_of(request), principal_of(request), poll_id, data.choice)
        return await poll_out(request, row)

    @get("/{poll_id:int}/ballots", summary="The ballots of a closed poll (secret ones sorted by id, never by time)")
    async def ballots(self, request: Req, poll_id: int) -> list[PublishedBallotOut]:
        return [PublishedBallotOut(**row) for row in await services.published_ballots(meeting_of(request), poll_id)]

    @get("/{poll_id:int}/board", summary="The bulletin board of a closed poll: its leaves and signed checkpoint")
    async def board(self, request: Req, poll_id: int) -> BoardOut:
        found = await services.board(meeting_of(request), poll_id)
        poll = found["poll"]
        return BoardOut(
            poll=poll["id"],
            merkle_root=poll["merkle_root"],
            participation_hash=poll["participation_hash"],
            ballots=len(found["ballots"]),
            leaves=[ballot["leaf"] for ballot in found["ballots"]],
            checkpoint=poll["checkpoint"],
        )


class CandidateApi(Controller):
    path = "/api/v1/meetings/{slug:str}/motions/{motion_id:int}"
    tags = ["polls"]
    guards = [participant]

    @get("/candidates", summary="Candidates in an election")
    async def list_candidates(self, request: Req, motion_id: int) -> list[CandidateOut]:
        rows = await services.list_candidates(meeting_of(request), motion_id)
        return [CandidateOut(member=r["slug"], name=r["name"], withdrawn=r["withdrawn_at"] is not None) for r in rows]

    @post("/candidates", guards=[driver_or_secretary], summary="Register a candidate (the chair or the secretariat)")
    async def nominate(self, request: Req, motion_id: int, data: CandidateIn) -> CandidateOut:
        row = await services.nominate(meeting_of(request), principal_of(request), motion_id, data.member)
        return CandidateOut(member=row["slug"], name=row["name"], withdrawn=False)

    @post(
        "/candidates/{member:str}/withdraw",
        status_code=200,
        guards=[driver_or_secretary],
        summary="Withdraw a candidate (voids an open round)",
    )
    async def withdraw(self, request: Req, motion_id: int, member: str) -> list[CandidateOut]:
        await services.withdraw_candidate(meeting_of(request), principal_of(request), motion_id, member)
        return await self.list_candidates.fn(self, request, motion_id)  # type: ignore[attr-defined]

    @post(
        "/elect-unopposed",
        status_code=200,
        guards=[driver],
        summary="Declare candidates elected without a vote when they do not outnumber the seats",
    )
    async def elect_unopposed(self, request: Req, motion_id: int) -> dict[str, Any]:
        motion = await services.declare_unopposed(meeting_of(request), principal_of(request), motion_id)
        return {"motion": motion["id"], "status": motion["status"], "note": motion["outcome_note"]}


# --- pages --------------------------------------------------------------------------------

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
# A ballot form may repeat a field (one "candidate" per mark): values are a string or a list.
BallotForm = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
CHOICE_WORDS = {"yes": _l("YES"), "no": _l("NO"), "abstain": _l("ABSTAIN"), "blank": _l("BLANK")}


def _one(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value)


def _marks(data: dict[str, Any]) -> str:
    """An election ballot's marks (checkboxes named "candidate") as the services' choice string;
    otherwise the "choice" field as posted."""
    marked = data.get("candidate")
    if marked:
        return ",".join(marked) if isinstance(marked, list) else str(marked)
    return _one(data, "choice")


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


class PollPages(Controller):
    path = "/meetings/{slug:str}/polls"
    include_in_schema = False

    @post("/", guards=[driver])
    async def open_poll(self, request: Req, data: Form) -> Template | Redirect:
        async def act() -> None:
            form = parse_form(PollIn, {k: v for k, v in data.items() if v != ""})
            await services.open_poll(
                meeting_of(request), principal_of(request), form.motion, form.method, form.countdown
            )

        return await page_action(request, data, act)

    @get("/{poll_id:int}/board", guards=[participant])
    async def board(self, request: Req, poll_id: int, code: str = "") -> Template:
        """The bulletin board: every ballot of a closed poll, and a search for one's receipt code."""
        context = meeting_of(request)
        try:
            values = await board_view(context, poll_id, code[:100])
        except Conflict as exc:  # open or void: nothing to publish (yet)
            poll = await services.get_poll(context, poll_id)
            values = {"poll": poll, "unavailable": exc.message}
        return page("meetings/board.html", context=context, meeting=meeting_out(context), **values)

    @post("/{poll_id:int}/close", guards=[driver])
    async def close_poll(self, request: Req, poll_id: int, data: Form) -> Template | Redirect:
        counts = {k: v for k in ("yes", "no", "abstain") if (v := _int(data.get(k))) is not None}
        return await page_action(
            request,
            data,
            lambda: services.close_poll(
                meeting_of(request), principal_of(request), poll_id, counts=counts, tellers=data.get("tellers", "")
            ),
        )

    @post("/{poll_id:int}/void", guards=[driver])
    async def void_poll(self, request: Req, poll_id: int, data: Form) -> Template | Redirect:
        return await page_action(
            request,
            data,
            lambda: services.void_poll(meeting_of(request), principal_of(request), poll_id, data.get("reason", "")),
        )

    @post("/{poll_id:int}/objection", guards=[representative_or_driver])
    async def objection(self, request: Req, poll_id: int, data: Form) -> Template | Redirect:
        return await page_action(
            request,
            data,
            lambda: services.object_to_consent(
                meeting_of(request), principal_of(request), poll_id, data.get("member", "")
            ),
        )

    @post("/{poll_id:int}/casting-vote", guards=[casting_vote_holder])
    async def casting_vote(self, request: Req, poll_id: int, data: BallotForm) -> Template | Redirect:
        choice = _marks(data)
        return await page_action(
            request,
            {"back": _one(data, "back")},
            lambda: services.record_casting_vote(meeting_of(request), principal_of(request), poll_id, choice),
        )

    @post("/{poll_id:int}/confirm", guards=[representative])
    async def confirm(self, request: Req, poll_id: int, data: BallotForm) -> Template:
        """The explicit confirmation step: nothing is recorded until the voter confirms."""
        context = meeting_of(request)
        poll = await services.get_poll(context, poll_id)
        mine = {m["slug"]: m for m in await services.my_ballots(context, principal_of(request), poll_id)}
        member, choice = _one(data, "member"), _marks(data)
        try:
            if member not in mine:
                raise Invalid(_("Choose whose vote this is."))
            content = services.ballot_content(poll, choice)
        except Exception as exc:
            error = as_domain_error(exc)
            return await render_meeting_page(request, "meetings/meeting.html", message=error.message, status_code=422)
        # The page weighs the same whatever the choice (governance.polls.padding): the words
        # and the hidden value of this choice, plus the filler, total the poll's widest pair.
        if poll["kind"] == "election":
            names = await services.candidate_names(poll)
            target = padding.election_target(names, poll["seats"], CHOICE_WORDS)
        else:
            target = padding.motion_target(CHOICE_WORDS, services.options_of(poll))
        if poll["kind"] == "election" and content not in ("blank", "abstain"):
            label = padding.NAME_SEPARATOR.join(names[int(c)] for c in content.split(","))
        else:
            label = str(CHOICE_WORDS[content])
        return page(
            "meetings/vote_confirm.html",
            meeting=meeting_out(context),
            poll=poll,
            member=member,
            member_name=mine[member]["name"],
            choice=content,
            choice_label=label,
            padding=padding.filler(target, label, content),
            token=secrets.token_urlsafe(24),
            previous=_one(data, "previous"),
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
                data.get("previous") or None,
            )
        except Exception as exc:
            error = as_domain_error(exc)
            return await render_meeting_page(
                request, "meetings/meeting.html", message=error.message, status_code=error.status_code
            )
        poll = await services.get_poll(context, poll_id)
        return page(
            "meetings/vote_receipt.html",
            meeting=meeting_out(context),
            poll=poll,
            receipt=receipt["receipt"],
            code=receipt["code"],
            member=data.get("member", ""),
            # Only this page knows the token: a secret ballot can be changed from here alone.
            token=data.get("token", "") if poll["changeable"] else "",
            voting_article=context.statutes.voting_article if context.statutes else "",
        )

    @post("/{poll_id:int}/change", guards=[representative])
    async def change(self, request: Req, poll_id: int, data: Form) -> Template:
        """Choose again (where ballots may be changed until the close)."""
        context = meeting_of(request)
        poll = await services.get_poll(context, poll_id)
        mine = {m["slug"]: m for m in await services.my_ballots(context, principal_of(request), poll_id)}
        member = data.get("member", "")
        if member not in mine or not poll["changeable"] or poll["status"] != "open":
            return await render_meeting_page(
                request, "meetings/meeting.html", message=_("This ballot can no longer be changed."), status_code=409
            )
        return page(
            "meetings/vote_change.html",
            meeting=meeting_out(context),
            poll=poll,
            m=mine[member],
            previous=data.get("previous", ""),
            poll_options=services.options_of(poll),
            poll_candidates=list((await services.candidate_names(poll)).items()) if poll["kind"] == "election" else [],
        )


class CandidatePages(Controller):
    path = "/meetings/{slug:str}/motions/{motion_id:int}"
    include_in_schema = False

    @post("/candidates", guards=[driver_or_secretary])
    async def nominate(self, request: Req, motion_id: int, data: Form) -> Template | Redirect:
        return await page_action(
            request,
            data,
            lambda: services.nominate(meeting_of(request), principal_of(request), motion_id, data.get("member", "")),
        )

    @post("/candidates/{member:str}/withdraw", guards=[driver_or_secretary])
    async def withdraw(self, request: Req, motion_id: int, member: str, data: Form) -> Template | Redirect:
        return await page_action(
            request,
            data,
            lambda: services.withdraw_candidate(meeting_of(request), principal_of(request), motion_id, member),
        )

    @post("/elect-unopposed", guards=[driver])
    async def elect_unopposed(self, request: Req, motion_id: int, data: Form) -> Template | Redirect:
        return await page_action(
            request, data, lambda: services.declare_unopposed(meeting_of(request), principal_of(request), motion_id)
        )
