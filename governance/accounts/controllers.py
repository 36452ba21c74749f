"""Sign in and out, "my sessions", and the language switch: pages and JSON API."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.middleware.csrf import generate_csrf_token
from litestar.params import Body
from litestar.response import Redirect, Template

from governance import i18n
from governance.accounts import links, services, sessions
from governance.accounts.guards import principal_of, signed_in
from governance.accounts.principal import LANGUAGE_COOKIE
from governance.accounts.schemas import (
    AccessLinkOut,
    AccountEventOut,
    ChosenPasswordIn,
    LoginIn,
    LoginOut,
    PasswordChangeIn,
    PersonOut,
    SessionOut,
)
from governance.errors import DomainError, Invalid, NotFound
from governance.forms import as_domain_error, parse_form
from governance.i18n import gettext as _
from governance.settings import get_settings
from governance.web import page


def session_cookie(token: str) -> Cookie:
    settings = get_settings()
    return Cookie(
        key=sessions.COOKIE_NAME,
        value=token,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
        max_age=settings.session_hours * 3600,
    )


def cleared_session_cookie() -> Cookie:
    return Cookie(key=sessions.COOKIE_NAME, value="", max_age=0, path="/", httponly=True, samesite="lax")


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/meetings"


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else ""


def access_link_out(request: Request[Any, Any, Any], delivery: links.Delivery) -> AccessLinkOut:
    """What staff get back for a link: the absolute URL to hand over, when it was shown."""
    url = str(request.base_url).rstrip("/") + delivery.shown_path if delivery.shown_path else None
    return AccessLinkOut(kind=delivery.kind, expires_at=delivery.expires_at, delivery=delivery.channel, url=url)


def describe_event(event: dict) -> str:
    """One account event as a sentence for its person (never a token: none is stored)."""
    detail = event["detail"]
    actor = event["actor_name"] if event["actor_name"] != links.OPERATOR_NAME else _("The server's operator")
    until = detail.get("until", "").replace("T", " ")[:16]
    sentences = {
        "invited": _("{actor} created an invitation link for you, valid until {until} UTC."),
        "reset_link": _("{actor} created a password reset link for you, valid until {until} UTC."),
        "deactivated": _("{actor} deactivated your account."),
        "reactivated": _("{actor} reactivated your account."),
        "email_changed": _("{actor} changed your e-mail address from {old} to {new}."),
        "password_chosen": _("You chose your password through a one-time link."),
        "password_changed": _("You changed your password."),
        "password_set_by_operator": _("{actor} set your password from the command line on the server."),
    }
    text = sentences.get(event["kind"], event["kind"]).format(
        actor=actor, until=until, old=detail.get("old", ""), new=detail.get("new", "")
    )
    if detail.get("channel") == "shown":
        text += " " + _("The link was shown to them, to hand over to you.")
    return text


async def _account_page(request: Request[Any, Any, Any], *, status_code: int = 200, **context: Any) -> Template:
    principal = principal_of(request)
    person = await services.get_person(principal.person_id)
    events = [{**event, "text": describe_event(event)} for event in await links.events_of(principal.person_id)]
    context = {"errors": {}, "message": None, "changed": False, **context}
    return page("account/index.html", status_code=status_code, person=person, events=events, **context)


class AccountPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Redirect:
        return Redirect("/meetings" if request.user else "/login")

    @get("/login")
    async def login_page(self, request: Request[Any, Any, Any], next: str | None = None) -> Template:
        return page("login.html", next=safe_next(next), values={}, errors={}, message=None)

    @post("/login")
    async def login_submit(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        target = safe_next(data.get("next"))
        values = {"email": data.get("email", "")}
        try:
            form = parse_form(LoginIn, data)
            signed = await services.login(
                form.email,
                form.password,
                client_ip=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
                replacing=request.cookies.get(sessions.COOKIE_NAME),
            )
        except Exception as exc:
            error = as_domain_error(exc)
            return page(
                "login.html",
                status_code=error.status_code,
                next=target,
                values=values,
                errors=error.fields,
                message=error.message,
            )
        response: Response[Any] = Redirect(target, status_code=303)
        response.set_cookie(session_cookie(signed.token))
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        if chosen in i18n.LANGUAGES and chosen != signed.person["language"]:
            # The language picked on this device becomes the person's preference.
            await services.set_language(signed.person["id"], chosen)
        elif chosen is None:
            response.set_cookie(LANGUAGE_COOKIE, signed.person["language"], path="/", samesite="lax")
        return response

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        token = request.cookies.get(sessions.COOKIE_NAME)
        if token:
            await sessions.end_session(token)
        response = Redirect("/login", status_code=303)
        response.set_cookie(cleared_session_cookie())
        return response

    @get("/account", guards=[signed_in])
    async def account_page(self, request: Request[Any, Any, Any], changed: bool = False) -> Template:
        return await _account_page(request, changed=changed)

    @post("/account/password", guards=[signed_in])
    async def change_password_page(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        try:
            form = parse_form(PasswordChangeIn, data)
            _same_twice(form.new_password, data.get("new_password_again", ""), "new_password_again")
            token = await links.change_password(
                principal_of(request).person_id,
                form.current_password,
                form.new_password,
                current_token=request.cookies.get(sessions.COOKIE_NAME),
                user_agent=request.headers.get("user-agent", ""),
                client_ip=client_ip(request),
            )
        except Exception as exc:
            error = as_domain_error(exc)
            return await _account_page(
                request, status_code=error.status_code, errors=error.fields, message=error.message
            )
        response: Response[Any] = Redirect("/account?changed=true", status_code=303)
        response.set_cookie(session_cookie(token))
        return response

    @get("/account/link/{token:str}")
    async def link_page(self, request: Request[Any, Any, Any], token: str) -> Template:
        opened = await links.open_link(token)
        return _no_store(_link_form(opened, token))

    @post("/account/link/{token:str}")
    async def use_link(
        self,
        request: Request[Any, Any, Any],
        token: str,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        opened = await links.open_link(token)  # unknown, used or expired: its own page (404/410)
        try:
            form = parse_form(ChosenPasswordIn, data)
            _same_twice(form.password, form.password_again, "password_again")
            signed = await links.use_link(
                token,
                form.password,
                user_agent=request.headers.get("user-agent", ""),
                client_ip=client_ip(request),
                replacing=request.cookies.get(sessions.COOKIE_NAME),
            )
        except links.Gone:
            raise
        except Exception as exc:
            error = as_domain_error(exc)
            return _no_store(
                _link_form(opened, token, status_code=error.status_code, errors=error.fields, message=error.message)
            )
        response: Response[Any] = Redirect("/meetings", status_code=303)
        response.set_cookie(session_cookie(signed["token"]))
        return response

    @get("/account/sessions", guards=[signed_in])
    async def sessions_page(self, request: Request[Any, Any, Any]) -> Template:
        principal = principal_of(request)
        rows = await sessions.list_sessions(principal.person_id, request.cookies.get(sessions.COOKIE_NAME))
        return page("account/sessions.html", sessions=rows)

    @post("/account/sessions/{handle:str}/revoke", guards=[signed_in])
    async def revoke_page(self, request: Request[Any, Any, Any], handle: str) -> Redirect:
        principal = principal_of(request)
        if not await sessions.revoke_session(principal.person_id, handle):
            raise NotFound(_("No such session."))
        return Redirect("/account/sessions", status_code=303)

    @get("/language/{code:str}")
    async def switch_language(self, request: Request[Any, Any, Any], code: str, next: str | None = None) -> Redirect:
        if code not in i18n.LANGUAGES:
            raise NotFound(_("This language is not available."))
        referer = urlsplit(request.headers.get("referer", ""))
        back = referer.path + (f"?{referer.query}" if referer.query else "") if referer.path else None
        response = Redirect(safe_next(next or back), status_code=303)
        response.set_cookie(LANGUAGE_COOKIE, code, path="/", samesite="lax", max_age=365 * 24 * 3600)
        return response


def _same_twice(password: str, again: str, field: str) -> None:
    if password != again:
        message = _("The two passwords differ.")
        raise Invalid(message, fields={field: message})


def _link_form(opened: dict, token: str, *, status_code: int = 200, **context: Any) -> Template:
    context = {"errors": {}, "message": None, **context}
    return page(
        "account/link.html",
        status_code=status_code,
        kind=opened["kind"],
        person=opened["person"],
        expires_at=opened["expires_at"],
        action=links.LINK_PATH + token,
        minimum=10,
        **context,
    )


def _no_store(response: Template) -> Template:
    # The page's address holds the token: never cached (governance.security: no referrer).
    response.headers["Cache-Control"] = "no-store"
    return response


class AuthApi(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", status_code=200, summary="Sign in; sets the session cookie and returns a CSRF token")
    async def api_login(self, request: Request[Any, Any, Any], data: LoginIn) -> Response[LoginOut]:
        # Exempt from the CSRF middleware (a client has no token before signing in) but
        # only JSON is accepted, which a cross-site form cannot send without CORS.
        if request.content_type[0] != "application/json":
            raise DomainError(_("Send the credentials as JSON (Content-Type: application/json)."))
        signed = await services.login(
            data.email,
            data.password,
            client_ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            replacing=request.cookies.get(sessions.COOKIE_NAME),
        )
        csrf = generate_csrf_token(get_settings().csrf_secret)
        response = Response(LoginOut(person=services.person_out(signed.person), csrf_token=csrf))
        response.set_cookie(session_cookie(signed.token))
        response.set_cookie("csrftoken", csrf, path="/", samesite="lax", secure=get_settings().secure_cookies)
        return response

    @post("/logout", status_code=204, guards=[signed_in], summary="End this session")
    async def api_logout(self, request: Request[Any, Any, Any]) -> Response[None]:
        token = request.cookies.get(sessions.COOKIE_NAME)
        if token:
            await sessions.end_session(token)
        response = Response(None, status_code=204)
        response.set_cookie(cleared_session_cookie())
        return response

    @get("/me", guards=[signed_in], summary="The signed-in person")
    async def me(self, request: Request[Any, Any, Any]) -> PersonOut:
        return services.person_out(await services.get_person(principal_of(request).person_id))

    @post("/password", status_code=204, guards=[signed_in], summary="Change my password (the current one required)")
    async def change_password(self, request: Request[Any, Any, Any], data: PasswordChangeIn) -> Response[None]:
        token = await links.change_password(
            principal_of(request).person_id,
            data.current_password,
            data.new_password,
            current_token=request.cookies.get(sessions.COOKIE_NAME),
            user_agent=request.headers.get("user-agent", ""),
            client_ip=client_ip(request),
        )
        response = Response(None, status_code=204)
        response.set_cookie(session_cookie(token))
        return response

    @get("/events", guards=[signed_in], summary="What was done to my account, and by whom (newest first)")
    async def events(self, request: Request[Any, Any, Any]) -> list[AccountEventOut]:
        rows = await links.events_of(principal_of(request).person_id)
        return [
            AccountEventOut(
                kind=row["kind"],
                at=row["at"],
                actor_name=row["actor_name"],
                detail={k: str(v) for k, v in row["detail"].items()},
            )
            for row in rows
        ]

    @get("/sessions", guards=[signed_in], summary="My open sessions")
    async def list_sessions(self, request: Request[Any, Any, Any]) -> list[SessionOut]:
        principal = principal_of(request)
        rows = await sessions.list_sessions(principal.person_id, request.cookies.get(sessions.COOKIE_NAME))
        return [SessionOut(**row.__dict__) for row in rows]

    @delete("/sessions/{handle:str}", status_code=204, guards=[signed_in], summary="Revoke one of my sessions")
    async def revoke(self, request: Request[Any, Any, Any], handle: str) -> None:
        if not await sessions.revoke_session(principal_of(request).person_id, handle):
            raise NotFound(_("No such session."))
