"""Events and meetings.

The schema itself (types, constraints) is in ``piccolo_migrations``; these classes
mirror it for queries. ``tests/test_schema.py`` checks that the two agree.
"""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from governance.accounts.tables import Person
from governance.organisations.tables import Body, Mandate, Member, Organisation, RuleSet


class Event(Table, tablename="event"):
    """Groups meetings held together, e.g. "Metropolis Annual Meeting, Guangzhou 2012"."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.restrict)
    slug = Varchar(length=80)
    name_en = Varchar(length=200)
    name_fr = Varchar(length=200, default="")
    name_es = Varchar(length=200, default="")
    city = Varchar(length=100, default="")
    country = Varchar(length=100, default="")
    starts_on = Date()
    ends_on = Date()
    time_zone = Varchar(length=64)


class Meeting(Table, tablename="meeting"):
    id = Serial(primary_key=True)
    event = ForeignKey(references=Event, null=True, on_delete=OnDelete.set_null)
    body = ForeignKey(references=Body, null=False, on_delete=OnDelete.restrict)
    slug = Varchar(length=80)
    title_en = Varchar(length=200)
    title_fr = Varchar(length=200, default="")
    title_es = Varchar(length=200, default="")
    kind = Varchar(length=30, default="ordinary")
    mode = Varchar(length=20, default="in_person")
    venue = Varchar(length=300, default="")
    time_zone = Varchar(length=64)
    starts_at = Timestamptz()
    ends_at = Timestamptz(null=True, default=None)
    status = Varchar(length=20, default="draft")
    # 1: first convocation; 2: second convocation (its own quorum rule).
    convocation = Integer(default=1)
    self_check_in = Boolean(default=False)
    # The rule set version that governs this meeting, fixed when it is convened.
    rule_set = ForeignKey(references=RuleSet, null=True, on_delete=OnDelete.restrict)
    secretary = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    # A chair named for this meeting; when empty the chair follows the office.
    chair_mandate = ForeignKey(references=Mandate, null=True, on_delete=OnDelete.set_null)
    # When the convocation was sent: the statutory notice runs from here.
    convened_at = Timestamptz(null=True, default=None)
    status_changed_at = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())
    # When the meeting adopted its agenda; after that, changes need a decision.
    agenda_adopted_at = Timestamptz(null=True, default=None)
    # An adopted "amend the agenda" motion that allows one change (consumed by it).
    agenda_unlocked_by = Integer(null=True, default=None)


class Presence(Table, tablename="presence"):
    """One stay of a member's representative: arrival, and departure when it ends."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.restrict)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    role = Varchar(length=20)
    mode = Varchar(length=10, default="present")
    arrived_at = Timestamptz()
    departed_at = Timestamptz(null=True, default=None)
    recorded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)


class Excusal(Table, tablename="excusal"):
    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.restrict)
    reason = Varchar(length=300, default="")
    recorded_at = Timestamptz(default=TimestamptzNow())
    recorded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)


class Proxy(Table, tablename="proxy"):
    """A member's vote entrusted to another member for a meeting (or listed items)."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    grantor = ForeignKey(references=Member, null=False, on_delete=OnDelete.restrict)
    holder = ForeignKey(references=Member, null=False, on_delete=OnDelete.restrict)
    scope = Varchar(length=10, default="meeting")
    items = Varchar(length=200, default="")
    instructions = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    accepted_at = Timestamptz(null=True, default=None)
    accepted_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    validated_at = Timestamptz(null=True, default=None)
    validated_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    revoked_reason = Varchar(length=200, default="")
    # The grantor's consent (issue 17): its signed proxy form, stored by its SHA-256 like the
    # agenda's documents, or its own confirmation from its account. Either one, or nothing counts.
    form_sha256 = Varchar(length=64, default="")
    form_name = Varchar(length=200, default="")
    form_content_type = Varchar(length=100, default="")
    form_size = Integer(default=0)
    form_uploaded_at = Timestamptz(null=True, default=None)
    form_uploaded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    grantor_confirmed_at = Timestamptz(null=True, default=None)
    grantor_confirmed_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    # The holder accepted in the room and the secretariat recorded it (accepted_by is the staff).
    accepted_in_room = Boolean(default=False)


class QuorumCheck(Table, tablename="quorum_check"):
    """The quorum as computed after a change of attendance (or before a poll opens)."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    at = Timestamptz()
    trigger = Varchar(length=300)
    convocation = Integer()
    present = Integer()
    remote = Integer()
    represented = Integer()
    counted = Integer()
    total = Integer()
    required = Integer()
    met = Boolean()


class DisplayLink(Table, tablename="display_link"):
    """A revocable, read-only link for the room's screen (only its token's SHA-256 is kept)."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64)
    label = Varchar(length=100, default="")
    created_at = Timestamptz()
    created_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
