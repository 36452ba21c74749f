"""Form descriptions derived from the pydantic input models.

A page form is the input model rendered: the widget follows the field's type (enum ->
select, bool -> checkbox, date -> date picker...), the label comes from FIELD_LABELS
(translatable), and optional groups make fieldsets. One model, one set of rules, for
the API and the pages alike.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Union

from pydantic import BaseModel

from governance.i18n import lazy_gettext as _l
from governance.vocabulary import choices

FIELD_LABELS: dict[str, Any] = {
    "slug": _l("Short code"),
    "short_name": _l("Short name"),
    "name": _l("Name"),
    "name_en": _l("Name (English)"),
    "name_fr": _l("Name (French)"),
    "name_es": _l("Name (Spanish)"),
    "title": _l("Title"),
    "title_en": _l("Title (English)"),
    "title_fr": _l("Title (French)"),
    "title_es": _l("Title (Spanish)"),
    "authoritative_language": _l("Authoritative language"),
    "kind": _l("Kind"),
    "decision_prefix": _l("Decision number prefix"),
    "version": _l("Version"),
    "effective_from": _l("In force from"),
    "effective_to": _l("In force until"),
    "notice_days": _l("Notice (days)"),
    "voting_categories": _l("Categories that vote"),
    "quorum_counts": _l("Who counts towards the quorum"),
    "quorum_of": _l("Quorum taken of"),
    "quorum_numerator": _l("Quorum fraction: numerator"),
    "quorum_denominator": _l("Quorum fraction: denominator"),
    "quorum_minimum": _l("Quorum: minimum number"),
    "quorum_strict": _l("Strictly more than the quorum fraction"),
    "second_call_numerator": _l("Second convocation: numerator"),
    "second_call_denominator": _l("Second convocation: denominator"),
    "second_call_minimum": _l("Second convocation: minimum number"),
    "tie_rule": _l("Tie rule"),
    "casting_vote_office": _l("Office with the casting vote"),
    "proxies_allowed": _l("Proxies allowed"),
    "proxy_max_per_holder": _l("Proxies per holder (maximum)"),
    "proxy_holder_must_be_member": _l("Proxy holder must represent a member"),
    "remote_allowed": _l("Remote participation allowed"),
    "written_procedure_allowed": _l("Written procedure allowed"),
    "secret_ballot_for_elections": _l("Secret ballot for elections"),
    "secret_ballot_for_personal_matters": _l("Secret ballot for personal matters"),
    "secret_ballot_on_request_of": _l("Secret ballot on request of (members)"),
    "election_method": _l("Election method"),
    "election_uncontested_without_vote": _l("Uncontested elections without a vote"),
    "arrears_remove_vote": _l("Fee arrears remove the vote"),
    "minutes_signatories": _l("Minutes signed by (offices)"),
    "languages": _l("Languages"),
    "seconding_required": _l("Motions need a seconder"),
    "amendment_max_depth": _l("Amendments to amendments allowed (depth)"),
    "recused_count_for_quorum": _l("Recused members still count for the quorum"),
    "secretary_may_drive_agenda": _l("The secretary may drive the agenda"),
    "blank_ballots_distinct": _l("Blank ballots are recorded apart from abstentions"),
    "ballots_changeable": _l("A ballot may be changed until the vote closes"),
    "weighted_votes": _l("Members' votes are weighted"),
    "vote_weight": _l("Votes carried (where votes are weighted)"),
    "decision_type": _l("Decision type"),
    "threshold_numerator": _l("Threshold: numerator"),
    "threshold_denominator": _l("Threshold: denominator"),
    "strict": _l("Strictly more than the fraction"),
    "base": _l("Base"),
    "article": _l("Statute article"),
    "country": _l("Country"),
    "region": _l("Region"),
    "category": _l("Category"),
    "year": _l("Year"),
    "paid": _l("Paid"),
    "member": _l("Member (short code)"),
    "person_email": _l("Person (e-mail)"),
    "role": _l("Role"),
    "office": _l("Office"),
    "acting_office": _l("Acting as"),
    "email": _l("E-mail"),
    "full_name": _l("Full name"),
    "language": _l("Language"),
    "is_active": _l("Active account"),
    "password": _l("New password (10 characters or more)"),
    "city": _l("City"),
    "starts_on": _l("First day"),
    "ends_on": _l("Last day"),
    "time_zone": _l("Time zone"),
    "event": _l("Event (short code)"),
    "body": _l("Body (short code)"),
    "mode": _l("Mode"),
    "venue": _l("Venue"),
    "starts_at": _l("Starts at (local time)"),
    "ends_at": _l("Ends at (local time)"),
    "convocation": _l("Convocation"),
    "self_check_in": _l("Members may check themselves in"),
    "secretary_email": _l("Meeting secretary (e-mail)"),
}


# Help shown under a field (translatable; pydantic descriptions are for the API docs).
FIELD_HELP: dict[str, Any] = {
    "slug": _l("Lower-case letters, digits and hyphens; used in addresses, e.g. paris-idf."),
    "decision_prefix": _l('Decision numbers look like BoD-2012-07: this is the "BoD".'),
    "voting_categories": _l("Member categories, separated by commas: active, associate, honorary, founding."),
    "minutes_signatories": _l("Offices, separated by commas, e.g. president, secretary_general."),
    "languages": _l("Language codes, separated by commas: en, fr, es."),
    "strict": _l('Ticked: "more than" the fraction (a simple majority). Unticked: "at least" (two thirds).'),
    "secret_ballot_on_request_of": _l("Leave empty when members cannot ask for a secret ballot."),
    "starts_at": _l("Local time where the meeting takes place."),
    "member": _l("The member's short code, e.g. guangzhou."),
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Any
    widget: str  # text | email | password | number | date | datetime-local | checkbox | select
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    help: Any = ""


@dataclass(frozen=True)
class Fieldset:
    legend: Any
    fields: list[FieldSpec]


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(inner type, optional?) for ``X | None``."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), True
    return annotation, False


def field_spec(model: type[BaseModel], name: str) -> FieldSpec:
    info = model.model_fields[name]
    inner, optional = _unwrap(info.annotation)
    required = info.is_required()
    spec_choices: list[tuple[str, str]] = []
    if inner is bool:
        widget = "checkbox"
    elif isinstance(inner, type) and issubclass(inner, StrEnum):
        widget = "select"
        spec_choices = ([("", "—")] if optional else []) + choices(inner)
    elif inner is int:
        widget = "number"
    elif inner is dt.date:
        widget = "date"
    elif inner is dt.datetime:
        widget = "datetime-local"
    elif name == "password":
        widget = "password"
    elif "email" in name:
        widget = "email"
    else:
        widget = "text"
    label = FIELD_LABELS.get(name) or (FIELD_LABELS["article"] if name.endswith("_article") else None)
    return FieldSpec(
        name=name,
        label=label or name.replace("_", " ").capitalize(),
        widget=widget,
        required=required,
        choices=spec_choices,
        help=FIELD_HELP.get(name, ""),
    )


def fieldsets(
    model: type[BaseModel],
    groups: list[tuple[Any, list[str]]] | None = None,
    exclude: tuple[str, ...] = (),
) -> list[Fieldset]:
    if groups is None:
        names = [n for n in model.model_fields if n not in exclude]
        return [Fieldset(legend="", fields=[field_spec(model, n) for n in names])]
    return [Fieldset(legend=legend, fields=[field_spec(model, n) for n in names]) for legend, names in groups]


def form_values(row: dict[str, Any] | None) -> dict[str, str]:
    """A stored row as the strings a form shows."""
    values: dict[str, str] = {}
    for key, value in (row or {}).items():
        if value is None:
            values[key] = ""
        elif isinstance(value, bool):
            values[key] = "on" if value else ""
        elif isinstance(value, dt.datetime):
            values[key] = value.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, StrEnum):
            values[key] = value.value
        else:
            values[key] = str(value)
    return values
