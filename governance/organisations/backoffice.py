"""The back office's page kit: form state, the one submit helper, form pages, addresses and
breadcrumbs.

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

from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from governance import i18n
from governance.forms import as_domain_error, parse_form
from governance.formspec import Fieldset, form_values
from governance.i18n import gettext as _
from governance.web import page

Req = Request[Any, Any, Any]
Row = dict[str, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
Crumbs = list[tuple[str, str]]

NEVER_ECHOED = frozenset({"password", "_csrf_token"})


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
