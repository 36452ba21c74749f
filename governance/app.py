"""The application factory: every route, plugin, middleware and error handler, wired here.

``LITESTAR_APP=governance.app:create_app`` lets ``litestar run`` find it; ``governance
serve`` runs it under uvicorn.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, MediaType, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.logging.config import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router

from governance import __version__, db
from governance.accounts.controllers import AccountPages, AuthApi
from governance.auth import RequestContextMiddleware
from governance.meetings import live
from governance.openapi import use_problem_responses
from governance.security import security_headers
from governance.settings import get_settings
from governance.web import EXCEPTION_HANDLERS, template_config

STATIC_DIR = __import__("pathlib").Path(__file__).parent / "static"


@get("/health", include_in_schema=False, media_type=MediaType.JSON, cache=False)
async def health() -> Response[dict[str, str]]:
    """200 when the database answers, 503 otherwise (for load balancers and operators)."""
    if await db.ping():
        return Response({"status": "ok"}, status_code=200)
    return Response({"status": "database unreachable"}, status_code=503)


@asynccontextmanager
async def lifespan(_: Litestar) -> AsyncIterator[None]:
    await db.start()
    try:
        yield
    finally:
        await db.stop()


def route_handlers() -> list[Any]:
    from governance.agenda.controllers import AgendaApi, AgendaPages
    from governance.agenda.document_controllers import DocumentApi, DocumentPages
    from governance.agenda.speaker_controllers import SpeakersApi, SpeakersPages
    from governance.meetings.attendance_api import AttendanceApi
    from governance.meetings.controllers import MeetingAdminApi, MeetingApi, MeetingPages
    from governance.meetings.display_controllers import DisplayLinkApi, DisplayLinkPages
    from governance.minutes.controllers import MinutesPages, SigningKeyPages
    from governance.minutes.verify_pages import PublishedMinutes, VerifyPages
    from governance.organisations.controllers import ORGANISATION_HANDLERS
    from governance.polls.controllers import CandidateApi, CandidatePages, PollApi, PollPages
    from governance.polls.question_controllers import QuestionApi, QuestionPages
    from governance.polls.secret_request_controllers import SecretBallotRequestApi, SecretBallotRequestPages
    from governance.room.attendance_forms import AttendancePages
    from governance.room.controllers import RoomPages
    from governance.room.display import DisplayPages
    from governance.room.proxy_forms import ProxyFormApi, ProxyFormPages

    return [
        health,
        create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        AccountPages,
        AuthApi,
        *ORGANISATION_HANDLERS,
        MeetingPages,
        RoomPages,
        MeetingApi,
        MeetingAdminApi,
        AttendancePages,
        AttendanceApi,
        DisplayLinkPages,
        DisplayLinkApi,
        DisplayPages,
        ProxyFormPages,
        ProxyFormApi,
        AgendaPages,
        AgendaApi,
        QuestionPages,
        QuestionApi,
        PollApi,
        PollPages,
        CandidateApi,
        CandidatePages,
        SecretBallotRequestApi,
        SecretBallotRequestPages,
        MinutesPages,
        VerifyPages,
        PublishedMinutes,
        SigningKeyPages,
        DocumentPages,
        DocumentApi,
        SpeakersPages,
        SpeakersApi,
    ]


def create_app() -> Litestar:
    settings = get_settings()
    app = Litestar(
        route_handlers=route_handlers(),
        lifespan=[lifespan],
        middleware=[
            DefineMiddleware(RequestContextMiddleware),
        ],
        before_send=[security_headers],  # every response, routed or not (404, 405)
        csrf_config=CSRFConfig(
            secret=settings.csrf_secret,
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            # Anchored: Litestar's exclude entries are unanchored regexes.
            exclude=["^/api/v1/auth/login$", "^/static/", "^/health$"],
        ),
        template_config=template_config(),
        plugins=[HTMXPlugin(), live.make_plugin(settings)],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="governance",
            version=__version__,
            path="/schema",
            description="Statutory meetings: organisations, bodies, rule sets, members, meetings.",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
        ),
        debug=False,
    )
    use_problem_responses(app)
    return app


logging.getLogger("piccolo").setLevel(logging.WARNING)
# WeasyPrint reports each layout step and page at INFO: a line per page of every minutes PDF.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
# aiosqlite logs every statement with its parameters at DEBUG: with the root logger at DEBUG
# a secret ballot's insert would sit next to its participation's (member and choice linked).
logging.getLogger("aiosqlite").setLevel(logging.WARNING)
