"""The statutes a meeting runs under, as one typed, frozen value.

A rule-set row is decoded once, by ``Statutes.from_row``, when a meeting's surroundings are
loaded: every reader then asks ``context.statutes.tie_rule`` (a ``TieRule``), never the
row by the string key ``"tie_rule"`` (which a typo turns into ``None``). A new clause is one
field here, and the type checker lists its readers. The raw row stays where a form edits it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from governance.vocabulary import (
    ElectionMethod,
    Language,
    MemberCategory,
    Office,
    QuorumCounts,
    QuorumOf,
    TieRule,
)


def _listed(value: object) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(value or "").split(",") if part.strip())


@dataclass(frozen=True)
class Statutes:
    """One version of a body's rule set; every clause cites its article."""

    id: int
    version: int
    title: str

    notice_days: int
    notice_article: str

    voting_categories: tuple[MemberCategory, ...]
    voting_categories_article: str

    # Quorum: a fraction (exact) of voting or all members, counting present (or represented) ones.
    quorum_counts: QuorumCounts
    quorum_of: QuorumOf
    quorum: Fraction
    quorum_minimum: int
    quorum_strict: bool  # "more than" the fraction rather than "at least"
    quorum_article: str
    second_call: Fraction
    second_call_minimum: int
    second_call_article: str

    tie_rule: TieRule
    casting_vote_office: Office | None
    tie_article: str

    proxies_allowed: bool
    proxy_max_per_holder: int
    proxy_holder_must_be_member: bool
    proxy_article: str

    remote_allowed: bool
    remote_article: str

    written_procedure_allowed: bool
    written_procedure_article: str

    secret_ballot_for_elections: bool
    secret_ballot_for_personal_matters: bool
    secret_ballot_on_request_of: int | None
    secret_ballot_article: str

    election_method: ElectionMethod
    election_uncontested_without_vote: bool
    election_article: str

    arrears_remove_vote: bool
    arrears_article: str

    minutes_signatories: tuple[Office, ...]
    minutes_article: str

    languages: tuple[Language, ...]
    authoritative_language: Language
    languages_article: str

    seconding_required: bool
    amendment_max_depth: int
    motions_article: str
    recused_count_for_quorum: bool
    recusal_article: str
    secretary_may_drive_agenda: bool
    agenda_article: str

    blank_ballots_distinct: bool
    ballots_changeable: bool
    weighted_votes: bool
    voting_article: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Statutes:
        """Decode a ``rule_set`` row (every column, as ``RuleSet.select()`` reads it)."""
        office = row["casting_vote_office"]
        request = row["secret_ballot_on_request_of"]
        return cls(
            id=int(row["id"]),
            version=int(row["version"]),
            title=str(row["title"]),
            notice_days=int(row["notice_days"]),
            notice_article=str(row["notice_article"]),
            voting_categories=tuple(MemberCategory(v) for v in _listed(row["voting_categories"])),
            voting_categories_article=str(row["voting_categories_article"]),
            quorum_counts=QuorumCounts(row["quorum_counts"]),
            quorum_of=QuorumOf(row["quorum_of"]),
            quorum=Fraction(int(row["quorum_numerator"]), int(row["quorum_denominator"])),
            quorum_minimum=int(row["quorum_minimum"]),
            quorum_strict=bool(row["quorum_strict"]),
            quorum_article=str(row["quorum_article"]),
            second_call=Fraction(int(row["second_call_numerator"]), int(row["second_call_denominator"])),
            second_call_minimum=int(row["second_call_minimum"]),
            second_call_article=str(row["second_call_article"]),
            tie_rule=TieRule(row["tie_rule"]),
            casting_vote_office=Office(office) if office else None,
            tie_article=str(row["tie_article"]),
            proxies_allowed=bool(row["proxies_allowed"]),
            proxy_max_per_holder=int(row["proxy_max_per_holder"]),
            proxy_holder_must_be_member=bool(row["proxy_holder_must_be_member"]),
            proxy_article=str(row["proxy_article"]),
            remote_allowed=bool(row["remote_allowed"]),
            remote_article=str(row["remote_article"]),
            written_procedure_allowed=bool(row["written_procedure_allowed"]),
            written_procedure_article=str(row["written_procedure_article"]),
            secret_ballot_for_elections=bool(row["secret_ballot_for_elections"]),
            secret_ballot_for_personal_matters=bool(row["secret_ballot_for_personal_matters"]),
            secret_ballot_on_request_of=int(request) if request is not None else None,
            secret_ballot_article=str(row["secret_ballot_article"]),
            election_method=ElectionMethod(row["election_method"]),
            election_uncontested_without_vote=bool(row["election_uncontested_without_vote"]),
            election_article=str(row["election_article"]),
            arrears_remove_vote=bool(row["arrears_remove_vote"]),
            arrears_article=str(row["arrears_article"]),
            minutes_signatories=tuple(Office(v) for v in _listed(row["minutes_signatories"])),
            minutes_article=str(row["minutes_article"]),
            languages=tuple(Language(v) for v in _listed(row["languages"])),
            authoritative_language=Language(row["authoritative_language"]),
            languages_article=str(row["languages_article"]),
            seconding_required=bool(row["seconding_required"]),
            amendment_max_depth=int(row["amendment_max_depth"]),
            motions_article=str(row["motions_article"]),
            recused_count_for_quorum=bool(row["recused_count_for_quorum"]),
            recusal_article=str(row["recusal_article"]),
            secretary_may_drive_agenda=bool(row["secretary_may_drive_agenda"]),
            agenda_article=str(row["agenda_article"]),
            blank_ballots_distinct=bool(row["blank_ballots_distinct"]),
            ballots_changeable=bool(row["ballots_changeable"]),
            weighted_votes=bool(row["weighted_votes"]),
            voting_article=str(row["voting_article"]),
        )

    def quorum_fraction(self, convocation: int) -> Fraction:
        return self.second_call if convocation == 2 else self.quorum

    def quorum_minimum_for(self, convocation: int) -> int:
        return self.second_call_minimum if convocation == 2 else self.quorum_minimum

    def quorum_article_for(self, convocation: int) -> str:
        return self.second_call_article if convocation == 2 else self.quorum_article
