"""Documents attached to agenda items, over real HTTP: upload (typed from the bytes, not
from the browser), versions, download, refusals that leave nothing behind, the log."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from governance.agenda.documents import MAX_SIZE, sanitize_name
from governance.agenda.tables import AgendaDocument
from governance.settings import get_settings

SLUG = "metropolis-bod-2012"
API = f"/api/v1/meetings/{SLUG}"
PAGES = f"/meetings/{SLUG}"
SECRETARY = "secretary@metropolis.demo"
CHAIR = "paris-idf@metropolis.demo"
REPRESENTATIVE = "guangzhou@metropolis.demo"
OUTSIDER = "secretary@fmdv.demo"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = "Only PDF, PNG and JPEG files"
MULTIPART = "multipart/form-data; boundary=xx"


def minimal_pdf(text: str = "Budget 2013") -> bytes:
    """A small but valid PDF: one page showing ``text``, with a correct xref table."""
    stream = f"BT /F1 24 Tf 72 700 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def make_zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def minimal_docx(text: str = "Report of the Treasurer") -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
            ),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
            ),
            "word/document.xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
            ),
        }
    )


def store() -> Path:
    return get_settings().var_dir / "documents"


def stored_files() -> set[str]:
    return {path.name for path in store().iterdir()} if store().exists() else set()


async def signed_in(make_client, email: str):
    client = make_client()
    assert (await client.api_login(email)).status_code == 200
    return client


async def item_ids(client) -> dict[str, int]:
    response = await client.get(f"{API}/agenda")
    assert response.status_code == 200, response.text
    return {item["number"]: item["id"] for item in response.json()}


async def upload(client, item_id: int, name: str, data: bytes, declared: str = "application/octet-stream"):
    return await client.send("POST", f"{API}/agenda/items/{item_id}/documents", files={"file": (name, data, declared)})


def test_names_are_sanitized():
    assert sanitize_name("C:\\Users\\me\\Budget 2013.pdf") == "Budget 2013.pdf"
    assert sanitize_name("../../etc/pass\x00wd\x07\n.txt") == "passwd.txt"
    assert sanitize_name("  Rapport\u202efdp.docx ") == "Rapportfdp.docx"
    long = sanitize_name("x" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")
    for hopeless in ("", "..", "dir/", "\x01\x02"):
        try:
            sanitize_name(hopeless)
        except Exception as exc:
            assert "no usable name" in str(exc)
        else:
            raise AssertionError(hopeless)


async def test_upload_versions_download_and_log(demo, make_client):
    desk = await signed_in(make_client, SECRETARY)
    chair = await signed_in(make_client, CHAIR)
    rep = await signed_in(make_client, REPRESENTATIVE)
    items = await item_ids(desk)
    budget = items["3"]

    # A PDF, declared as anything by the browser: the type comes from the bytes.
    first = minimal_pdf("Budget 2013, draft")
    response = await upload(desk, budget, "Budget 2013.pdf", first, declared="text/html")
    assert response.status_code == 201, response.text
    v1 = response.json()
    assert v1["item"] == budget and v1["name"] == "Budget 2013.pdf" and v1["version"] == 1
    assert v1["content_type"] == "application/pdf"
    assert v1["size"] == len(first) and v1["sha256"] == hashlib.sha256(first).hexdigest()
    assert (store() / v1["sha256"]).read_bytes() == first

    # The same name again is a new version; the first is kept.
    second = minimal_pdf("Budget 2013, as amended")
    response = await upload(chair, budget, "Budget 2013.pdf", second)
    assert response.status_code == 201, response.text
    v2 = response.json()
    assert v2["version"] == 2 and v2["sha256"] == hashlib.sha256(second).hexdigest() and v2["id"] != v1["id"]

    # A Word document, recognised inside its zip.
    docx = minimal_docx()
    response = await upload(desk, budget, "Treasurer's report.docx", docx)
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["content_type"] == DOCX_TYPE and report["version"] == 1

    # A path and control characters in the name are dropped.
    response = await upload(desk, items["4"], "..\\..\\etc/no\u202etes.txt", "Ordre du jour annoté\n".encode())
    assert response.status_code == 201, response.text
    notes = response.json()
    assert notes["name"] == "notes.txt" and notes["content_type"] == "text/plain; charset=utf-8"

    # Every version is listed, the latest of each name first.
    listing = await rep.get(f"{API}/documents", params={"item": budget})
    assert listing.status_code == 200, listing.text
    assert [(d["name"], d["version"]) for d in listing.json()] == [
        ("Budget 2013.pdf", 2),
        ("Budget 2013.pdf", 1),
        ("Treasurer's report.docx", 1),
    ]
    assert len((await rep.get(f"{API}/documents")).json()) == 4

    # Any participant downloads; the bytes are the ones uploaded, and nothing is sniffed.
    text = "Ordre du jour annoté\n".encode()
    for document, content in ((v1, first), (v2, second), (report, docx), (notes, text)):
        response = await rep.get(f"{API}/documents/{document['id']}")
        assert response.status_code == 200, response.text
        assert response.content == content
        assert hashlib.sha256(response.content).hexdigest() == document["sha256"]
        assert response.headers["content-type"] == document["content_type"]
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]
        assert response.headers["etag"] == f'"{document["sha256"]}"'
        assert response.headers["content-disposition"].startswith("attachment;")
        if document is report:
            assert "filename*=UTF-8''Treasurer%27s%20report.docx" in response.headers["content-disposition"]
    unchanged = await rep.get(f"{API}/documents/{v1['id']}", headers={"If-None-Match": f'"{v1["sha256"]}"'})
    assert unchanged.status_code == 304 and unchanged.content == b""
    # The browser route serves the same file.
    page_download = await rep.get(f"{PAGES}/documents/{v2['id']}")
    assert page_download.status_code == 200 and page_download.content == second
    assert (await rep.get(f"{API}/documents/999999")).status_code == 404

    # The meeting log says who attached what.
    events = (await rep.get(f"{API}/log")).json()
    uploaded = [e for e in events if e["kind"] == "document_uploaded"]
    assert len(uploaded) == 4
    expected = {"item": "3", "name": "Budget 2013.pdf", "version": 2, "sha256": v2["sha256"], "size": len(second)}
    assert {key: uploaded[1]["payload"][key] for key in expected} == expected
    assert uploaded[0]["actor"] and uploaded[1]["actor"] and uploaded[0]["actor"] != uploaded[1]["actor"]


async def test_refusals_leave_nothing_behind(demo, make_client):
    desk = await signed_in(make_client, SECRETARY)
    rep = await signed_in(make_client, REPRESENTATIVE)
    outsider = await signed_in(make_client, OUTSIDER)
    item = (await item_ids(desk))["3"]
    before = stored_files()
    pdf = minimal_pdf()

    async def refused(name: str, data: bytes, status: int, text: str, client=desk) -> None:
        response = await upload(client, item, name, data)
        assert response.status_code == status, f"{name}: {response.status_code} {response.text}"
        assert text in response.json()["detail"], response.json()["detail"]

    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4
    await refused("minutes.pdf", exe, 422, ACCEPTED)
    await refused("minutes.pdf", bytes(range(256)) * 8, 422, ACCEPTED)
    await refused("setup.exe", exe, 422, ACCEPTED)
    await refused("no-extension", pdf, 422, ACCEPTED)
    await refused("report.docx", make_zip({"[Content_Types].xml": "<Types/>", "hello.txt": "hi"}), 422, ACCEPTED)
    await refused("report.docx", pdf, 422, ACCEPTED)  # the extension disagrees with the content
    await refused("report.pdf", minimal_docx(), 422, ACCEPTED)
    await refused("sheet.xlsx", minimal_docx(), 422, ACCEPTED)  # a Word file is not a workbook
    await refused("report.docx", b"PK\x03\x04 not really a zip", 422, ACCEPTED)
    await refused("notes.txt", b"text\x00with a NUL", 422, ACCEPTED)
    await refused("notes.txt", "Café".encode("latin-1"), 422, ACCEPTED)
    await refused("empty.pdf", b"", 422, "The file is empty.")
    await refused("...", pdf, 422, "no usable name")
    # Just over 20 MiB: read, then refused by the service.
    await refused("big.pdf", b"%PDF-1.4\n" + b"0" * (MAX_SIZE - 8), 422, "The file is larger than 20 MB.")
    # Well over: refused before the body is read, with a sentence, not a stack trace.
    response = await upload(desk, item, "huge.pdf", b"%PDF-1.4\n" + b"0" * (MAX_SIZE + 1024 * 1024))
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "The file is larger than 20 MB."
    # No file, or not a multipart body at all.
    url = f"{API}/agenda/items/{item}/documents"
    response = await desk.send("POST", url)
    assert response.status_code == 422 and response.json()["detail"] == "Choose a file to upload."
    for body in ({"json": {"file": "x"}}, {"content": b"--xx\r\ngarbage", "headers": {"content-type": MULTIPART}}):
        response = await desk.send("POST", url, **body)
        assert response.status_code == 400, response.text
        assert "The upload could not be read" in response.json()["detail"]
    # An item of no meeting of ours.
    response = await upload(desk, 999999, "minutes.pdf", pdf)
    assert response.status_code == 404, response.text

    # Who may: a representative may not upload, an outsider may not read or download.
    await refused("minutes.pdf", pdf, 403, "", client=rep)
    await refused("minutes.pdf", pdf, 403, "", client=outsider)
    assert await AgendaDocument.count() == 0
    assert stored_files() == before
    uploaded = await upload(desk, item, "minutes.pdf", pdf)
    assert uploaded.status_code == 201, uploaded.text
    document_id = uploaded.json()["id"]
    assert (await outsider.get(f"{API}/documents/{document_id}")).status_code == 403
    assert (await outsider.get(f"{API}/documents")).status_code == 403
    assert (await outsider.get(f"{PAGES}/documents/{document_id}")).status_code == 403
    assert (await rep.get(f"{API}/documents/{document_id}")).status_code == 200
    # Nothing half-written in the store.
    assert not [name for name in stored_files() if name.startswith(".")]
    events = (await desk.get(f"{API}/log")).json()
    assert [e["payload"]["name"] for e in events if e["kind"] == "document_uploaded"] == ["minutes.pdf"]


async def test_closed_meeting_takes_no_document(demo, make_client):
    desk = await signed_in(make_client, SECRETARY)
    chair = await signed_in(make_client, CHAIR)
    item = (await item_ids(desk))["3"]
    for status in ("open", "closed"):
        assert (await chair.send("POST", f"{API}/status", json={"status": status, "confirm": True})).status_code == 200
    response = await upload(desk, item, "late.pdf", minimal_pdf())
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == "The meeting is closed."
    assert await AgendaDocument.count() == 0


async def test_agenda_page_upload_and_download(demo, client):
    assert (await client.page_login(SECRETARY)).status_code == 303
    items = await item_ids(client)
    item = items["3"]
    page = await client.get(f"{PAGES}/agenda")
    assert page.status_code == 200
    assert f'action="/meetings/{SLUG}/agenda/items/{item}/documents" enctype="multipart/form-data"' in page.text

    url = f"{PAGES}/agenda/items/{item}/documents"
    token = client.csrf
    pdf = minimal_pdf()
    done = await client.http.post(
        url, data={"_csrf_token": token}, files={"file": ("Budget 2013.pdf", pdf, "application/pdf")}
    )
    assert done.status_code == 303 and done.headers["location"] == f"{PAGES}/agenda"
    document = (await AgendaDocument.select().first())["id"]
    page = await client.get(f"{PAGES}/agenda")
    assert "Budget 2013.pdf" in page.text and f'href="/meetings/{SLUG}/documents/{document}"' in page.text
    download = await client.get(f"{PAGES}/documents/{document}")
    assert download.status_code == 200 and download.content == pdf

    # A refusal shows the agenda page again, with the sentence and the documents so far.
    again = await client.http.post(
        url, data={"_csrf_token": token}, files={"file": ("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}
    )
    assert again.status_code == 422
    assert ACCEPTED in again.text and "Budget 2013.pdf" in again.text
    empty = await client.http.post(url, data={"_csrf_token": token}, files={"file": ("", b"", "application/pdf")})
    assert empty.status_code == 422 and "Choose a file to upload." in empty.text
    # Too large from a browser: a page with the sentence.
    huge = await client.http.post(
        url, data={"_csrf_token": token}, files={"file": ("huge.pdf", b"%PDF-" + b"0" * (MAX_SIZE + 1024 * 1024))}
    )
    assert huge.status_code == 413 and "The file is larger than 20 MB." in huge.text
    # Without the CSRF token, nothing.
    forged = await client.http.post(url, files={"file": ("x.pdf", pdf, "application/pdf")})
    assert forged.status_code == 403
    assert await AgendaDocument.count() == 1
