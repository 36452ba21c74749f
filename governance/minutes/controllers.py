"""Minutes pages: the versions and their workflow, the document in three languages, the
diff of two versions, and one's own signing passphrase.

Every form posts to a route that calls one service and goes back to the minutes page, or
shows that page again with the reason (and what was typed, passphrases excepted) and the
error's status: 403 refused, 404 not found, 409 conflict, 422 invalid.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from governance import i18n
from governance.accounts.guards import principal_of, signed_in
from governance.errors import Invalid
from governance.forms import as_domain_error
from governance.i18n import gettext as _
from governance.meetings.guards import chair_or_secretary, meeting_of, participant, secretary
from governance.meetings.services import MeetingContext, meeting_context, meeting_out
from governance.minutes import passphrase as sealing
from governance.minutes import services, views
from governance.minutes.document import render_fragment, status_label, term
from governance.minutes.guards import commenter, signatory
from governance.organisations import services as organisations
from governance.web import page

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
SECRET_FIELDS = frozenset({"passphrase", "confirm", "_csrf_token"})
NARRATIVE = "narrative_"


async def _fresh(request: Req) -> MeetingContext:
    """The meeting context again (a step may have changed what this person may do)."""
    return await meeting_context(meeting_of(request).meeting["slug"], principal_of(request))


async def render_minutes_page(
    request: Req,
    *,
    message: str | None = None,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    failed: str | None = None,
) -> Template:
    context = await _fresh(request)
    return page(
        "minutes/index.html",
        status_code=status_code,
        context=context,
        meeting=meeting_out(context),
        message=message,
        errors=errors or {},
        values=values or {},
        failed=failed,
        status_label=status_label,
        term=term,
        **(await views.minutes_panel(context, principal_of(request))),
    )


async def minutes_action(
    request: Req, data: dict[str, str], action: Callable[[], Awaitable[Any]], form: str
) -> Template | Redirect:
    """Run one step of the workflow, then back to the minutes page; or show the page again
    with the reason, the typed values (never a passphrase) and the error's status."""
    try:
        await action()
    except Exception as exc:
        error = as_domain_error(exc)
        return await render_minutes_page(
            request,
            message=error.message,
            status_code=error.status_code,
            errors=error.fields,
            values={k: v for k, v in data.items() if k not in SECRET_FIELDS},
            failed=form,
        )
    return Redirect(f"/meetings/{meeting_of(request).meeting['slug']}/minutes", status_code=303)


def _text(value: str | None) -> str:
    """A textarea's value with the browser's CRLF line ends made plain newlines."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


class MinutesPages(Controller):
    path = "/meetings/{slug:str}/minutes"
    include_in_schema = False

    @get("/", guards=[participant])
    async def index(self, request: Req) -> Template:
        return await render_minutes_page(request)

    @post("/draft", guards=[secretary])
    async def draft(self, request: Req, data: Form) -> Template | Redirect:
        return await minutes_action(
            request, data, lambda: services.draft(meeting_of(request), principal_of(request)), "draft"
        )

    @post("/{version:int}/edit", guards=[secretary])
    async def edit(self, request: Req, version: int, data: Form) -> Template | Redirect:
        narratives = {k.removeprefix(NARRATIVE): _text(v) for k, v in data.items() if k.startswith(NARRATIVE)}

        async def act() -> None:
            context = meeting_of(request)
            if not narratives:
                raise Invalid(_("There is no narrative to save."))
            current = await services.get_version(context, version)
            before = services.content_of(current)["narratives"]
            after = {k: v for k, v in {**before, **narratives}.items() if v.strip()}
            if after == before:
                raise Invalid(_("Nothing changed: no new version was made."))
            await services.edit(context, principal_of(request), version, narratives)

        return await minutes_action(request, data, act, "edit")

    @post("/{version:int}/circulate", guards=[secretary])
    async def circulate(self, request: Req, version: int, data: Form) -> Template | Redirect:
        return await minutes_action(
            request,
            data,
            lambda: services.circulate(meeting_of(request), principal_of(request), version),
            "circulate",
        )

    @post("/{version:int}/comment", guards=[commenter])
    async def comment(self, request: Req, version: int, data: Form) -> Template | Redirect:
        return await minutes_action(
            request,
            data,
            lambda: services.comment(meeting_of(request), principal_of(request), version, data.get("text", "")),
            "comment",
        )

    @post("/{version:int}/approve", guards=[chair_or_secretary])
    async def approve(self, request: Req, version: int, data: Form) -> Template | Redirect:
        decision = (data.get("decision") or "").strip() or None
        return await minutes_action(
            request,
            data,
            lambda: services.approve(meeting_of(request), principal_of(request), version, decision),
            "approve",
        )

    @post("/{version:int}/sign", guards=[signatory])
    async def sign(self, request: Req, version: int, data: Form) -> Template | Redirect:
        office = (data.get("office") or "").strip()
        passphrase = data.get("passphrase") or ""

        async def act() -> None:
            if not office:
                raise Invalid(_("Choose the office you sign for."), fields={"office": _("This field is required.")})
            if not passphrase:
                message = _("Enter your signing passphrase.")
                raise Invalid(message, fields={f"passphrase-{office}": message})
            await services.sign(meeting_of(request), principal_of(request), version, passphrase, office)

        return await minutes_action(request, data, act, f"sign-{office}")

    @post("/{version:int}/publish", guards=[secretary])
    async def publish(self, request: Req, version: int, data: Form) -> Template | Redirect:
        return await minutes_action(
            request,
            data,
            lambda: services.publish(meeting_of(request), principal_of(request), version),
            "publish",
        )

    @get("/{version:int}", guards=[participant])
    async def document(self, request: Req, version: int, lang: str = "") -> Template:
        """The minutes as a document, in the language asked for (the authoritative one by default)."""
        context = meeting_of(request)
        row = await services.get_version(context, version)
        authoritative = row["language"]
        language = lang if lang in i18n.LANGUAGES else authoritative
        # The languages of the statutes; any other is marked as a translation (rule 16).
        statutes = context.statutes
        languages = statutes.languages if statutes else ()
        statute_languages = [str(code) for code in languages if code in i18n.LANGUAGE_NAMES]
        body = render_fragment(
            services.content_of(row),
            language=language,
            authoritative_language=authoritative,
            signatures=await services.signatures(context, version),
            status=row["status"],
            dates={"approved_at": row["approved_at"], "published_at": row["published_at"]},
            logo=await organisations.logo_data_uri(context.organisation["id"]),
        )
        return page(
            "minutes/version.html",
            context=context,
            meeting=meeting_out(context),
            row=row,
            document=body,
            language=language,
            authoritative_language=authoritative,
            status_label=status_label,
            newest=(await services.latest(context) or row)["version"],
            statute_languages=statute_languages,
            statute_language_names=", ".join(i18n.LANGUAGE_NAMES[code] for code in statute_languages),
            languages_article=statutes.languages_article if statutes else "",
        )

    @get("/{version:int}/diff", guards=[participant])
    async def diff(
        self, request: Req, version: int, from_: Annotated[int | None, QueryParameter(name="from")] = None
    ) -> Template:
        """What changed from one version to another, line by line."""
        context = meeting_of(request)
        older_number = from_ if from_ is not None else version - 1
        if older_number < 1:
            raise Invalid(_("Choose an earlier version to compare with."))
        newer = await services.get_version(context, version)
        older = await services.get_version(context, older_number)
        return page(
            "minutes/diff.html",
            context=context,
            meeting=meeting_out(context),
            newer=newer,
            older=older,
            changes=services.diff(older, newer),
            status_label=status_label,
        )


class SigningKeyPages(Controller):
    """One's own signing passphrase: a new personal key, certified by one's organisation."""

    path = "/account/signing-key"
    include_in_schema = False
    guards = [signed_in]

    async def _render(
        self, request: Req, *, message: str | None = None, status_code: int = 200, errors: dict[str, str] | None = None
    ) -> Template:
        principal = principal_of(request)
        return page(
            "account/signing_key.html",
            status_code=status_code,
            message=message,
            errors=errors or {},
            key=await views.current_key(principal.person_id),
            organisation=await views.signing_organisation(principal),
            saved=request.query_params.get("saved") == "1",
            minimum=sealing.MINIMUM_LENGTH,
        )

    @get("/")
    async def show(self, request: Req) -> Template:
        return await self._render(request)

    @post("/")
    async def save(self, request: Req, data: Form) -> Template | Redirect:
        passphrase, confirm = data.get("passphrase") or "", data.get("confirm") or ""
        try:
            if not passphrase:
                message = _("Choose a signing passphrase.")
                raise Invalid(message, fields={"passphrase": message})
            if passphrase != confirm:
                message = _("The two passphrases differ: type the same passphrase twice.")
                raise Invalid(message, fields={"confirm": message})
            principal = principal_of(request)
            organisation = await views.signing_organisation(principal)
            if organisation is None:
                raise Invalid(_("You belong to no organisation that could certify a signing key."))
            await services.set_passphrase(principal, passphrase, organisation["slug"])
        except Exception as exc:
            error = as_domain_error(exc)
            return await self._render(
                request, message=error.message, status_code=error.status_code, errors=error.fields
            )
        return Redirect("/account/signing-key?saved=1", status_code=303)
