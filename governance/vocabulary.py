"""The domain's closed vocabularies, in one place.

Each enum's values are what the database stores (and what its CHECK constraints
list); labels are translatable strings for the pages. Adding a value means a
migration that widens the CHECK constraint too.
"""

from __future__ import annotations

from enum import StrEnum

from governance.i18n import LazyString
from governance.i18n import lazy_gettext as _l


class Language(StrEnum):
    en = "en"
    fr = "fr"
    es = "es"


class BodyKind(StrEnum):
    general_assembly = "general_assembly"
    board = "board"
    executive_committee = "executive_committee"
    committee = "committee"
    network = "network"


class MemberCategory(StrEnum):
    active = "active"
    associate = "associate"
    honorary = "honorary"
    founding = "founding"


class Region(StrEnum):
    africa = "africa"
    asia_pacific = "asia_pacific"
    europe = "europe"
    latin_america = "latin_america"
    north_america = "north_america"
    middle_east = "middle_east"


class MandateRole(StrEnum):
    principal = "principal"
    delegate = "delegate"
    substitute = "substitute"


class Office(StrEnum):
    president = "president"
    co_president = "co_president"
    vice_president = "vice_president"
    treasurer = "treasurer"
    secretary_general = "secretary_general"
    member = "member"
    observer = "observer"


class QuorumCounts(StrEnum):
    """Who counts towards the quorum."""

    present = "present"
    present_or_represented = "present_or_represented"


class QuorumOf(StrEnum):
    """The total the quorum fraction is taken of."""

    voting_members = "voting_members"
    all_members = "all_members"


class TieRule(StrEnum):
    fails = "fails"
    chair_prevails = "chair_prevails"
    casting_vote = "casting_vote"
    new_round = "new_round"
    lot = "lot"


class ElectionMethod(StrEnum):
    absolute_then_relative = "absolute_then_relative"
    repeat_all = "repeat_all"
    drop_last = "drop_last"
    runoff_top_two = "runoff_top_two"


class DecisionType(StrEnum):
    ordinary = "ordinary"
    budget = "budget"
    statutes = "statutes"
    election = "election"
    admission = "admission"
    exclusion = "exclusion"
    dissolution = "dissolution"
    agenda = "agenda"
    minutes = "minutes"
    procedural = "procedural"


class MajorityBase(StrEnum):
    cast_excluding_abstentions = "cast_excluding_abstentions"
    cast_including_abstentions = "cast_including_abstentions"
    present = "present"
    present_or_represented = "present_or_represented"
    all_members = "all_members"


class MeetingKind(StrEnum):
    ordinary = "ordinary"
    extraordinary = "extraordinary"
    written_procedure = "written_procedure"


class MeetingMode(StrEnum):
    in_person = "in_person"
    hybrid = "hybrid"
    remote = "remote"


class ItemStatus(StrEnum):
    pending = "pending"
    open = "open"
    closed = "closed"
    postponed = "postponed"
    withdrawn = "withdrawn"


class MotionStatus(StrEnum):
    proposed = "proposed"
    seconded = "seconded"
    debate = "debate"
    voting = "voting"
    adopted = "adopted"
    rejected = "rejected"
    withdrawn = "withdrawn"
    postponed = "postponed"
    referred = "referred"


class ItemKind(StrEnum):
    information = "information"
    discussion = "discussion"
    decision = "decision"
    election = "election"


class MeetingStatus(StrEnum):
    draft = "draft"
    convened = "convened"
    open = "open"
    suspended = "suspended"
    closed = "closed"


# Keyed by enum class first: values repeat across vocabularies ("ordinary", "present").
LABELS: dict[type[StrEnum], dict[str, LazyString]] = {
    Language: {
        "en": _l("English"),
        "fr": _l("French"),
        "es": _l("Spanish"),
    },
    BodyKind: {
        "general_assembly": _l("General Assembly"),
        "board": _l("Board of Directors"),
        "executive_committee": _l("Executive Committee"),
        "committee": _l("Committee"),
        "network": _l("Network"),
    },
    MemberCategory: {
        "active": _l("Active member"),
        "associate": _l("Associate member"),
        "honorary": _l("Honorary member"),
        "founding": _l("Founding member"),
    },
    Region: {
        "africa": _l("Africa"),
        "asia_pacific": _l("Asia-Pacific"),
        "europe": _l("Europe"),
        "latin_america": _l("Latin America and the Caribbean"),
        "north_america": _l("North America"),
        "middle_east": _l("Middle East and West Asia"),
    },
    MandateRole: {
        "principal": _l("Principal"),
        "delegate": _l("Delegate"),
        "substitute": _l("Substitute"),
    },
    Office: {
        "president": _l("President"),
        "co_president": _l("Co-President"),
        "vice_president": _l("Vice-President"),
        "treasurer": _l("Treasurer"),
        "secretary_general": _l("Secretary General"),
        "member": _l("Member"),
        "observer": _l("Observer"),
    },
    QuorumCounts: {
        "present": _l("members present"),
        "present_or_represented": _l("members present or represented"),
    },
    QuorumOf: {
        "voting_members": _l("of the members entitled to vote"),
        "all_members": _l("of all members"),
    },
    TieRule: {
        "fails": _l("A tied motion fails"),
        "chair_prevails": _l("The chair's vote prevails (never in a secret ballot)"),
        "casting_vote": _l("A casting vote by an office"),
        "new_round": _l("A new round is held"),
        "lot": _l("Decided by lot"),
    },
    ElectionMethod: {
        "absolute_then_relative": _l("Absolute majority, then relative majority"),
        "repeat_all": _l("Repeat rounds with all candidates"),
        "drop_last": _l("Drop the last candidate each round"),
        "runoff_top_two": _l("Run-off between the top two"),
    },
    DecisionType: {
        "ordinary": _l("Ordinary decision"),
        "budget": _l("Budget and accounts"),
        "statutes": _l("Amendment of the statutes"),
        "election": _l("Election"),
        "admission": _l("Admission of members"),
        "exclusion": _l("Exclusion of members"),
        "dissolution": _l("Dissolution"),
        "agenda": _l("Adoption of the agenda"),
        "minutes": _l("Approval of minutes"),
        "procedural": _l("Procedural motion"),
    },
    MajorityBase: {
        "cast_excluding_abstentions": _l("of votes cast, abstentions excluded"),
        "cast_including_abstentions": _l("of votes cast, abstentions included"),
        "present": _l("of members present"),
        "present_or_represented": _l("of members present or represented"),
        "all_members": _l("of all members entitled to vote"),
    },
    MeetingKind: {
        "ordinary": _l("Ordinary meeting"),
        "extraordinary": _l("Extraordinary meeting"),
        "written_procedure": _l("Written procedure"),
    },
    MeetingMode: {
        "in_person": _l("In person"),
        "hybrid": _l("Hybrid"),
        "remote": _l("Remote"),
    },
    ItemStatus: {
        "pending": _l("Pending"),
        "open": _l("Under discussion"),
        "closed": _l("Closed"),
        "postponed": _l("Postponed"),
        "withdrawn": _l("Withdrawn"),
    },
    MotionStatus: {
        "proposed": _l("Proposed"),
        "seconded": _l("Seconded"),
        "debate": _l("In debate"),
        "voting": _l("Voting"),
        "adopted": _l("Adopted"),
        "rejected": _l("Rejected"),
        "withdrawn": _l("Withdrawn"),
        "postponed": _l("Postponed"),
        "referred": _l("Referred"),
    },
    ItemKind: {
        "information": _l("Information"),
        "discussion": _l("Discussion"),
        "decision": _l("Decision"),
        "election": _l("Election"),
    },
    MeetingStatus: {
        "draft": _l("Draft"),
        "convened": _l("Convened"),
        "open": _l("Open"),
        "suspended": _l("Suspended"),
        "closed": _l("Closed"),
    },
}


def label(value: StrEnum | None) -> str:
    """The translated label of a vocabulary value (in the request's language)."""
    if value is None:
        return ""
    found = LABELS.get(type(value), {}).get(value.value)
    return str(found) if found is not None else value.value


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, translated label) pairs for a select box."""
    return [(member.value, label(member)) for member in enum]
