"""Minutes and their signatures. The schema (and its guarantees) is in ``piccolo_migrations``."""

from piccolo.columns import Bytea, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from governance.accounts.tables import Person
from governance.meetings.tables import Meeting


class MinutesVersion(Table, tablename="minutes_version"):
    """One version of a meeting's minutes. Versions are never overwritten: an edit of a draft
    makes the next version, and a correction of signed minutes a new draft that cites them."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.restrict)
    version = Integer()
    status = Varchar(length=12, default="draft")  # draft | circulated | approved | signed | published
    language = Varchar(length=2)  # the authoritative language
    content = Text()  # canonical JSON: the generated facts and the secretary's narratives
    content_hash = Varchar(length=64)
    supersedes = Integer(null=True, default=None)  # the version this one follows or corrects
    created_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    circulated_at = Timestamptz(null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    approved_hash = Varchar(length=64, null=True, default=None)  # what was approved, exactly
    approval = Text(null=True, default=None)  # how: the decision that approved them, or the rule
    published_at = Timestamptz(null=True, default=None)
    pdf = Bytea(null=True, default=None)  # the signed PDF/A-3 (grows one signature at a time)


class MinutesComment(Table, tablename="minutes_comment"):
    id = Serial(primary_key=True)
    minutes = ForeignKey(references=MinutesVersion, null=False, on_delete=OnDelete.cascade)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    text = Text()
    created_at = Timestamptz()


class SignatoryKey(Table, tablename="signatory_key"):
    """A person's Ed25519 signing key; the private part encrypted under their own passphrase."""

    id = Serial(primary_key=True)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    public_key = Varchar(length=64)
    fingerprint = Varchar(length=64)
    sealed = Text()  # JSON: argon2id parameters, salt, AES-GCM nonce and ciphertext
    certificate = Text(null=True, default=None)  # issued by the organisation's key
    certified_by = Varchar(length=64, null=True, default=None)  # the organisation key's fingerprint
    created_at = Timestamptz()
    retired_at = Timestamptz(null=True, default=None)


class MinutesSignature(Table, tablename="minutes_signature"):
    id = Serial(primary_key=True)
    minutes = ForeignKey(references=MinutesVersion, null=False, on_delete=OnDelete.restrict)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    office = Varchar(length=30)
    acting = Integer(default=0)  # 1 when signing as the acting holder of the office
    fingerprint = Varchar(length=64)
    signature = Varchar(length=100)  # Ed25519 over the content's exact bytes, base64
    pdf_sha256 = Varchar(length=64, null=True, default=None)  # the PDF as this signature left it
    signed_at = Timestamptz()
