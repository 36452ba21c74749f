"""Documents attached to agenda items: upload, versions, download.

Rules: the secretariat (or whoever drives the agenda) attaches documents to the items
of a meeting that is not closed. What a file is comes from its bytes, never from what
the browser says: PDF, PNG, JPEG, Office Open XML and OpenDocument files (checked
inside the zip), and UTF-8 plain text; the name's extension must agree with the
content. Files are stored once, under their SHA-256 (``var/documents/<sha256>``),
written to a temporary file and renamed into place, so no reader ever sees half a
file. Uploading the same name again on the same item adds a version; versions are
never overwritten. The row and its log entry are written in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from governance.agenda import services, store
from governance.auth import Principal
from governance.db import reading
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.record import log
from governance.settings import get_settings

Row = dict[str, Any]

MAX_SIZE = 20 * 1024 * 1024  # 20 MiB, as the table's CHECK constraint says
NAME_MAX = 200
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Kind:
    content_type: str
    # For zip containers: an entry the file must hold, or the ODF ``mimetype`` it declares.
    zip_part: str | None = None
    odf_mimetype: str | None = None


PDF = Kind("application/pdf")
PNG = Kind("image/png")
JPEG = Kind("image/jpeg")
_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."

# What each accepted extension must contain.
KINDS: dict[str, Kind] = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".docx": Kind(_OOXML + "wordprocessingml.document", zip_part="word/document.xml"),
    ".xlsx": Kind(_OOXML + "spreadsheetml.sheet", zip_part="xl/workbook.xml"),
    ".pptx": Kind(_OOXML + "presentationml.presentation", zip_part="ppt/presentation.xml"),
    ".odt": Kind(_ODF + "text", odf_mimetype=_ODF + "text"),
    ".ods": Kind(_ODF + "spreadsheet", odf_mimetype=_ODF + "spreadsheet"),
    ".odp": Kind(_ODF + "presentation", odf_mimetype=_ODF + "presentation"),
    ".txt": Kind("text/plain; charset=utf-8"),
    ".md": Kind("text/markdown; charset=utf-8"),
    ".csv": Kind("text/csv; charset=utf-8"),
}
TEXT_EXTENSIONS = (".txt", ".md", ".csv")
ZIP_EXTENSIONS = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp")


def accepted_types_sentence() -> str:
    return _(
        "Only PDF, PNG and JPEG files, Word, Excel and PowerPoint files (.docx, .xlsx, .pptx), "
        "OpenDocument files (.odt, .ods, .odp) and plain text in UTF-8 (.txt, .md, .csv) are accepted, "
        "and the file name must end with the extension that matches its content."
    )


def _refuse_type() -> Invalid:
    message = accepted_types_sentence()
    return Invalid(message, fields={"file": message})


# --- checking what was sent ------------------------------------------------------------------


def sanitize_name(filename: str) -> str:
    """A display name: the basename only, no control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
    name = name.strip()
    if set(name) <= {"."}:  # "", "." and ".." name nothing
        name = ""
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: NAME_MAX - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:NAME_MAX].rstrip()
    if not name:
        message = _("The file has no usable name: rename it and try again.")
        raise Invalid(message, fields={"file": message})
    return name


def _zip_holds(data: bytes, kind: Kind) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if kind.zip_part is not None:
                return kind.zip_part in names and "[Content_Types].xml" in names
            if kind.odf_mimetype is not None and "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(200).decode("ascii", errors="replace").strip()
                return declared == kind.odf_mimetype
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError):
        return False
    return False


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff(name: str, data: bytes) -> str:
    """The content type the bytes show, if the name's extension agrees; Invalid otherwise."""
    extension = os.path.splitext(name)[1].lower()
    kind = KINDS.get(extension)
    if kind is None:
        raise _refuse_type()
    if kind is PDF:
        ok = data.startswith(b"%PDF-")
    elif kind is PNG:
        ok = data.startswith(b"\x89PNG\r\n\x1a\n")
    elif kind is JPEG:
        ok = data.startswith(b"\xff\xd8\xff")
    elif extension in ZIP_EXTENSIONS:
        ok = data.startswith(b"PK\x03\x04") and _zip_holds(data, kind)
    else:
        ok = extension in TEXT_EXTENSIONS and _is_text(data)
    if not ok:
        raise _refuse_type()
    return kind.content_type


def check_size(size: int) -> None:
    if size <= 0:
        message = _("The file is empty.")
        raise Invalid(message, fields={"file": message})
    if size > MAX_SIZE:
        message = _("The file is larger than 20 MB.")
        raise Invalid(message, fields={"file": message})


# --- the store ------------------------------------------------------------------------------


def store_dir() -> Path:
    return get_settings().var_dir / "documents"


def document_path(row: Row) -> Path:
    """Where a document's bytes are (content-addressed by their SHA-256)."""
    sha256 = str(row["sha256"])
    if not _SHA256.match(sha256):  # never build a path from anything but a hash
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return store_dir() / sha256


def _store(sha256: str, data: bytes) -> None:
    """Write the bytes under their hash, atomically; an intact existing copy is kept."""
    directory = store_dir()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / sha256
    with contextlib.suppress(FileNotFoundError):
        if target.stat().st_size == len(data):
            return
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX)
        directory_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)


# --- the service ----------------------------------------------------------------------------


def _may_upload(context: MeetingContext) -> bool:
    return MeetingRole.secretary in context.roles or services.drives(context)


async def upload(
    context: MeetingContext,
    principal: Principal,
    item_id: int,
    filename: str,
    data: bytes,
    declared_type: str | None = None,
) -> Row:
    """Attach a file to an agenda item, as a new version if the item has one of that name.

    ``declared_type`` (what the browser said) is deliberately not used: the type is
    read from the bytes.
    """
    if not _may_upload(context):
        raise Forbidden(_("Only the secretariat, or the chair, attaches documents to the agenda."))
    item = await services.get_item(context, item_id)
    if context.meeting["status"] == "closed":
        raise Conflict(_("The meeting is closed."))
    check_size(len(data))
    name = sanitize_name(filename)
    content_type = sniff(name, data)
    sha256 = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())

    async def attach() -> Row:
        if await store.meeting_status(context.meeting["id"]) == "closed":
            raise Conflict(_("The meeting is closed."))
        await services.get_item(context, item_id)  # still there
        version = await store.last_document_version(item_id, name) + 1
        # Written before the row commits: a committed row always has its file. A failure
        # after this point leaves at most an unreferenced, complete file behind.
        await asyncio.to_thread(_store, sha256, data)
        row = await store.insert_document(
            item_id,
            {
                "name": name,
                "version": version,
                "content_type": content_type,
                "size": len(data),
                "sha256": sha256,
                "uploaded_by": principal.person_id,
            },
        )
        await log.append(
            context.meeting["id"],
            "document_uploaded",
            principal.person_id,
            item=item["number"],
            document=row["id"],
            name=name,
            version=version,
            content_type=content_type,
            sha256=sha256,
            size=len(data),
        )
        return row

    return await services.change(context, attach)


def _order(rows: list[Row]) -> list[Row]:
    """By item (agenda order), then name; the latest version of each name first."""
    return sorted(
        rows,
        key=lambda row: (services.item_order(row["item_number"]), row["name"].casefold(), row["name"], -row["version"]),
    )


async def list_documents(context: MeetingContext, item_id: int | None = None) -> list[Row]:
    """Every version of every document of the meeting (or of one of its items)."""
    if item_id is not None:
        await services.get_item(context, item_id)
    async with reading():
        return _order(await store.documents(context.meeting["id"], item_id))


async def documents_by_item(context: MeetingContext) -> dict[int, list[Row]]:
    """The meeting's documents grouped by item id (one query), for the agenda page."""
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in await list_documents(context):
        grouped[row["item"]].append(row)
    return dict(grouped)


async def get_document(context: MeetingContext, document_id: int) -> Row:
    async with reading():
        row = await store.document(context.meeting["id"], document_id)
    if row is None:
        raise NotFound(_("No such document in this meeting."))
    return row
