"""Input and output models for organisations, bodies, rule sets, members and mandates."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from governance.schemas import Article, Count, Email, Name, OptionalName, Slug
from governance.vocabulary import (
    BodyKind,
    DecisionType,
    ElectionMethod,
    Language,
    MajorityBase,
    MandateRole,
    MemberCategory,
    Office,
    QuorumCounts,
    QuorumOf,
    Region,
    TieRule,
)


class OrganisationIn(BaseModel):
    slug: Slug
    short_name: Name = Field(max_length=40)
    name_en: Name
    name_fr: OptionalName = ""
    name_es: OptionalName = ""
    authoritative_language: Language = Language.en


class OrganisationOut(OrganisationIn):
    id: int


class BodyIn(BaseModel):
    slug: Slug
    kind: BodyKind
    name_en: Name
    name_fr: OptionalName = ""
    name_es: OptionalName = ""
    decision_prefix: Name = Field(max_length=12, description='Prefix of decision numbers, e.g. "BoD"')


class BodyOut(BodyIn):
    id: int


class RuleSetIn(BaseModel):
    """One version of a body's rules. Every clause cites the statute article it comes from."""

    version: int = Field(ge=1, le=10_000)
    title: Name
    effective_from: dt.date
    effective_to: dt.date | None = None

    notice_days: Count = 15
    notice_article: Article

    voting_categories: str = Field(default="active,founding", description="Comma-separated member categories")
    voting_categories_article: Article

    quorum_counts: QuorumCounts = QuorumCounts.present_or_represented
    quorum_of: QuorumOf = QuorumOf.voting_members
    quorum_numerator: Count = 1
    quorum_denominator: int = Field(default=2, ge=1, le=1000)
    quorum_minimum: Count = 0
    quorum_strict: bool = False
    quorum_article: Article
    second_call_numerator: Count = 0
    second_call_denominator: int = Field(default=1, ge=1, le=1000)
    second_call_minimum: Count = 0
    second_call_article: Article

    tie_rule: TieRule = TieRule.fails
    casting_vote_office: Office | None = None
    tie_article: Article

    proxies_allowed: bool = True
    proxy_max_per_holder: Count = 1
    proxy_holder_must_be_member: bool = True
    proxy_article: Article

    remote_allowed: bool = False
    remote_article: Article

    written_procedure_allowed: bool = False
    written_procedure_article: Article

    secret_ballot_for_elections: bool = True
    secret_ballot_for_personal_matters: bool = True
    secret_ballot_on_request_of: int | None = Field(default=None, ge=1, le=100_000)
    secret_ballot_article: Article

    election_method: ElectionMethod = ElectionMethod.absolute_then_relative
    election_uncontested_without_vote: bool = True
    election_article: Article

    arrears_remove_vote: bool = True
    arrears_article: Article

    minutes_signatories: str = Field(default="president,secretary_general", description="Comma-separated offices")
    minutes_article: Article

    languages: str = Field(default="en,fr,es", description="Comma-separated language codes")
    authoritative_language: Language = Language.en
    languages_article: Article

    seconding_required: bool = True
    amendment_max_depth: int = Field(default=1, ge=0, le=5)
    motions_article: Article = "(demo)"
    recused_count_for_quorum: bool = True
    recusal_article: Article = "(demo)"
    secretary_may_drive_agenda: bool = False
    agenda_article: Article = "(demo)"
    # Voting
    blank_ballots_distinct: bool = False
    ballots_changeable: bool = False
    weighted_votes: bool = False
    voting_article: Article = "(demo)"


class RuleSetOut(RuleSetIn):
    id: int
    body: int


class MajorityRuleIn(BaseModel):
    decision_type: DecisionType
    threshold_numerator: int = Field(ge=1, le=1000)
    threshold_denominator: int = Field(ge=1, le=1000)
    strict: bool = Field(description='True: "more than" the fraction; False: "at least" the fraction')
    base: MajorityBase
    article: Article


class MajorityRuleOut(MajorityRuleIn):
    id: int


class MemberIn(BaseModel):
    slug: Slug
    name: Name
    country: OptionalName = ""
    region: Region
    category: MemberCategory = MemberCategory.active
    vote_weight: int = Field(default=1, ge=1, le=1000, description="Votes it carries where the statutes weigh votes")


class MemberOut(MemberIn):
    id: int
    fees: dict[int, bool] = Field(default_factory=dict, description="Fee paid, per year")


class FeeIn(BaseModel):
    year: int = Field(ge=1900, le=2200)
    paid: bool


class SeatIn(BaseModel):
    member: Slug = Field(description="The member's short code")


class SeatOut(BaseModel):
    id: int
    member: str
    member_name: str


class MandateIn(BaseModel):
    person_email: Email
    member: Slug = Field(description="The member's short code")
    role: MandateRole = MandateRole.principal
    office: Office = Office.member
    acting_office: Office | None = None


class MandateOut(BaseModel):
    id: int
    person: int
    person_email: str
    person_name: str
    member: str
    member_name: str
    role: MandateRole
    office: Office
    acting_office: Office | None


class StaffIn(BaseModel):
    person_email: Email


class StaffOut(BaseModel):
    person: int
    person_email: str
    person_name: str


class ImportReport(BaseModel):
    created: int
    updated: int
    seated: int
