"""Agenda items and their documents, motions and their texts, recusals, the speakers list.

The schema itself (types, constraints) is in ``piccolo_migrations``; these classes
mirror it for queries. ``tests/test_schema.py`` checks that the two agree.
"""

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from governance.accounts.tables import Person
from governance.meetings.tables import Meeting
from governance.organisations.tables import Body, Member


class AgendaItem(Table, tablename="agenda_item"):
    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    parent: ForeignKey["AgendaItem"] = ForeignKey(references="self", null=True, on_delete=OnDelete.cascade)
    position = Integer()
    number = Varchar(length=20)
    title_en = Varchar(length=300)
    title_fr = Varchar(length=300, default="")
    title_es = Varchar(length=300, default="")
    kind = Varchar(length=20)
    decision_type = Varchar(length=30, null=True, default=None)
    # "agenda": adoption of the agenda; "minutes": approval of the previous minutes.
    special = Varchar(length=20, null=True, default=None)
    rapporteur = Varchar(length=200, default="")
    status = Varchar(length=20, default="pending")
    opened_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AgendaDocument(Table, tablename="agenda_document"):
    id = Serial(primary_key=True)
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=200)
    version = Integer()
    content_type = Varchar(length=100)
    size = Integer()
    # Content address: the file is stored under its SHA-256, which the record cites.
    sha256 = Varchar(length=64)
    uploaded_at = Timestamptz(default=TimestamptzNow())
    uploaded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)


class Motion(Table, tablename="motion"):
    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=20)
    procedure = Varchar(length=20, null=True, default=None)
    amends: ForeignKey["Motion"] = ForeignKey(references="self", null=True, on_delete=OnDelete.cascade)
    depth = Integer(default=0)
    decision_type = Varchar(length=30)
    authoritative_language = Varchar(length=2)
    mover_member = ForeignKey(references=Member, null=True, on_delete=OnDelete.restrict)
    mover_person = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    seconder_member = ForeignKey(references=Member, null=True, on_delete=OnDelete.restrict)
    seconder_person = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    status = Varchar(length=20, default="proposed")
    version = Integer(default=1)
    outcome_note = Varchar(length=300, default="")
    decision_body = ForeignKey(references=Body, null=True, on_delete=OnDelete.restrict)
    decision_year = Integer(null=True, default=None)
    decision_sequence = Integer(null=True, default=None)
    decision_number = Varchar(length=40, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    status_changed_at = Timestamptz(default=TimestamptzNow())
    seats = Integer(default=1)  # elections: how many seats the election fills


class MotionText(Table, tablename="motion_text"):
    """One language of one version of a motion's text (versions are never overwritten)."""

    id = Serial(primary_key=True)
    motion = ForeignKey(references=Motion, null=False, on_delete=OnDelete.cascade)
    version = Integer()
    language = Varchar(length=2)
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)


class Recusal(Table, tablename="recusal"):
    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.restrict)
    reason = Varchar(length=300)
    declared_at = Timestamptz(default=TimestamptzNow())
    declared_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)


class SpeakerRequest(Table, tablename="speaker_request"):
    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=True, on_delete=OnDelete.restrict)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    requested_at = Timestamptz(default=TimestamptzNow())
    given_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
