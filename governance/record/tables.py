"""The meeting log. Append-only: rows are inserted, never updated or deleted."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from governance.accounts.tables import Person
from governance.meetings.tables import Meeting
from governance.organisations.tables import Organisation


class MeetingEvent(Table, tablename="meeting_event"):
    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    at = Timestamptz()
    actor = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    kind = Varchar(length=60)
    # Canonical JSON (sorted keys): what changed, by plain ids and codes.
    payload = Text(default="{}")
    # The hash chain (docs/record-format.md §2): height from 1, the parent's hash, the
    # exact canonical body that was hashed, and its SHA-256.
    height = Integer(null=True, default=None)
    parent = Varchar(length=64, null=True, default=None)
    body = Text(null=True, default=None)
    hash = Varchar(length=64, null=True, default=None)


class OrganisationKey(Table, tablename="organisation_key"):
    """An organisation's Ed25519 public key; the private key is a file outside the database."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.restrict)
    name = Varchar(length=200)  # the signed-note key name, "governance/<organisation slug>"
    public_key = Varchar(length=64)  # raw 32 bytes, base64
    fingerprint = Varchar(length=64)  # hex SHA-256 of the raw public key
    created_at = Timestamptz()
    retired_at = Timestamptz(null=True, default=None)
