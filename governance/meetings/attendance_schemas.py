"""Input and output models for attendance, proxies and the quorum."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from governance.schemas import Slug

# What a proxy still lacks (governance.meetings.attendance_model.Missing).
MissingCode = Literal["grantor", "holder", "validation"]


class ArrivalIn(BaseModel):
    member: Slug
    person_id: int | None = Field(default=None, description="Who represents the member; default: its principal")
    mode: Literal["present", "remote"] = "present"
    at: dt.datetime | None = Field(default=None, description="When (with time zone); default: now")


class UndoArrivalIn(BaseModel):
    member: Slug


class DepartureIn(BaseModel):
    member: Slug
    at: dt.datetime | None = None


class ExcusalIn(BaseModel):
    member: Slug
    reason: str = Field(default="", max_length=300)


class ProxyIn(BaseModel):
    grantor: Slug
    holder: Slug
    scope: Literal["meeting", "items"] = "meeting"
    items: str = Field(default="", max_length=200, description="Agenda item numbers, when scope is items")
    instructions: str = Field(default="", max_length=2000)


class RevocationIn(BaseModel):
    reason: str = Field(default="", max_length=200)


class QuorumOut(BaseModel):
    convocation: int
    present: int
    remote: int
    represented: int
    counted: int
    total: int
    required: int
    met: bool
    basis: str
    article: str


class PendingProxyOut(BaseModel):
    grantor_name: str
    missing: list[str]


class MemberLineOut(BaseModel):
    member: str
    name: str
    votes: bool
    no_vote_reason: str | None
    state: Literal["present", "remote", "represented", "excused", "absent"]
    representative: str | None
    representative_role: str | None
    since: dt.datetime | None
    proxy_to: str | None
    proxy_counts: bool
    holds: list[str]
    stays: int
    proxy_missing: list[str] = Field(
        default_factory=list, description="What the proxy this member gave still lacks before it counts"
    )
    holds_pending: list[PendingProxyOut] = Field(
        default_factory=list, description="Proxies this member holds that do not count yet, and why"
    )


class ProxyOut(BaseModel):
    id: int
    grantor: str
    grantor_name: str
    holder: str
    holder_name: str
    scope: str
    items: str
    instructions: str | None = Field(
        description="The grantor's voting instructions: only for the grantor's and the holder's representatives "
        "and the secretariat (None for anyone else)"
    )
    accepted: bool
    accepted_in_room: bool = Field(description="The secretariat recorded that the holder accepted it in the room")
    validated: bool
    revoked: bool
    revoked_reason: str
    grantor_confirmed: bool = Field(description="The grantor's representative confirmed it from its account")
    form_sha256: str | None = Field(description="SHA-256 of the grantor's signed proxy form, if one is attached")
    missing: list[MissingCode] = Field(
        description="What it still lacks before it can count: the grantor's form or confirmation, "
        "the holder's acceptance, the secretariat's validation"
    )
    missing_text: list[str] = Field(description="The same, in words")
    complete: bool = Field(description="Nothing missing: it counts when its holder attends and its grantor does not")


class RegisterOut(BaseModel):
    quorum: QuorumOut
    members: list[MemberLineOut]
    proxies: list[ProxyOut]


class QuorumCheckOut(BaseModel):
    at: dt.datetime
    trigger: str
    description: str
    convocation: int
    present: int
    remote: int
    represented: int
    counted: int
    total: int
    required: int
    met: bool
