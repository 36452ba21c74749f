"""The secretariat's back office as pages: ``/organisations/...``.

Server-rendered forms over the same services as the JSON API (``organisations/api.py``
and ``MeetingAdminApi``): never a rule of their own. Every handler is thin: GET shows;
POST parses the form, calls one service, then redirects (303) or re-renders the form
with the status, the message, each field's error and everything that was typed
(:func:`submit`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from governance import i18n
from governance.accounts import links
from governance.accounts.guards import platform_admin, principal_of, signed_in
from governance.accounts.schemas import PersonIn
from governance.errors import Invalid
from governance.forms import as_domain_error, parse_form
from governance.formspec import FIELD_LABELS, Fieldset, fieldsets, form_values
from governance.i18n import gettext as _
from governance.i18n import lazy_gettext as _l
from governance.meetings import services as meetings
from governance.meetings.schemas import EventIn, MeetingIn
from governance.organisations import services
from governance.organisations.guards import organisation_of, secretariat
from governance.organisations.schemas import (
    BodyIn,
    FeeIn,
    MajorityRuleIn,
    MandateIn,
    MemberIn,
    OrganisationIn,
    RuleSetIn,
    SeatIn,
    StaffIn,
)
from governance.vocabulary import DecisionType, MajorityBase, label
from governance.web import page

Req = Request[Any, Any, Any]
Row = dict[str, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
Crumbs = list[tuple[str, str]]

NEVER_ECHOED = frozenset({"password", "_csrf_token"})

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

MEETING_GROUPS: list[tuple[Any, list[str]]] = [
    (_l("Meeting"), ["slug", "body", "event", "title_en", "title_fr", "title_es", "kind", "convocation"]),
    (_l("When and where"), ["mode", "venue", "time_zone", "starts_at", "ends_at"]),
    (_l("Running the meeting"), ["self_check_in", "secretary_email"]),
]


# --- forms: one helper for "validate, call the service, redirect or re-render" -----------


@dataclass
class FormState:
    """What a form shows: the values (as typed), each field's error, the message."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    status_code: int = 200


Render = Callable[[FormState], Awaitable[Template]]


def typed(data: Mapping[str, Any]) -> dict[str, str]:
    """What the user typed, to show again (never a password, never the CSRF token)."""
    return {k: v for k, v in data.items() if isinstance(v, str) and k not in NEVER_ECHOED}


async def submit(
    data: Mapping[str, Any],
    model: type[BaseModel] | None,
    action: Callable[[Any], Awaitable[Any]],
    *,
    then: str | Callable[[Any], str],
    render: Render,
) -> Response[Any]:
    """Validate ``data`` against ``model`` (if any), call ``action`` with the result, and
    redirect (303) to ``then``; on any user error re-render the form with its status,
    message, field errors and what was typed."""
    try:
        result = await action(parse_form(model, data) if model is not None else data)
    except Exception as exc:
        error = as_domain_error(exc)
        state = FormState(typed(data), error.fields, error.message, error.status_code)
        return await render(state)
    return Redirect(then(result) if callable(then) else then, status_code=303)


@dataclass
class FormPage:
    """A create or edit page (``organisations/form.html``: form_page.html with breadcrumbs)."""

    title: str
    action: str
    fieldsets: list[Fieldset]
    crumbs: Crumbs
    cancel: str | None = None
    intro: str = ""
    submit_label: str | None = None
    links: Crumbs = field(default_factory=list)
    template: str = "organisations/form.html"
    context: dict[str, Any] = field(default_factory=dict)

    def show(self, values: dict[str, str]) -> Template:
        return self.render(FormState(values))

    def render(self, state: FormState) -> Template:
        return page(
            self.template,
            status_code=state.status_code,
            title=self.title,
            intro=self.intro,
            action=self.action,
            fieldsets=self.fieldsets,
            values=state.values,
            errors=state.errors,
            message=state.message,
            submit_label=self.submit_label or _("Save"),
            cancel=self.cancel,
            crumbs=self.crumbs,
            links=self.links,
            **self.context,
        )

    async def __call__(self, state: FormState) -> Template:
        return self.render(state)


def deferred(make: Callable[[], Awaitable[FormPage]]) -> Render:
    """A form page whose context needs the database, built only if the form is shown again."""

    async def render(state: FormState) -> Template:
        return (await make()).render(state)

    return render


def initial(model: type[BaseModel], row: Row | None) -> dict[str, str]:
    """A stored row as form values, limited to the model's fields (never a password)."""
    return {k: v for k, v in form_values(row).items() if k in model.model_fields and k not in NEVER_ECHOED}


def defaults(model: type[BaseModel]) -> dict[str, str]:
    """The model's defaults as form values, to pre-fill a new form."""
    found = {
        name: info.default
        for name, info in model.model_fields.items()
        if info.default is not PydanticUndefined and info.default is not None
    }
    return form_values(found)


def adjust(sets: list[Fieldset], name: str, **changes: Any) -> list[Fieldset]:
    """The same fieldsets with one field's spec changed (its label, widget, choices...)."""
    return [
        dataclasses.replace(
            fs, fields=[dataclasses.replace(spec, **changes) if spec.name == name else spec for spec in fs.fields]
        )
        for fs in sets
    ]


def as_select(
    sets: list[Fieldset], name: str, label_text: str, options: list[tuple[str, str]], *, optional: bool
) -> list[Fieldset]:
    """Turn a free-text code field into a select of the codes that exist."""
    options = ([("", "—")] if optional else []) + options
    return adjust(sets, name, label=label_text, widget="select", choices=options, help="")


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


# --- addresses, names, breadcrumbs --------------------------------------------------------


def name_of(row: Mapping[str, Any], field_name: str = "name") -> str:
    language = i18n.current_language()
    return str(row.get(f"{field_name}_{language}") or row.get(f"{field_name}_en") or "")


def org_url(org: Row) -> str:
    return f"/organisations/{org['slug']}"


def body_url(org: Row, body: Row) -> str:
    return f"{org_url(org)}/bodies/{body['slug']}"


def rule_set_url(org: Row, body: Row, version: int) -> str:
    return f"{body_url(org, body)}/rule-sets/{version}"


def org_crumbs(org: Row | None = None) -> Crumbs:
    crumbs = [("/organisations", _("Back office"))]
    if org is not None:
        crumbs.append((org_url(org), org["short_name"]))
    return crumbs


def body_crumbs(org: Row, body: Row) -> Crumbs:
    return [*org_crumbs(org), (body_url(org, body), name_of(body))]


def majority_in_words(rule: Mapping[str, Any]) -> str:
    """E.g. "more than 1/2 of votes cast, abstentions excluded (Art. 12)"."""
    fraction = f"{rule['threshold_numerator']}/{rule['threshold_denominator']}"
    base = label(MajorityBase(rule["base"]))
    template = _("more than {fraction} {base}") if rule["strict"] else _("at least {fraction} {base}")
    return template.format(fraction=fraction, base=base) + f" ({rule['article']})"


# --- organisations --------------------------------------------------------------------------


def _organisation_form(org: Row | None) -> FormPage:
    if org is None:
        return FormPage(
            title=_("New organisation"),
            action="/organisations/new",
            fieldsets=fieldsets(OrganisationIn),
            crumbs=org_crumbs(),
            cancel="/organisations",
            submit_label=_("Create the organisation"),
        )
    return FormPage(
        title=_("Edit the organisation"),
        action=f"{org_url(org)}/edit",
        fieldsets=fieldsets(OrganisationIn),
        crumbs=org_crumbs(org),
        cancel=org_url(org),
    )


class OrganisationsPages(Controller):
    """The organisations I may manage; creating one (platform administrators)."""

    path = "/organisations"
    include_in_schema = False

    @get("/", guards=[signed_in])
    async def list_page(self, request: Req) -> Template:
        rows = await services.list_organisations(principal_of(request))
        return page("organisations/list.html", organisations=rows)

    @get("/new", guards=[platform_admin])
    async def new_form(self) -> Template:
        return _organisation_form(None).show(defaults(OrganisationIn))

    @post("/new", guards=[platform_admin])
    async def create(self, data: Form) -> Response[Any]:
        return await submit(
            data,
            OrganisationIn,
            services.create_organisation,
            then=org_url,
            render=_organisation_form(None),
        )


class OrganisationPages(Controller):
    """One organisation: overview, details, secretariat staff."""

    path = "/organisations/{org:str}"
    include_in_schema = False
    guards = [secretariat]

    @get("/")
    async def overview(self, request: Req) -> Template:
        org = organisation_of(request)
        return page(
            "organisations/overview.html",
            org=org,
            bodies=await services.list_bodies(org),
            member_count=len(await services.list_members(org)),
            people_count=len(await services.list_people(org)),
            events=await meetings.list_events(org),
            meeting_count=len(await meetings.list_meetings(org)),
            crumbs=org_crumbs(),
        )

    @get("/edit")
    async def edit_form(self, request: Req) -> Template:
        org = organisation_of(request)
        return _organisation_form(org).show(initial(OrganisationIn, org))

    @post("/edit")
    async def edit(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            OrganisationIn,
            lambda form: services.update_organisation(org, form),
            then=org_url,
            render=_organisation_form(org),
        )

    # secretariat staff

    async def _staff_page(self, request: Req, add_form: FormState | None = None) -> Template:
        org = organisation_of(request)
        add_form = add_form or FormState({})
        return page(
            "organisations/staff.html",
            status_code=add_form.status_code,
            org=org,
            staff=await services.list_staff(org),
            add_fieldsets=fieldsets(StaffIn),
            add_form=add_form,
            crumbs=org_crumbs(org),
        )

    @get("/staff")
    async def staff(self, request: Req) -> Template:
        return await self._staff_page(request)

    @post("/staff", guards=[platform_admin])
    async def add_staff(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            StaffIn,
            lambda form: services.add_staff(org, form.person_email),
            then=f"{org_url(org)}/staff",
            render=lambda state: self._staff_page(request, state),
        )

    @post("/staff/{person_id:int}/remove", guards=[platform_admin])
    async def remove_staff(self, request: Req, person_id: int) -> Redirect:
        org = organisation_of(request)
        await services.remove_staff(org, person_id)
        return Redirect(f"{org_url(org)}/staff", status_code=303)


# --- bodies, rule sets, majorities, seats, mandates -------------------------------------------


def _body_form(org: Row, body: Row | None) -> FormPage:
    if body is None:
        return FormPage(
            title=_("New body"),
            action=f"{org_url(org)}/bodies/new",
            fieldsets=fieldsets(BodyIn),
            crumbs=org_crumbs(org),
            cancel=org_url(org),
            submit_label=_("Create the body"),
        )
    return FormPage(
        title=_("Edit the body"),
        action=f"{body_url(org, body)}/edit",
        fieldsets=fieldsets(BodyIn),
        crumbs=body_crumbs(org, body),
        cancel=body_url(org, body),
    )


async def _rule_set_page(org: Row, body: Row, rule_set: Row, majority_form: FormState | None = None) -> FormPage:
    """One rule set version: its form, then the majority rules (with their own small form)."""
    url = rule_set_url(org, body, rule_set["version"])
    majority_form = majority_form or FormState(defaults(MajorityRuleIn))
    rows = await services.list_majorities(rule_set)
    majorities = [
        {**row, "decision_label": label(DecisionType(row["decision_type"])), "in_words": majority_in_words(row)}
        for row in rows
    ]
    return FormPage(
        title=_("Rule set version {version}: {title}").format(version=rule_set["version"], title=rule_set["title"]),
        intro=_(
            "Once a meeting governed by this version has been convened, the version can no longer be changed: "
            "create a new version instead."
        ),
        action=url,
        fieldsets=rule_set_fieldsets(),
        crumbs=body_crumbs(org, body),
        cancel=body_url(org, body),
        links=[(f"{body_url(org, body)}/rule-sets/new?copy={rule_set['version']}", _("New version from this one"))],
        template="organisations/rule_set.html",
        context={
            "rule_set_url": url,
            "majorities": majorities,
            "majority_fieldsets": adjust(fieldsets(MajorityRuleIn), "strict", help=""),
            "majority_form": majority_form,
        },
    )


async def _mandate_form(org: Row, body: Row, mandate_id: int | None) -> FormPage:
    seats = await services.list_seats(body)
    sets = as_select(
        fieldsets(MandateIn),
        "member",
        _("Member"),
        [(seat["member"], f"{seat['member_name']} ({seat['member']})") for seat in seats],
        optional=False,
    )
    intro = "" if seats else _("No member has a seat in this body yet: give members a seat first.")
    if mandate_id is None:
        return FormPage(
            title=_("New mandate"),
            intro=intro,
            action=f"{body_url(org, body)}/mandates/new",
            fieldsets=sets,
            crumbs=body_crumbs(org, body),
            cancel=body_url(org, body),
            submit_label=_("Create the mandate"),
        )
    return FormPage(
        title=_("Edit the mandate"),
        intro=intro,
        action=f"{body_url(org, body)}/mandates/{mandate_id}/edit",
        fieldsets=sets,
        crumbs=body_crumbs(org, body),
        cancel=body_url(org, body),
    )


class BodyPages(Controller):
    """An organisation's bodies, each with its rule set versions, seats and mandates."""

    path = "/organisations/{org:str}/bodies"
    include_in_schema = False
    guards = [secretariat]

    @get("/new")
    async def new_form(self, request: Req) -> Template:
        return _body_form(organisation_of(request), None).show(defaults(BodyIn))

    @post("/new")
    async def create(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            BodyIn,
            lambda form: services.create_body(org, form),
            then=lambda body: body_url(org, body),
            render=_body_form(org, None),
        )

    async def _body_page(self, org: Row, body: Row, seat_form: FormState | None = None) -> Template:
        seat_form = seat_form or FormState({})
        seats = await services.list_seats(body)
        seated = {seat["member"] for seat in seats}
        unseated = [
            (member["slug"], f"{member['name']} ({member['slug']})")
            for member in await services.list_members(org)
            if member["slug"] not in seated
        ]
        return page(
            "organisations/body.html",
            status_code=seat_form.status_code,
            org=org,
            body=body,
            rule_sets=await services.list_rule_sets(body),
            seats=seats,
            mandates=await services.list_mandates(body),
            seat_fieldsets=as_select(fieldsets(SeatIn), "member", _("Member"), unseated, optional=False),
            seat_form=seat_form,
            crumbs=org_crumbs(org),
        )

    @get("/{body_slug:str}")
    async def body_page(self, request: Req, body_slug: str) -> Template:
        org = organisation_of(request)
        return await self._body_page(org, await services.get_body(org, body_slug))

    @get("/{body_slug:str}/edit")
    async def edit_form(self, request: Req, body_slug: str) -> Template:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return _body_form(org, body).show(initial(BodyIn, body))

    @post("/{body_slug:str}/edit")
    async def edit(self, request: Req, body_slug: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return await submit(
            data,
            BodyIn,
            lambda form: services.update_body(body, form),
            then=lambda row: body_url(org, row),
            render=_body_form(org, body),
        )

    # seats

    @post("/{body_slug:str}/seats")
    async def add_seat(self, request: Req, body_slug: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return await submit(
            data,
            SeatIn,
            lambda form: services.add_seat(org, body, form.member),
            then=body_url(org, body),
            render=lambda state: self._body_page(org, body, state),
        )

    @post("/{body_slug:str}/seats/{member:str}/remove")
    async def remove_seat(self, request: Req, body_slug: str, member: str) -> Redirect:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        await services.remove_seat(org, body, member)
        return Redirect(body_url(org, body), status_code=303)

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
        latest = versions[0]["version"] if versions else None
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
            then=lambda row: rule_set_url(org, body, row["version"]),
            render=self._rule_set_form(org, body, versions[0]["version"] if versions else None),
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
            then=lambda row: rule_set_url(org, body, row["version"]),
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

    # mandates

    @get("/{body_slug:str}/mandates/new")
    async def new_mandate_form(self, request: Req, body_slug: str) -> Template:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return (await _mandate_form(org, body, None)).show(defaults(MandateIn))

    @post("/{body_slug:str}/mandates/new")
    async def create_mandate(self, request: Req, body_slug: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return await submit(
            data,
            MandateIn,
            lambda form: services.create_mandate(org, body, form),
            then=body_url(org, body),
            render=deferred(lambda: _mandate_form(org, body, None)),
        )

    @get("/{body_slug:str}/mandates/{mandate_id:int}/edit")
    async def edit_mandate_form(self, request: Req, body_slug: str, mandate_id: int) -> Template:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        mandate = await services.get_mandate(body, mandate_id)
        return (await _mandate_form(org, body, mandate_id)).show(initial(MandateIn, mandate))

    @post("/{body_slug:str}/mandates/{mandate_id:int}/edit")
    async def edit_mandate(self, request: Req, body_slug: str, mandate_id: int, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return await submit(
            data,
            MandateIn,
            lambda form: services.update_mandate(org, body, mandate_id, form),
            then=body_url(org, body),
            render=deferred(lambda: _mandate_form(org, body, mandate_id)),
        )

    @post("/{body_slug:str}/mandates/{mandate_id:int}/delete")
    async def delete_mandate(self, request: Req, body_slug: str, mandate_id: int) -> Redirect:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        await services.delete_mandate(body, mandate_id)
        return Redirect(body_url(org, body), status_code=303)


# --- members, fees, the CSV import ------------------------------------------------------------


def _member_form(org: Row, member: Row | None, fee_form: FormState | None = None) -> FormPage:
    members_url = f"{org_url(org)}/members"
    crumbs = [*org_crumbs(org), (members_url, _("Members"))]
    if member is None:
        return FormPage(
            title=_("New member"),
            action=f"{members_url}/new",
            fieldsets=fieldsets(MemberIn),
            crumbs=crumbs,
            cancel=members_url,
            submit_label=_("Create the member"),
        )
    return FormPage(
        title=_("Edit the member {name}").format(name=member["name"]),
        action=f"{members_url}/{member['slug']}/edit",
        fieldsets=fieldsets(MemberIn),
        crumbs=crumbs,
        cancel=members_url,
        template="organisations/member_edit.html",
        context={
            "member": member,
            "fee_action": f"{members_url}/{member['slug']}/fees",
            "fee_fieldsets": fieldsets(FeeIn),
            "fee_form": fee_form or FormState({}),
        },
    )


class MemberPages(Controller):
    """The organisation's members (cities), their fees, and the CSV import."""

    path = "/organisations/{org:str}/members"
    include_in_schema = False
    guards = [secretariat]

    @get("/")
    async def list_page(
        self,
        request: Req,
        created: int | None = None,
        updated: int | None = None,
        seated: int | None = None,
    ) -> Template:
        org = organisation_of(request)
        members = await services.list_members(org)
        imported = None if created is None else {"created": created, "updated": updated or 0, "seated": seated or 0}
        return page(
            "organisations/members.html",
            org=org,
            members=members,
            imported=imported,
            crumbs=org_crumbs(org),
        )

    @get("/new")
    async def new_form(self, request: Req) -> Template:
        return _member_form(organisation_of(request), None).show(defaults(MemberIn))

    @post("/new")
    async def create(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            MemberIn,
            lambda form: services.create_member(org, form),
            then=f"{org_url(org)}/members",
            render=_member_form(org, None),
        )

    @get("/{member:str}/edit")
    async def edit_form(self, request: Req, member: str) -> Template:
        org = organisation_of(request)
        row = await services.get_member(org, member)
        return _member_form(org, row).show(initial(MemberIn, row))

    @post("/{member:str}/edit")
    async def edit(self, request: Req, member: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        row = await services.get_member(org, member)
        return await submit(
            data,
            MemberIn,
            lambda form: services.update_member(row, form),
            then=f"{org_url(org)}/members",
            render=_member_form(org, row),
        )

    @post("/{member:str}/fees")
    async def set_fee(self, request: Req, member: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        row = await services.get_member(org, member)

        async def render(state: FormState) -> Template:
            form_page = _member_form(org, row, fee_form=state)
            return form_page.render(FormState(initial(MemberIn, row), status_code=state.status_code))

        return await submit(
            data,
            FeeIn,
            lambda form: services.set_fee(row, form.year, form.paid),
            then=f"{org_url(org)}/members/{row['slug']}/edit",
            render=render,
        )

    async def _import_page(self, org: Row, state: FormState | None = None) -> Template:
        state = state or FormState({})
        bodies = await services.list_bodies(org)
        return page(
            "organisations/import.html",
            status_code=state.status_code,
            org=org,
            bodies=[(body["slug"], name_of(body)) for body in bodies],
            form=state,
            file_lines=[line for line in state.errors.get("file", "").split("\n") if line],
            crumbs=[*org_crumbs(org), (f"{org_url(org)}/members", _("Members"))],
        )

    @get("/import")
    async def import_form(self, request: Req) -> Template:
        return await self._import_page(organisation_of(request))

    @post("/import")
    async def import_members(self, request: Req, data: Multipart) -> Response[Any]:
        org = organisation_of(request)

        async def run(form: Mapping[str, Any]) -> Any:
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Invalid(
                    _("Nothing was imported: no file was chosen."), fields={"file": _("Choose the CSV file to import.")}
                )
            body_slug = form.get("seat_in_body") or ""
            body = await services.get_body(org, body_slug) if body_slug else None
            return await services.import_members(org, await upload.read(), body)

        return await submit(
            data,
            None,
            run,
            then=lambda report: (
                f"{org_url(org)}/members?created={report.created}&updated={report.updated}&seated={report.seated}"
            ),
            render=lambda state: self._import_page(org, state),
        )


# --- people (the organisation's directory) ----------------------------------------------------


def _person_form(org: Row, person_id: int | None) -> FormPage:
    people_url = f"{org_url(org)}/people"
    crumbs = [*org_crumbs(org), (people_url, _("People"))]
    if person_id is None:
        return FormPage(
            title=_("New person"),
            intro=_(
                "You get a one-time invitation link to hand over: with it the person chooses their own password. "
                "Nobody else ever sets it."
            ),
            action=f"{people_url}/new",
            fieldsets=fieldsets(PersonIn),
            crumbs=crumbs,
            cancel=people_url,
            submit_label=_("Add the person and get the invitation link"),
        )
    return FormPage(
        title=_("Edit the person"),
        intro=_(
            "The person sees a change of e-mail address or a deactivation on their account page. "
            "Deactivating an account signs the person out everywhere."
        ),
        action=f"{people_url}/{person_id}/edit",
        fieldsets=fieldsets(PersonIn),
        crumbs=crumbs,
        cancel=people_url,
    )


def _link_shown(request: Req, org: Row, person: Row, delivery: Any) -> Template:
    """The one-time link, shown once to the staff member to hand over (never stored)."""
    from governance.accounts.controllers import access_link_out

    people_url = f"{org_url(org)}/people"
    response = page(
        "organisations/access_link.html",
        org=org,
        person=person,
        link=access_link_out(request, delivery),
        crumbs=[*org_crumbs(org), (people_url, _("People"))],
    )
    response.headers["Cache-Control"] = "no-store"
    return response


class PeoplePages(Controller):
    """The people of the organisation: its directory, mandate holders and staff.

    Staff never set a password: a new person gets an invitation link, an existing one a
    reset link, and the person chooses their own password (``governance.accounts.links``).
    """

    path = "/organisations/{org:str}/people"
    include_in_schema = False
    guards = [secretariat]

    @get("/")
    async def list_page(self, request: Req) -> Template:
        org = organisation_of(request)
        return page(
            "organisations/people.html", org=org, people=await services.list_people(org), crumbs=org_crumbs(org)
        )

    @get("/new")
    async def new_form(self, request: Req) -> Template:
        return _person_form(organisation_of(request), None).show(defaults(PersonIn))

    @post("/new")
    async def create(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        services.refuse_password(data)
        try:
            form = parse_form(PersonIn, data)
            person, delivery = await services.invite_person(org, form, principal_of(request))
        except Exception as exc:
            error = as_domain_error(exc)
            state = FormState(typed(data), error.fields, error.message, error.status_code)
            return _person_form(org, None).render(state)
        if delivery is None:  # created deactivated: no invitation until it is reactivated
            return Redirect(f"{org_url(org)}/people", status_code=303)
        return _link_shown(request, org, person, delivery)

    @get("/{person_id:int}/edit")
    async def edit_form(self, request: Req, person_id: int) -> Template:
        org = organisation_of(request)
        person = await services.get_person(org, person_id)
        return _person_form(org, person_id).show(initial(PersonIn, person))

    @post("/{person_id:int}/edit")
    async def edit(self, request: Req, person_id: int, data: Form) -> Response[Any]:
        org = organisation_of(request)
        services.refuse_password(data)
        await services.get_person(org, person_id)
        return await submit(
            data,
            PersonIn,
            lambda form: services.update_person(org, person_id, form, principal_of(request)),
            then=f"{org_url(org)}/people",
            render=_person_form(org, person_id),
        )

    @post("/{person_id:int}/invitation")
    async def invite(self, request: Req, person_id: int) -> Template:
        org = organisation_of(request)
        person = await services.get_person(org, person_id)
        delivery = await services.send_link(org, person_id, links.INVITATION, principal_of(request))
        return _link_shown(request, org, person, delivery)

    @post("/{person_id:int}/reset-link")
    async def reset_link(self, request: Req, person_id: int) -> Template:
        org = organisation_of(request)
        person = await services.get_person(org, person_id)
        delivery = await services.send_link(org, person_id, links.RESET, principal_of(request))
        return _link_shown(request, org, person, delivery)


# --- events and meetings --------------------------------------------------------------------


def _event_form(org: Row, event: Row | None) -> FormPage:
    meetings_url = f"{org_url(org)}/meetings"
    crumbs = [*org_crumbs(org), (meetings_url, _("Events and meetings"))]
    if event is None:
        return FormPage(
            title=_("New event"),
            intro=_("An event gathers meetings held at one place and time, e.g. a World Congress."),
            action=f"{org_url(org)}/events/new",
            fieldsets=fieldsets(EventIn),
            crumbs=crumbs,
            cancel=meetings_url,
            submit_label=_("Create the event"),
        )
    return FormPage(
        title=_("Edit the event"),
        action=f"{org_url(org)}/events/{event['slug']}/edit",
        fieldsets=fieldsets(EventIn),
        crumbs=crumbs,
        cancel=meetings_url,
    )


async def _meeting_form(org: Row) -> FormPage:
    bodies = [(body["slug"], name_of(body)) for body in await services.list_bodies(org)]
    events = [(event["slug"], name_of(event)) for event in await meetings.list_events(org)]
    sets = as_select(fieldsets(MeetingIn, groups=MEETING_GROUPS), "body", _("Body"), bodies, optional=False)
    sets = as_select(sets, "event", _("Event"), events, optional=True)
    meetings_url = f"{org_url(org)}/meetings"
    return FormPage(
        title=_("New meeting"),
        intro=_("Times are local to the meeting's time zone. The rule set in force on the first day governs it."),
        action=f"{org_url(org)}/meetings/new",
        fieldsets=sets,
        crumbs=[*org_crumbs(org), (meetings_url, _("Events and meetings"))],
        cancel=meetings_url,
        submit_label=_("Create the meeting"),
    )


class MeetingAdminPages(Controller):
    """Events and meetings of the organisation (a meeting itself lives at /meetings/{slug})."""

    path = "/organisations/{org:str}"
    include_in_schema = False
    guards = [secretariat]

    @get("/meetings")
    async def list_page(self, request: Req) -> Template:
        org = organisation_of(request)
        return page(
            "organisations/meetings.html",
            org=org,
            events=await meetings.list_events(org),
            meetings=[
                {**row, "starts_local": row["starts_at"].astimezone(ZoneInfo(row["time_zone"]))}
                for row in await meetings.list_meetings(org)
            ],
            crumbs=org_crumbs(org),
        )

    @get("/events/new")
    async def new_event_form(self, request: Req) -> Template:
        return _event_form(organisation_of(request), None).show(defaults(EventIn))

    @post("/events/new")
    async def create_event(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            EventIn,
            lambda form: meetings.create_event(org, form),
            then=f"{org_url(org)}/meetings",
            render=_event_form(org, None),
        )

    @get("/events/{event:str}/edit")
    async def edit_event_form(self, request: Req, event: str) -> Template:
        org = organisation_of(request)
        row = await meetings.get_event(org, event)
        return _event_form(org, row).show(initial(EventIn, row))

    @post("/events/{event:str}/edit")
    async def edit_event(self, request: Req, event: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        row = await meetings.get_event(org, event)
        return await submit(
            data,
            EventIn,
            lambda form: meetings.update_event(row, form),
            then=f"{org_url(org)}/meetings",
            render=_event_form(org, row),
        )

    @get("/meetings/new")
    async def new_meeting_form(self, request: Req) -> Template:
        org = organisation_of(request)
        return (await _meeting_form(org)).show(defaults(MeetingIn))

    @post("/meetings/new")
    async def create_meeting(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            MeetingIn,
            lambda form: meetings.create_meeting(org, form),
            then=lambda row: f"/meetings/{row['slug']}",
            render=deferred(lambda: _meeting_form(org)),
        )


PAGE_HANDLERS = [OrganisationsPages, OrganisationPages, BodyPages, MemberPages, PeoplePages, MeetingAdminPages]
