"""Input and output models for the agenda, motions, recusals and the speakers list."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from governance.schemas import Name, OptionalName, PlainText, Slug
from governance.vocabulary import DecisionType

ItemKind = Literal["information", "discussion", "decision", "election"]
MotionKind = Literal["main", "amendment", "procedural"]
Procedure = Literal["postpone", "refer", "table", "close_debate", "amend_agenda"]
MotionStatus = Literal[
    "proposed", "seconded", "debate", "voting", "adopted", "rejected", "withdrawn", "postponed", "referred"
]


class ItemIn(BaseModel):
    number: str = Field(min_length=1, max_length=20, pattern=r"^\d+(\.\d+)*$", description='e.g. "3" or "3.2"')
    title_en: Name = Field(max_length=300)
    title_fr: OptionalName = ""
    title_es: OptionalName = ""
    kind: ItemKind = "information"
    decision_type: DecisionType | None = None
    special: Literal["agenda", "minutes"] | None = None
    rapporteur: OptionalName = ""


class ItemOut(BaseModel):
    id: int
    number: str
    parent: int | None
    title_en: str
    title_fr: str
    title_es: str
    kind: ItemKind
    decision_type: DecisionType | None
    special: str | None
    rapporteur: str
    status: Literal["pending", "open", "closed", "postponed", "withdrawn"]
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None


class MotionIn(BaseModel):
    item: int
    kind: MotionKind = "main"
    procedure: Procedure | None = None
    amends: int | None = Field(default=None, description="The motion an amendment changes")
    mover: Slug | None = Field(default=None, description="The moving member (the secretariat may name one)")
    text_en: PlainText = Field(default="", max_length=20_000)
    text_fr: PlainText = Field(default="", max_length=20_000)
    text_es: PlainText = Field(default="", max_length=20_000)
    seats: int = Field(default=1, ge=1, le=100, description="Elections: how many seats are filled")


class MotionTransitionIn(BaseModel):
    status: MotionStatus
    note: str = Field(default="", max_length=300)


class MotionTextOut(BaseModel):
    language: str
    text: str
    authoritative: bool


class MotionOut(BaseModel):
    id: int
    item: int
    kind: MotionKind
    procedure: Procedure | None
    amends: int | None
    depth: int
    decision_type: str
    seats: int = 1
    status: MotionStatus
    version: int
    mover: str | None
    seconder: str | None
    decision_number: str | None
    authoritative_language: str
    texts: list[MotionTextOut]
    outcome_note: str


class RecusalIn(BaseModel):
    member: Slug | None = Field(default=None, description="Default: the member you represent")
    reason: Name = Field(max_length=300)


class RecusalOut(BaseModel):
    item: int
    member: str
    member_name: str
    reason: str
    declared_at: dt.datetime


class EventOut(BaseModel):
    at: dt.datetime
    kind: str
    actor: str | None
    payload: dict
