"""Stored XSS: every text a user supplies comes back as text, in the pages and in the PDF.

Payloads go in through the same doors people use (the JSON API for a city's and a
person's name, the services the pages call for motions, amendments, the minutes narrative
and comments), the demo Board meeting is played with them, and then every page that
shows them is read back: the payload must be there escaped (``&lt;script&gt;``) and never
as a live tag or attribute. The minutes PDF is rendered and walked object by object: no
JavaScript, launch or URI action anywhere, and the payload readable as plain text.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
from html.parser import HTMLParser
from typing import Any

import pytest

from governance.demo import simulate
from governance.meetings.services import meeting_context
from governance.minutes import services as minutes

SLUG = "metropolis-bod-2012"
API_ORG = "/api/v1/organisations/metropolis"
SECRETARY = "secretary@metropolis.demo"

# One family of payloads per field, each with a marker so that a hit names its field.
CITY = "Guangzhou<script>alert('city')</script><img src=x onerror=alert('city')>"
PERSON = "Jean <svg onload=alert('person')> Paul\"'><script>alert('person')</script>"
MOTION = "Le Conseil approuve le budget <script>alert('motion')</script><a href=\"javascript:alert('motion')\">ici</a>"
AMENDMENT = "Le Conseil approuve <iframe src=\"javascript:alert('amendment')\"></iframe> 3 000 000 euros"
NARRATIVE = "Débat animé.\r\n\r\n<script>alert('narrative')</script><a href=\"javascript:alert('narrative')\">lien</a>"
FIELDS = ("city", "person", "motion", "amendment", "narrative", "comment")
COMMENT = "Merci <img src=x onerror=alert('comment')> <script>alert('comment')</script>"

class _LiveMarkup(HTMLParser):
    """Collects what a browser would run: inline scripts, event handlers, javascript: URLs,
    and the payloads' own elements (img src=x, svg, iframe)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not values.get("src"):
                self.live.append("inline <script>")
        if tag in ("iframe", "object", "embed") or (tag == "img" and values.get("src") == "x"):
            self.live.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.live.append(f"<{tag} {name}=javascript:...>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.live.append("script content")


def assert_escaped(html: str, where: str, *expected: str) -> None:
    parser = _LiveMarkup()
    parser.feed(html)
    assert not parser.live, f"{where}: live markup {parser.live}"
    for marker in expected:
        assert marker in html, f"{where}: {marker!r} not shown (escaped)"


async def _rename(client: Any) -> None:
    member = (await client.get(f"{API_ORG}/members/guangzhou")).json()
    body = {k: member[k] for k in ("slug", "country", "region", "category", "vote_weight")} | {"name": CITY}
    assert (await client.send("PUT", f"{API_ORG}/members/guangzhou", json=body)).status_code == 200
    people = (await client.get(f"{API_ORG}/people")).json()
    president = next(p for p in people if p["email"] == "paris-idf@metropolis.demo")
    body = {"email": president["email"], "full_name": PERSON, "language": president["language"]}
    updated = await client.send("PUT", f"{API_ORG}/people/{president['id']}", json=body)
    assert updated.status_code == 200 and updated.json()["full_name"] == PERSON


@pytest.fixture
async def poisoned(demo, make_client, monkeypatch):
    """The demo Board meeting played with a payload in every user-supplied text."""
    secretary = make_client()
    assert (await secretary.api_login(SECRETARY)).status_code == 200
    await _rename(secretary)
    _, english, spanish = simulate.TEXTS["budget"]
    monkeypatch.setitem(simulate.TEXTS, "budget", (MOTION, english + " " + MOTION, spanish))
    _, english, spanish = simulate.TEXTS["admission"]  # never amended: shown as moved
    monkeypatch.setitem(simulate.TEXTS, "admission", (MOTION, english, spanish))
    _, english, spanish = simulate.TEXTS["budget-amendment"]
    monkeypatch.setitem(simulate.TEXTS, "budget-amendment", (AMENDMENT, AMENDMENT, spanish))
    report = await simulate.play(simulate.DEFAULT_SEED, with_minutes=False)
    assert report.played, report.message
    context = await meeting_context(SLUG, await simulate.principal_for(SECRETARY))
    principal = await simulate.principal_for(SECRETARY)
    first = await minutes.draft(context, principal)
    edited = await minutes.edit(context, principal, first["version"], {"4": NARRATIVE})
    await minutes.circulate(context, principal, edited["version"])
    member = await simulate.principal_for("berlin@metropolis.demo")
    await minutes.comment(await meeting_context(SLUG, member), member, edited["version"], COMMENT)
    return edited["version"]


async def test_pages_show_every_payload_as_text(poisoned, make_client):
    secretary, tablet = make_client(), make_client()
    assert (await secretary.page_login(SECRETARY)).status_code == 303
    assert (await tablet.page_login("berlin@metropolis.demo")).status_code == 303
    pages = [
        (secretary, "/organisations/metropolis/members"),
        (secretary, "/organisations/metropolis/people"),
        (secretary, f"/meetings/{SLUG}/desk"),
        (secretary, f"/meetings/{SLUG}/agenda"),
        (secretary, f"/meetings/{SLUG}/console"),
        (secretary, f"/meetings/{SLUG}/projector"),
        (secretary, f"/meetings/{SLUG}/minutes"),
        (tablet, f"/meetings/{SLUG}"),
        (tablet, f"/meetings/{SLUG}/minutes"),
        (tablet, f"/meetings/{SLUG}/minutes/{poisoned}"),
        (tablet, f"/meetings/{SLUG}/minutes/{poisoned}?language=fr"),
    ]
    shown: dict[str, set[str]] = {field: set() for field in FIELDS}
    for client, url in pages:
        response = await client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_escaped(response.text, url)
        for field in FIELDS:
            if f"alert(&#39;{field}&#39;)" in response.text:
                shown[field].add(url)
    # Every payload was rendered (escaped) on at least one page: nothing was silently dropped.
    assert [field for field, where in shown.items() if not where] == [], shown
    assert "Guangzhou&lt;script&gt;alert(&#39;city&#39;)&lt;/script&gt;" in (
        await secretary.get(f"/meetings/{SLUG}/desk")
    ).text
    # The JSON API returns the text as data, served as application/json (never sniffed as HTML).
    member = await secretary.get("/api/v1/organisations/metropolis/members/guangzhou")
    assert member.headers["content-type"].startswith("application/json") and member.json()["name"] == CITY
    assert member.headers["x-content-type-options"] == "nosniff"


def _walk_pdf(pdf: bytes) -> tuple[list[str], int]:
    """Every action-like entry in every object of every revision of the PDF."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    found: list[str] = []

    def visit(obj: Any, depth: int = 0) -> None:
        if depth > 8:
            return
        if isinstance(obj, generic.IndirectObject):
            return  # visited on its own
        if isinstance(obj, generic.DictionaryObject):
            for key, value in obj.items():
                if key in ("/JS", "/JavaScript", "/Launch", "/OpenAction", "/AA", "/SubmitForm", "/ImportData"):
                    found.append(key)
                if key == "/S" and str(value) in ("/JavaScript", "/Launch", "/URI", "/SubmitForm", "/GoToR"):
                    found.append(f"/S {value}")
                if key == "/URI":
                    found.append(f"/URI {value}")
                visit(value, depth + 1)
        elif isinstance(obj, generic.ArrayObject):
            for value in obj:
                visit(value, depth + 1)

    objects = 0
    for revision in range(reader.xrefs.total_revisions):
        for ref in reader.xrefs.explicit_refs_in_revision(revision):
            visit(reader.get_object(ref))
            objects += 1
    return found, objects


async def test_the_minutes_pdf_carries_the_payloads_as_text_only(poisoned):
    principal = await simulate.principal_for(SECRETARY)
    context = await meeting_context(SLUG, principal)
    version = await minutes.get_version(context, poisoned)
    pdf = await minutes._render_pdf(context, version)
    assert pdf.startswith(b"%PDF-")
    actions, objects = _walk_pdf(pdf)
    assert objects > 20 and actions == []  # no script, no launch, no link of any kind
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the text check needs it")
    extracted = await asyncio.to_thread(
        subprocess.run, ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    text = extracted.stdout.decode()
    flat = " ".join(text.split())
    # The payloads are printed as the characters that were typed.
    assert "<script>alert('narrative')</script>" in flat
    assert "alert('motion')" in flat and "<iframe" in flat
    assert "Guangzhou<script>alert('city')</script>" in flat.replace(" ", "") or "alert('city')" in flat
