"""Organisations, their bodies and statute rule sets, member cities, seats and mandates.

The schema itself (types, constraints) is in ``piccolo_migrations``; these classes
mirror it for queries. ``tests/test_schema.py`` checks that the two agree.
"""

from piccolo.columns import (
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from governance.accounts.tables import Person


class Organisation(Table, tablename="organisation"):
    id = Serial(primary_key=True)
    slug = Varchar(length=60)
    short_name = Varchar(length=40)
    name_en = Varchar(length=200)
    name_fr = Varchar(length=200, default="")
    name_es = Varchar(length=200, default="")
    authoritative_language = Varchar(length=2, default="en")
    created_at = Timestamptz(default=TimestamptzNow())


class OrganisationLogo(Table, tablename="organisation_logo"):
    """The organisation's logo, for the letterhead of its minutes (uploaded in the back office).

    A table of its own so that reading an organisation never carries the image."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade, unique=True)
    media_type = Varchar(length=20)
    image = Bytea()
    width = Integer()
    height = Integer()
    uploaded_at = Timestamptz(default=TimestamptzNow())


class Staff(Table, tablename="staff"):
    """A person working for the organisation's secretariat (back office rights)."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=20, default="secretariat")
    office = Varchar(length=30, null=True, default=None)  # e.g. "secretary_general" (signs minutes)


class DirectoryEntry(Table, tablename="directory_entry"):
    """A person whose account details the organisation's secretariat manages."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.cascade)


class Body(Table, tablename="body"):
    id = Serial(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.restrict)
    slug = Varchar(length=60)
    kind = Varchar(length=30)
    name_en = Varchar(length=200)
    name_fr = Varchar(length=200, default="")
    name_es = Varchar(length=200, default="")
    # Prefix of decision numbers, e.g. "BoD" in BoD-2012-07.
    decision_prefix = Varchar(length=12)


class RuleSet(Table, tablename="rule_set"):
    """One version of a body's statutory rules; every clause cites its article."""

    id = Serial(primary_key=True)
    body = ForeignKey(references=Body, null=False, on_delete=OnDelete.cascade)
    version = Integer()
    title = Varchar(length=200)
    effective_from = Date()
    effective_to = Date(null=True, default=None)

    notice_days = Integer(default=15)
    notice_article = Varchar(length=120)

    voting_categories = Varchar(length=120, default="active,founding")
    voting_categories_article = Varchar(length=120)

    quorum_counts = Varchar(length=30, default="present_or_represented")
    quorum_of = Varchar(length=30, default="voting_members")
    quorum_numerator = Integer(default=1)
    quorum_denominator = Integer(default=2)
    quorum_minimum = Integer(default=0)
    # True: "more than" the fraction; False: "at least" the fraction.
    quorum_strict = Boolean(default=False)
    quorum_article = Varchar(length=120)
    second_call_numerator = Integer(default=0)
    second_call_denominator = Integer(default=1)
    second_call_minimum = Integer(default=0)
    second_call_article = Varchar(length=120)

    tie_rule = Varchar(length=20, default="fails")
    casting_vote_office = Varchar(length=30, null=True, default=None)
    tie_article = Varchar(length=120)

    proxies_allowed = Boolean(default=True)
    proxy_max_per_holder = Integer(default=1)
    proxy_holder_must_be_member = Boolean(default=True)
    proxy_article = Varchar(length=120)

    remote_allowed = Boolean(default=False)
    remote_article = Varchar(length=120)

    written_procedure_allowed = Boolean(default=False)
    written_procedure_article = Varchar(length=120)

    secret_ballot_for_elections = Boolean(default=True)
    secret_ballot_for_personal_matters = Boolean(default=True)
    secret_ballot_on_request_of = Integer(null=True, default=None)
    secret_ballot_article = Varchar(length=120)

    election_method = Varchar(length=30, default="absolute_then_relative")
    election_uncontested_without_vote = Boolean(default=True)
    election_article = Varchar(length=120)

    arrears_remove_vote = Boolean(default=True)
    arrears_article = Varchar(length=120)

    minutes_signatories = Varchar(length=120, default="president,secretary_general")
    minutes_article = Varchar(length=120)

    languages = Varchar(length=20, default="en,fr,es")
    authoritative_language = Varchar(length=2, default="en")
    languages_article = Varchar(length=120)

    # Agenda and motions
    seconding_required = Boolean(default=True)
    amendment_max_depth = Integer(default=1)
    motions_article = Varchar(length=120, default="(demo)")
    recused_count_for_quorum = Boolean(default=True)
    recusal_article = Varchar(length=120, default="(demo)")
    secretary_may_drive_agenda = Boolean(default=False)
    agenda_article = Varchar(length=120, default="(demo)")

    # Voting
    blank_ballots_distinct = Boolean(default=False)
    ballots_changeable = Boolean(default=False)
    weighted_votes = Boolean(default=False)
    voting_article = Varchar(length=120, default="(demo)")

    created_at = Timestamptz(default=TimestamptzNow())


class MajorityRule(Table, tablename="majority_rule"):
    """The majority a decision type needs: threshold (a fraction, strict or not) over a base."""

    id = Serial(primary_key=True)
    rule_set = ForeignKey(references=RuleSet, null=False, on_delete=OnDelete.cascade)
    decision_type = Varchar(length=30)
    threshold_numerator = Integer()
    threshold_denominator = Integer()
    # True: "more than" the fraction (simple majority); False: "at least" (two thirds).
    strict = Boolean(default=True)
    base = Varchar(length=40)
    article = Varchar(length=120)


class Member(Table, tablename="member"):
    """The city or government that holds the seat and the vote (not a person)."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.restrict)
    slug = Varchar(length=60)
    name = Varchar(length=200)
    country = Varchar(length=100, default="")
    region = Varchar(length=30)
    category = Varchar(length=20, default="active")
    created_at = Timestamptz(default=TimestamptzNow())
    # Votes this member carries where the rule set weighs votes (else every member has one).
    vote_weight = Integer(default=1)


class MemberFee(Table, tablename="member_fee"):
    id = Serial(primary_key=True)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.cascade)
    year = Integer()
    paid = Boolean(default=False)


class Seat(Table, tablename="seat"):
    """A member sits in a body. Same organisation is enforced by composite foreign keys."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade)
    body = ForeignKey(references=Body, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.cascade)


class Mandate(Table, tablename="mandate"):
    """A person represents a member in a body, optionally holding an office."""

    id = Serial(primary_key=True)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.cascade)
    body = ForeignKey(references=Body, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=20, default="principal")
    office = Varchar(length=30, default="member")
    # A Co-President (or Vice-President) acting as President inherits the chair.
    acting_office = Varchar(length=30, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
