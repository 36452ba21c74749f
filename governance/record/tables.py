"""The meeting log. Append-only: rows are inserted, never updated or deleted."""

from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from governance.accounts.tables import Person
from governance.meetings.tables import Meeting


class MeetingEvent(Table, tablename="meeting_event"):
    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    at = Timestamptz()
    actor = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    kind = Varchar(length=60)
    # Canonical JSON (sorted keys): what changed, by plain ids and codes.
    payload = Text(default="{}")
