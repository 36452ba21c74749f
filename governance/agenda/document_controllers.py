"""Documents of agenda items: JSON API and pages, over governance.agenda.documents."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import ETag, UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, ValidationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import Body
from litestar.response import File, Redirect, Template
from pydantic import BaseModel

from governance.accounts.guards import principal_of
from governance.agenda import documents
from governance.errors import DomainError, Invalid, NotFound
from governance.forms import as_domain_error
from governance.i18n import gettext as _
from governance.meetings.attendance_controllers import render_meeting_page
from governance.meetings.guards import chair_or_secretary, meeting_of, participant
from governance.meetings.services import MeetingContext
from governance.web import domain_error_handler, http_exception_handler

log = logging.getLogger("governance")

Req = Request[Any, Any, Any]

# The file may be 20 MiB; the multipart envelope (boundaries, headers, the CSRF field)
# needs a little more. A larger body is refused before it is read.
BODY_LIMIT = documents.MAX_SIZE + 64 * 1024


@dataclass
class UploadForm:
    file: UploadFile | None = None


Upload = Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)]


class DocumentOut(BaseModel):
    id: int
    item: int
    name: str
    version: int
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


def document_out(row: dict[str, Any]) -> DocumentOut:
    return DocumentOut(**{k: row[k] for k in DocumentOut.model_fields})


class TooLarge(DomainError):
    status_code = 413
    title = "Content too large"


def too_large(request: Req, exc: Exception) -> Response[Any]:
    """The body is over the limit: a sentence, not Litestar's bare "Request Entity Too Large"."""
    return domain_error_handler(request, TooLarge(_("The file is larger than 20 MB.")))


def unreadable(request: Req, exc: ClientException) -> Response[Any]:
    """Litestar's terse refusals of a broken multipart body, as sentences; others as usual."""
    detail = str(exc.detail).lower()
    if "too large" in detail:  # the multipart parser's own limits (a 400 in Litestar 2)
        return too_large(request, exc)
    if isinstance(exc, ValidationException) or "multipart" not in detail:
        return http_exception_handler(request, exc)
    error = DomainError(_("The upload could not be read: send the file as multipart/form-data, in a field named file."))
    error.status_code, error.title = 400, "Invalid request"
    return domain_error_handler(request, error)


UPLOAD_OPTIONS: dict[str, Any] = {
    "guards": [chair_or_secretary],
    "request_max_body_size": BODY_LIMIT,
    "exception_handlers": {RequestEntityTooLarge: too_large, ClientException: unreadable},
}


async def read_upload(data: UploadForm) -> tuple[str, bytes, str | None]:
    """The uploaded file's name, bytes and declared type; a clear refusal when none was chosen."""
    upload = data.file
    if upload is None:
        message = _("Choose a file to upload.")
        raise Invalid(message, fields={"file": message})
    try:
        content = await upload.read()
    finally:
        await upload.close()
    return upload.filename or "", content, upload.content_type


async def _upload(request: Req, item_id: int, data: UploadForm) -> dict[str, Any]:
    name, content, content_type = await read_upload(data)
    return await documents.upload(meeting_of(request), principal_of(request), item_id, name, content, content_type)


def _ascii_name(name: str) -> str:
    """A plain-ASCII stand-in for clients that ignore ``filename*``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = "".join(c if c.isprintable() and c not in '"\\;' else "_" for c in plain).strip()
    return plain or "document"


def content_disposition(name: str) -> str:
    return f"attachment; filename=\"{_ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def _etag_matches(request: Req, sha256: str) -> bool:
    wanted = request.headers.get("if-none-match", "")
    tags = {tag.strip().removeprefix("W/").strip('"') for tag in wanted.split(",")}
    return sha256 in tags or "*" in tags


async def file_response(request: Req, context: MeetingContext, document_id: int) -> Response[Any]:
    """The document's bytes, as an attachment that no browser second-guesses."""
    row = await documents.get_document(context, document_id)
    path = documents.document_path(row)
    try:
        stat = await asyncio.to_thread(path.stat)
    except FileNotFoundError:
        stat = None
    if stat is None or stat.st_size != row["size"]:
        log.error("Stored file of document %s (%s) is missing or has the wrong size", row["id"], row["sha256"])
        raise NotFound(_("The file of this document is missing from the store; please tell the secretariat."))
    headers = {
        "content-disposition": content_disposition(row["name"]),
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-cache",
    }
    etag = ETag(value=row["sha256"])
    if _etag_matches(request, row["sha256"]):
        return Response(content=b"", status_code=304, headers={**headers, "etag": etag.to_header()})
    return File(
        path=path,
        filename=row["name"],
        # Litestar appends "; charset=utf-8" to text types itself: give it the bare type.
        media_type=row["content_type"].split(";")[0].strip(),
        etag=etag,
        headers=headers,
        stat_result=stat,
    )


class DocumentApi(Controller):
    path = "/api/v1/meetings/{slug:str}"
    tags = ["documents"]

    @get("/documents", guards=[participant], summary="Documents of the agenda (every version, latest first)")
    async def list_documents(self, request: Req, item: int | None = None) -> list[DocumentOut]:
        return [document_out(row) for row in await documents.list_documents(meeting_of(request), item)]

    @post(
        "/agenda/items/{item_id:int}/documents",
        summary="Attach a document to an item (multipart, field 'file'; at most 20 MB)",
        **UPLOAD_OPTIONS,
    )
    async def upload(self, request: Req, item_id: int, data: Upload) -> DocumentOut:
        return document_out(await _upload(request, item_id, data))

    @get("/documents/{document_id:int}", guards=[participant], summary="Download a document")
    async def download(self, request: Req, document_id: int) -> Response[Any]:
        return await file_response(request, meeting_of(request), document_id)


class DocumentPages(Controller):
    path = "/meetings/{slug:str}"
    include_in_schema = False

    @post("/agenda/items/{item_id:int}/documents", **UPLOAD_OPTIONS)
    async def upload(self, request: Req, item_id: int, data: Upload) -> Template | Redirect:
        slug = meeting_of(request).meeting["slug"]
        try:
            await _upload(request, item_id, data)
        except Exception as exc:
            error = as_domain_error(exc)
            return await render_meeting_page(
                request,
                "meetings/agenda.html",
                message=error.message,
                status_code=error.status_code,
                errors={},
                values={},
                documents_by_item=await documents.documents_by_item(meeting_of(request)),
            )
        return Redirect(f"/meetings/{slug}/agenda", status_code=303)

    @get("/documents/{document_id:int}", guards=[participant])
    async def download(self, request: Req, document_id: int) -> Response[Any]:
        return await file_response(request, meeting_of(request), document_id)
