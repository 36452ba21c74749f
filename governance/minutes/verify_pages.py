"""The public verify page: anyone uploads signed minutes (PDF) or a record bundle (.zip)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import Body
from litestar.response import Response, Template

from governance.db import reading
from governance.errors import NotFound
from governance.i18n import gettext as _
from governance.minutes import checking
from governance.minutes.tables import MinutesVersion
from governance.web import page

Req = Request[Any, Any, Any]


@dataclass
class VerifyForm:
    file: UploadFile | None = None


Upload = Annotated[VerifyForm, Body(media_type=RequestEncodingType.MULTI_PART)]


def _refused(request: Req, exc: Exception) -> Template:
    """Litestar's refusals of an oversized or broken upload, as a sentence on the page."""
    if isinstance(exc, RequestEntityTooLarge) or "too large" in str(exc).lower():
        return page("verify.html", report=None, message=_("The file is larger than 30 MB."), status_code=413)
    message = _("The upload could not be read: send the file as multipart/form-data, in a field named file.")
    return page("verify.html", report=None, message=message, status_code=400)


class VerifyPages(Controller):
    path = "/verify"
    include_in_schema = False

    @get("/")
    async def form(self) -> Template:
        return page("verify.html", report=None, message=None)

    @post(
        "/",
        request_max_body_size=checking.MAX_SIZE + 64 * 1024,
        exception_handlers={RequestEntityTooLarge: _refused, ClientException: _refused},
    )
    async def check(self, request: Req, data: Upload) -> Template:
        if data.file is None:
            return page("verify.html", report=None, message=_("Choose a file to check."), status_code=422)
        try:
            content = await data.file.read()
        finally:
            await data.file.close()
        report = await checking.check_upload(content, data.file.filename or "")
        return page("verify.html", report=report, message=None, filename=data.file.filename, status_code=200)


class PublishedMinutes(Controller):
    """Published minutes are public: anyone may fetch the signed PDF and verify it."""

    path = "/published"
    include_in_schema = False

    @get("/{slug:str}/minutes/{version:int}")
    async def pdf(self, slug: str, version: int) -> Response[bytes]:
        async with reading():
            row = (
                await MinutesVersion.select(MinutesVersion.pdf, MinutesVersion.status)
                .where((MinutesVersion.meeting.slug == slug) & (MinutesVersion.version == version))
                .first()
            )
        if row is None or row["status"] != "published" or not row["pdf"]:
            raise NotFound(_("No published minutes with this version."))
        return Response(
            bytes(row["pdf"]),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{slug}-minutes-{version}.pdf"'},
        )
