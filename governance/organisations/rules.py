"""Rules for rule sets, majorities, mandates and fees, as plain functions.

The cross-field checks return ``{field: sentence}`` for what is wrong (empty when all is
well), so the same rule serves the API (422 with ``errors``) and the forms (inline messages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from governance.i18n import gettext as _
from governance.organisations.model import RuleSetRef
from governance.organisations.schemas import MajorityRuleIn, MandateIn, RuleSetIn
from governance.vocabulary import Language, MemberCategory, Office, TieRule


def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _unknown(values: list[str], allowed: type[StrEnum]) -> list[str]:
    known = {member.value for member in allowed}
    return [value for value in values if value not in known]


def rule_set_problems(data: RuleSetIn) -> dict[str, str]:
    problems: dict[str, str] = {}
    if data.effective_to is not None and data.effective_to <= data.effective_from:
        problems["effective_to"] = _("The end date must come after the start date.")
    if data.quorum_numerator > data.quorum_denominator:
        problems["quorum_numerator"] = _("A quorum cannot exceed the whole (numerator above denominator).")
    if data.second_call_numerator > data.second_call_denominator:
        problems["second_call_numerator"] = _("A quorum cannot exceed the whole (numerator above denominator).")
    if (data.tie_rule == TieRule.casting_vote) != (data.casting_vote_office is not None):
        problems["casting_vote_office"] = _(
            "Name the office that casts the deciding vote when, and only when, the tie rule is a casting vote."
        )
    for field, enum in (
        ("voting_categories", MemberCategory),
        ("minutes_signatories", Office),
        ("languages", Language),
    ):
        values = split_list(getattr(data, field))
        unknown = _unknown(values, enum)
        if not values:
            problems[field] = _("List at least one value, separated by commas.")
        elif unknown:
            problems[field] = _("Not recognised: {values}. Allowed: {allowed}.").format(
                values=", ".join(unknown), allowed=", ".join(m.value for m in enum)
            )
    if "languages" not in problems and data.authoritative_language.value not in split_list(data.languages):
        problems["authoritative_language"] = _("The authoritative language must be one of the languages.")
    return problems


def normalised_rule_set(data: RuleSetIn) -> dict[str, Any]:
    """Column values for a valid rule set (lists stored comma-separated, no spaces)."""
    values = data.model_dump(mode="python")
    for field in ("voting_categories", "minutes_signatories", "languages"):
        values[field] = ",".join(split_list(values[field]))
    return values


def majority_problems(data: MajorityRuleIn) -> dict[str, str]:
    if data.threshold_numerator > data.threshold_denominator:
        return {"threshold_numerator": _("A majority cannot exceed the whole (numerator above denominator).")}
    return {}


def mandate_problems(data: MandateIn) -> dict[str, str]:
    if data.acting_office is None:
        return {}
    if data.acting_office != Office.president or data.office not in (Office.co_president, Office.vice_president):
        return {"acting_office": _("Only a Co-President or a Vice-President can act as President.")}
    return {}


def in_force(version: RuleSetRef, on: dt.date) -> bool:
    """A rule set version governs the days from its start up to, not including, its end."""
    return version.effective_from <= on and (version.effective_to is None or version.effective_to > on)


def fees_by_member(fees: Iterable[Mapping[str, Any]]) -> dict[int, dict[int, bool]]:
    """``{member id: {year: paid}}``, the years in order, from ``member_fee`` rows."""
    by_member: dict[int, dict[int, bool]] = {}
    for fee in fees:
        by_member.setdefault(int(fee["member"]), {})[int(fee["year"])] = bool(fee["paid"])
    return {member: dict(sorted(years.items())) for member, years in by_member.items()}
