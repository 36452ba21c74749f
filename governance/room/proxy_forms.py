"""A grantor's signed proxy form: attached by the secretariat (API and desk), read back by it.

In the room, above the contexts: its upload machinery (body limit, multipart refusals in
words, the download's headers) is the agenda documents', and its page answers with the desk."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import ETag
from litestar.response import File, Redirect, Template

from governance.accounts.guards import principal_of
from governance.agenda import documents
from governance.agenda.document_controllers import UPLOAD_OPTIONS, Upload, UploadForm, content_disposition, read_upload
from governance.errors import NotFound
from governance.i18n import gettext as _
from governance.meetings import attendance
from governance.meetings.attendance_api import proxy_out
from governance.meetings.attendance_schemas import ProxyOut
from governance.meetings.guards import meeting_of, secretary
from governance.room.forms import page_action

log = logging.getLogger("governance")

Req = Request[Any, Any, Any]

# The secretariat only: a signed form carries a person's signature.
FORM_UPLOAD = {**UPLOAD_OPTIONS, "guards": [secretary]}


async def _attach(request: Req, proxy_id: int, data: UploadForm) -> dict[str, Any]:
    name, content, _declared = await read_upload(data)  # the form's type is read from its bytes
    return await attendance.attach_form(meeting_of(request), principal_of(request), proxy_id, name, content)


async def form_response(request: Req, proxy_id: int) -> Response[Any]:
    """The signed form's bytes, as an attachment (never rendered inline)."""
    proxy = await attendance.get_proxy(meeting_of(request), proxy_id)
    if not proxy["form_sha256"]:
        raise NotFound(_("This proxy has no signed form."))
    path = documents.document_path({"sha256": proxy["form_sha256"]})
    try:
        stat = await asyncio.to_thread(path.stat)
    except FileNotFoundError:
        stat = None
    if stat is None or stat.st_size != proxy["form_size"]:
        log.error("Stored proxy form of proxy %s (%s) is missing or has the wrong size", proxy_id, proxy["form_sha256"])
        raise NotFound(_("The file of this document is missing from the store; please tell the secretariat."))
    headers = {
        "content-disposition": content_disposition(proxy["form_name"]),
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-cache",
    }
    return File(
        path=path,
        filename=proxy["form_name"],
        media_type=proxy["form_content_type"],
        etag=ETag(value=proxy["form_sha256"]),
        headers=headers,
        stat_result=stat,
    )


class ProxyFormApi(Controller):
    path = "/api/v1/meetings/{slug:str}/proxies/{proxy_id:int}/form"
    tags = ["attendance"]

    @post(
        summary="Attach the grantor's signed proxy form (multipart, field 'file'; PDF, PNG or JPEG, at most 20 MB)",
        **FORM_UPLOAD,
    )
    async def attach(self, request: Req, proxy_id: int, data: Upload) -> ProxyOut:
        return proxy_out(request, await _attach(request, proxy_id, data))

    @get(guards=[secretary], summary="The grantor's signed proxy form")
    async def download(self, request: Req, proxy_id: int) -> Response[Any]:
        return await form_response(request, proxy_id)


class ProxyFormPages(Controller):
    path = "/meetings/{slug:str}/proxies/{proxy_id:int}/form"
    include_in_schema = False

    @post(**FORM_UPLOAD)
    async def attach(self, request: Req, proxy_id: int, data: Upload) -> Template | Redirect | None:
        # Back to the desk, or the desk again with the reason (the meeting pages' one form helper).
        return await page_action(request, {"back": "desk"}, lambda: _attach(request, proxy_id, data))

    @get(guards=[secretary])
    async def download(self, request: Req, proxy_id: int) -> Response[Any]:
        return await form_response(request, proxy_id)
