"""Cross-field rules for rule sets, majorities and mandates, as plain functions.

Each returns ``{field: sentence}`` for what is wrong (empty when all is well), so the
same rule serves the API (422 with ``errors``) and the forms (inline messages).
"""

from __future__ import annotations

from enum import StrEnum

from governance.i18n import gettext as _
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


def normalised_rule_set(data: RuleSetIn) -> dict[str, object]:
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
