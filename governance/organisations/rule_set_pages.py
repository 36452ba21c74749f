"""Back-office pages of a body's rule set versions and their majority rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from litestar import Controller, Response, get, post
from litestar.response import Redirect, Template

from governance.formspec import FIELD_LABELS, Fieldset, fieldsets
from governance.i18n import gettext as _
from governance.i18n import lazy_gettext as _l
from governance.organisations import services
from governance.organisations.backoffice import (
    Form,
    FormPage,
    FormState,
    Req,
    Row,
    adjust,
    body_crumbs,
    body_url,
    defaults,
    deferred,
    initial,
    rule_set_url,
    submit,
)
from governance.organisations.guards import organisation_of, secretariat
from governance.organisations.model import RuleSetRef
from governance.organisations.schemas import MajorityRuleIn, RuleSetIn
from governance.vocabulary import DecisionType, MajorityBase, label

RULE_SET_GROUPS: list[tuple[Any, list[str]]] = [
    (_l("Version and dates"), ["version", "title", "effective_from", "effective_to"]),
    (_l("Notice"), ["notice_days", "notice_article"]),
    (_l("Who votes"), ["voting_categories", "voting_categories_article"]),
    (
        _l("Quorum"),
        [
            "quorum_counts",
            "quorum_of",
            "quorum_numerator",
            "quorum_denominator",
            "quorum_minimum",
            "quorum_strict",
            "quorum_article",
        ],
    ),
    (
        _l("Second convocation"),
        ["second_call_numerator", "second_call_denominator", "second_call_minimum", "second_call_article"],
    ),
    # How abstentions count is the base of each decision type's majority rule (below).
    (_l("Ties"), ["tie_rule", "casting_vote_office", "tie_article"]),
    (_l("Proxies"), ["proxies_allowed", "proxy_max_per_holder", "proxy_holder_must_be_member", "proxy_article"]),
    (
        _l("Remote participation and written procedure"),
        ["remote_allowed", "remote_article", "written_procedure_allowed", "written_procedure_article"],
    ),
    (
        _l("Secret ballot"),
        [
            "secret_ballot_for_elections",
            "secret_ballot_for_personal_matters",
            "secret_ballot_on_request_of",
            "secret_ballot_article",
        ],
    ),
    (_l("Elections"), ["election_method", "election_uncontested_without_vote", "election_article"]),
    (_l("Fee arrears"), ["arrears_remove_vote", "arrears_article"]),
    (_l("Minutes"), ["minutes_signatories", "minutes_article"]),
    (_l("Languages"), ["languages", "authoritative_language", "languages_article"]),
    (_l("Motions"), ["seconding_required", "amendment_max_depth", "motions_article"]),
    (_l("Recusal"), ["recused_count_for_quorum", "recusal_article"]),
    (_l("Agenda"), ["secretary_may_drive_agenda", "agenda_article"]),
    (_l("Voting"), ["blank_ballots_distinct", "ballots_changeable", "weighted_votes", "voting_article"]),
]


def rule_set_fieldsets() -> list[Fieldset]:
    """The long rule set form, grouped, each clause next to the article it comes from."""
    return [
        dataclasses.replace(
            fs,
            fields=[
                dataclasses.replace(spec, label=FIELD_LABELS["article"]) if spec.name.endswith("_article") else spec
                for spec in fs.fields
            ],
        )
        for fs in fieldsets(RuleSetIn, groups=RULE_SET_GROUPS)
    ]


def majority_in_words(rule: Mapping[str, Any]) -> str:
    """E.g. "more than 1/2 of votes cast, abstentions excluded (Art. 12)"."""
    fraction = f"{rule['threshold_numerator']}/{rule['threshold_denominator']}"
    base = label(MajorityBase(rule["base"]))
    template = _("more than {fraction} {base}") if rule["strict"] else _("at least {fraction} {base}")
    return template.format(fraction=fraction, base=base) + f" ({rule['article']})"


def _latest(versions: list[Row]) -> int | None:
    """The newest version number of a body's rule sets (listed newest first), if any."""
    return RuleSetRef.from_row(versions[0]).version if versions else None


async def _rule_set_page(org: Row, body: Row, rule_set: Row, majority_form: FormState | None = None) -> FormPage:
    """One rule set version: its form, then the majority rules (with their own small form)."""
    version = RuleSetRef.from_row(rule_set)
    url = rule_set_url(org, body, version.version)
    majority_form = majority_form or FormState(defaults(MajorityRuleIn))
    rows = await services.list_majorities(rule_set)
    majorities = [
        {**row, "decision_label": label(DecisionType(row["decision_type"])), "in_words": majority_in_words(row)}
        for row in rows
    ]
    return FormPage(
        title=_("Rule set version {version}: {title}").format(version=version.version, title=version.title),
        intro=_(
            "Once a meeting governed by this version has been convened, the version can no longer be changed: "
            "create a new version instead."
        ),
        action=url,
        fieldsets=rule_set_fieldsets(),
        crumbs=body_crumbs(org, body),
        cancel=body_url(org, body),
        links=[(f"{body_url(org, body)}/rule-sets/new?copy={version.version}", _("New version from this one"))],
        template="organisations/rule_set.html",
        context={
            "rule_set_url": url,
            "majorities": majorities,
            "majority_fieldsets": adjust(fieldsets(MajorityRuleIn), "strict", help=""),
            "majority_form": majority_form,
        },
    )


class RuleSetPages(Controller):
    """A body's rule set versions, each with its majority rules."""

    path = "/organisations/{org:str}/bodies"
    include_in_schema = False
    guards = [secretariat]

    # rule sets

    def _rule_set_form(self, org: Row, body: Row, latest: int | None) -> FormPage:
        links = []
        if latest is not None:
            links.append(
                (
                    f"{body_url(org, body)}/rule-sets/new?copy={latest}",
                    _("Start from version {version} (copy its values)").format(version=latest),
                )
            )
        return FormPage(
            title=_("New rule set version"),
            intro=_("Every clause cites the article of the statutes it comes from."),
            action=f"{body_url(org, body)}/rule-sets/new",
            fieldsets=rule_set_fieldsets(),
            crumbs=body_crumbs(org, body),
            cancel=body_url(org, body),
            submit_label=_("Create the version"),
            links=links,
        )

    @get("/{body_slug:str}/rule-sets/new")
    async def new_rule_set_form(self, request: Req, body_slug: str, copy: int | None = None) -> Template:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        versions = await services.list_rule_sets(body)
        latest = _latest(versions)
        if copy is not None:
            values = initial(RuleSetIn, await services.get_rule_set(body, copy))
        else:
            values = defaults(RuleSetIn)
        values["version"] = str((latest or 0) + 1)
        return self._rule_set_form(org, body, latest).show(values)

    @post("/{body_slug:str}/rule-sets/new")
    async def create_rule_set(self, request: Req, body_slug: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        versions = await services.list_rule_sets(body)
        return await submit(
            data,
            RuleSetIn,
            lambda form: services.create_rule_set(body, form),
            then=lambda row: rule_set_url(org, body, RuleSetRef.from_row(row).version),
            render=self._rule_set_form(org, body, _latest(versions)),
        )

    @get("/{body_slug:str}/rule-sets/{version:int}")
    async def rule_set_page(self, request: Req, body_slug: str, version: int) -> Template:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        rule_set = await services.get_rule_set(body, version)
        return (await _rule_set_page(org, body, rule_set)).show(initial(RuleSetIn, rule_set))

    @post("/{body_slug:str}/rule-sets/{version:int}")
    async def update_rule_set(self, request: Req, body_slug: str, version: int, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        rule_set = await services.get_rule_set(body, version)
        return await submit(
            data,
            RuleSetIn,
            lambda form: services.update_rule_set(rule_set, form),
            then=lambda row: rule_set_url(org, body, RuleSetRef.from_row(row).version),
            render=deferred(lambda: _rule_set_page(org, body, rule_set)),
        )

    @post("/{body_slug:str}/rule-sets/{version:int}/majorities")
    async def set_majority(self, request: Req, body_slug: str, version: int, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        rule_set = await services.get_rule_set(body, version)

        async def render(state: FormState) -> Template:
            form_page = await _rule_set_page(org, body, rule_set, majority_form=state)
            return form_page.render(FormState(initial(RuleSetIn, rule_set), status_code=state.status_code))

        return await submit(
            data,
            MajorityRuleIn,
            lambda form: services.set_majority(rule_set, form),
            then=rule_set_url(org, body, version),
            render=render,
        )

    @post("/{body_slug:str}/rule-sets/{version:int}/majorities/{decision_type:str}/delete")
    async def delete_majority(self, request: Req, body_slug: str, version: int, decision_type: str) -> Redirect:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        await services.delete_majority(await services.get_rule_set(body, version), decision_type)
        return Redirect(rule_set_url(org, body, version), status_code=303)
