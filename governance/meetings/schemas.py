"""Input and output models for events and meetings."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from governance.schemas import Email, LongSlug, Name, OptionalName, Slug, TimeZone
from governance.vocabulary import MeetingKind, MeetingMode, MeetingStatus


class EventIn(BaseModel):
    slug: LongSlug
    name_en: Name
    name_fr: OptionalName = ""
    name_es: OptionalName = ""
    city: OptionalName = ""
    country: OptionalName = ""
    starts_on: dt.date
    ends_on: dt.date
    time_zone: TimeZone


class EventOut(EventIn):
    id: int


class MeetingIn(BaseModel):
    slug: LongSlug
    body: Slug = Field(description="The body's short code")
    event: LongSlug | None = Field(default=None, description="The event's short code, if any")
    title_en: Name
    title_fr: OptionalName = ""
    title_es: OptionalName = ""
    kind: MeetingKind = MeetingKind.ordinary
    mode: MeetingMode = MeetingMode.in_person
    venue: OptionalName = ""
    time_zone: TimeZone
    starts_at: dt.datetime = Field(description="Local time in the meeting's time zone")
    ends_at: dt.datetime | None = Field(default=None, description="Local time in the meeting's time zone")
    convocation: int = Field(default=1, ge=1, le=2)
    self_check_in: bool = False
    secretary_email: Email | None = None


class ChairOut(BaseModel):
    person_name: str
    member_name: str
    office: str
    acting: bool


class MeetingOut(BaseModel):
    id: int
    slug: str
    organisation: str
    body: str
    body_name: str
    event: str | None
    title_en: str
    title_fr: str
    title_es: str
    kind: MeetingKind
    mode: MeetingMode
    venue: str
    time_zone: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    status: MeetingStatus
    convocation: int
    self_check_in: bool
    convened_at: dt.datetime | None
    rule_set_version: int | None
    secretary_email: str | None
    chair: ChairOut | None
    my_roles: list[str]
    allowed_transitions: list[str]


class TransitionIn(BaseModel):
    status: MeetingStatus
    confirm: bool = Field(
        default=False,
        description="Closing cannot be undone: without true, a close is refused (409) with the untreated items",
    )


class HandOverIn(BaseModel):
    """The chair passes to another mandate of the body, with the reason (logged)."""

    mandate: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=500)


class HandOverOut(BaseModel):
    height: int
    hash: str
