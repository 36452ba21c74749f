"""Polls on motions. The schema (and its guarantees) is in ``piccolo_migrations``."""

from piccolo.columns import Boolean, Bytea, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from governance.accounts.tables import Person
from governance.agenda.tables import Motion
from governance.meetings.tables import Meeting
from governance.organisations.tables import Member


class Poll(Table, tablename="poll"):
    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    motion = ForeignKey(references=Motion, null=False, on_delete=OnDelete.cascade)
    round = Integer(default=1)
    method = Varchar(length=20)
    status = Varchar(length=10, default="open")
    # Frozen at opening: the text, the majority rule, the electorate, the quorum.
    question = Text()
    question_language = Varchar(length=2)
    threshold_numerator = Integer()
    threshold_denominator = Integer()
    strict = Boolean()
    base = Varchar(length=40)
    tie_rule = Varchar(length=20)
    majority_article = Varchar(length=120)
    electorate_hash = Varchar(length=64)
    electorate_size = Integer()
    present_weight = Integer()
    represented_weight = Integer()
    members_weight = Integer()
    quorum_counted = Integer()
    quorum_required = Integer()
    opened_at = Timestamptz()
    opened_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    yes = Integer(null=True, default=None)
    no = Integer(null=True, default=None)
    abstain = Integer(null=True, default=None)
    outcome = Varchar(length=30, null=True, default=None)
    arithmetic = Text(null=True, default=None)
    kind = Varchar(length=10, default="motion")  # "motion" | "election"
    options = Text(default='["yes","no","abstain"]')  # JSON: option codes, or candidate ids
    seats = Integer(default=1)  # elections: seats filled by this round
    changeable = Boolean(default=False)  # a voter may change their ballot until the close
    blank = Integer(null=True, default=None)
    tally = Text(null=True, default=None)  # JSON: elections, votes per candidate
    valid = Integer(null=True, default=None)  # elections: ballots marking at least one candidate
    elected = Text(null=True, default=None)  # JSON: elections, candidates elected this round
    next_candidates = Text(null=True, default=None)  # JSON: who stands in the next round
    tellers = Text(null=True, default=None)  # show of hands: who counted
    objection = Text(null=True, default=None)  # unanimous consent: who objected
    voided_at = Timestamptz(null=True, default=None)
    voided_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    void_reason = Text(null=True, default=None)
    casting_vote = Varchar(length=20, null=True, default=None)
    casting_vote_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    casting_vote_office = Varchar(length=30, null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    merkle_root = Varchar(length=64, null=True, default=None)
    participation_hash = Varchar(length=64, null=True, default=None)
    checkpoint = Text(null=True, default=None)  # the chair's announced countdown (the chair still closes)


class Candidate(Table, tablename="candidate"):
    id = Serial(primary_key=True)
    motion = ForeignKey(references=Motion, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.restrict)
    nominated_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    nominated_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None)


class PollElector(Table, tablename="poll_elector"):
    id = Serial(primary_key=True)
    poll = ForeignKey(references=Poll, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.restrict)
    weight = Integer(default=1)
    voter = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    proxy_holder = ForeignKey(references=Member, null=True, on_delete=OnDelete.restrict)


class Participation(Table, tablename="participation"):
    id = Serial(primary_key=True)
    poll = ForeignKey(references=Poll, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.restrict)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    token_hash = Varchar(length=64)


class RollCallVote(Table, tablename="roll_call_vote"):
    id = Serial(primary_key=True)
    poll = ForeignKey(references=Poll, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.restrict)
    choice = Text()
    weight = Integer(default=1)
    nonce = Varchar(length=32, null=True, default=None)


class SealedBallot(Table, tablename="sealed_ballot"):
    """An open secret poll's ballot, sealed under the poll's key, which the database never holds
    (governance/polls/sealing.py): its row order links it to its member, its content to nothing.
    Unsealed into ``secret_ballot`` (in receipt order) and deleted when the poll closes or is voided."""

    id = Serial(primary_key=True)
    poll = ForeignKey(references=Poll, null=False, on_delete=OnDelete.cascade)
    lookup = Varchar(length=64)  # HMAC of the ballot's nonce under the poll's key: finds a retry
    sealed = Bytea()


class SecretBallot(Table, tablename="secret_ballot"):
    """A closed (or voided) secret poll's ballots, written at the close in receipt order: no
    timestamp, no sequential id, no member (rule 8). The id is the receipt (SHA-256 of the leaf)."""

    id = Varchar(length=64, primary_key=True)
    poll = ForeignKey(references=Poll, null=False, on_delete=OnDelete.cascade)
    choice = Text()
    weight = Integer(default=1)
    nonce = Varchar(length=32, null=True, default=None)


class SecretBallotRequest(Table, tablename="secret_ballot_request"):
    """A member asks for a secret ballot on a motion (once: a unique index on motion and member)."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(references=Meeting, null=False, on_delete=OnDelete.cascade)
    motion = ForeignKey(references=Motion, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, null=False, on_delete=OnDelete.restrict)
    requested_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.set_null)
    requested_at = Timestamptz()
