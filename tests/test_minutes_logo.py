"""The organisation's logo on the letterhead of its minutes (issue 20): uploaded on the back
office by the organisation's secretariat, checked (PNG or JPEG, size, dimensions) with a sentence
in the form when it is refused, shown in the minutes' HTML and on page 1 of the signed PDF."""

from __future__ import annotations

import asyncio
import html
import io
import re
import shutil
import subprocess
from typing import Any

import pytest
from PIL import Image

from governance.demo import simulate
from governance.meetings.tables import Meeting
from governance.minutes.tables import MinutesVersion
from governance.organisations import logos, services

LOGO = "/organisations/metropolis/logo"


def image(kind: str = "PNG", size: tuple[int, int] = (240, 80), noise: bool = False, mode: str = "RGB") -> bytes:
    picture = Image.new(mode, size, (20, 60, 140) if mode == "RGB" else (90, 60, 0, 10))
    if noise:  # incompressible pixels, to make a file larger than the limit
        import os

        picture = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    picture.save(out, format=kind)
    return out.getvalue()


async def upload(client: Any, content: bytes, filename: str, media_type: str, url: str = LOGO) -> Any:
    return await client.http.post(
        url,
        data={"_csrf_token": await client.ensure_csrf()},
        files={"logo": (filename, content, media_type)},
        follow_redirects=False,
    )


def field_error(response: Any) -> str | None:
    found = re.search(r'<p class="error" id="f-logo-error">(.*?)</p>', response.text, re.S)
    return html.unescape(found.group(1)).strip() if found else None


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="pdfimages (poppler-utils) is missing")
async def test_the_secretariat_uploads_a_logo_that_heads_the_signed_minutes(demo, client):
    assert (await client.page_login("secretary@metropolis.demo")).status_code == 303
    form = await client.get(LOGO)
    assert form.status_code == 200
    assert 'name="_csrf_token"' in form.text and 'enctype="multipart/form-data"' in form.text
    assert 'href="/organisations/metropolis/logo"' in (await client.get("/organisations/metropolis")).text

    done = await upload(client, image("PNG", (240, 80)), "logo.png", "image/png")
    assert done.status_code == 303 and done.headers["location"] == LOGO
    org = await services.get_organisation("metropolis")
    stored = await services.get_logo(org)
    assert stored is not None and (stored["media_type"], stored["width"], stored["height"]) == ("image/png", 240, 80)
    shown = await client.get(LOGO)
    assert '<img src="data:image/png;base64,' in shown.text

    # The played meeting's minutes, signed and published: the letterhead carries the logo.
    report = await simulate.play(simulate.DEFAULT_SEED)
    assert report.played, report.message
    row = await MinutesVersion.select().where(MinutesVersion.status == "published").first()
    done = await asyncio.to_thread(
        subprocess.run, ["pdfimages", "-list", "-f", "1", "-l", "1", "-"], input=bytes(row["pdf"]),
        capture_output=True, check=True,
    )  # fmt: skip
    listing = done.stdout.decode()
    sizes = [line.split()[3:5] for line in listing.splitlines()[2:]]
    assert ["240", "80"] in sizes, listing
    meeting = await Meeting.select(Meeting.slug).where(Meeting.id == row["meeting"]).first()
    page = await client.get(f"/meetings/{meeting['slug']}/minutes/{row['version']}")
    assert page.status_code == 200  # the minutes' page has the same letterhead
    assert 'class="letterhead-logo"><img src="data:image/png;base64,' in page.text

    # A JPEG replaces it; removing it leaves the letterhead to the name alone.
    assert (await upload(client, image("JPEG", (300, 100)), "logo.jpg", "image/jpeg")).status_code == 303
    stored = await services.get_logo(org, with_image=False)
    assert stored is not None and stored["media_type"] == "image/jpeg"
    assert (await client.post_form(f"{LOGO}/remove", follow_redirects=False)).status_code == 303
    assert await services.get_logo(org) is None


@pytest.mark.parametrize(
    ("content", "filename", "media_type", "said"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "image/svg+xml", "This file is not a PNG or JPEG"),
        (image("GIF"), "logo.gif", "image/gif", "The logo must be a PNG or JPEG image."),
        (b"", "logo.png", "image/png", "Choose an image file (PNG or JPEG)."),
        (image("PNG", (8, 8)), "tiny.png", "image/png", "The logo is 8 × 8 pixels: each side must be between 16"),
        (image("PNG", (600, 400), noise=True), "big.png", "image/png", "The logo is too large ("),
        (image("PNG")[:200], "cut.png", "image/png", "This file is not a PNG or JPEG image."),
        (image("JPEG", mode="CMYK"), "print.jpg", "image/jpeg", "The logo is in CMYK colours: save it in RGB"),
    ],
    ids=["svg", "gif", "empty", "tiny", "too-large", "truncated", "cmyk"],
)
async def test_a_wrong_logo_is_refused_with_a_sentence(demo, client, content, filename, media_type, said):
    assert (await client.page_login("secretary@metropolis.demo")).status_code == 303
    refused = await upload(client, content, filename, media_type)
    assert refused.status_code == 422
    assert field_error(refused).startswith(said)
    if filename == "big.png":
        assert len(content) > logos.MAX_BYTES and "at most 512 KB" in field_error(refused)
    assert await services.get_logo(await services.get_organisation("metropolis")) is None


async def test_another_organisations_secretariat_cannot_upload(demo, client):
    assert (await client.page_login("secretary@fmdv.demo")).status_code == 303
    assert (await upload(client, image(), "logo.png", "image/png", url="/organisations/fmdv/logo")).status_code == 303
    refused = await upload(client, image(), "logo.png", "image/png")
    assert refused.status_code == 403
    assert (await client.get(LOGO)).status_code == 403
    assert (await client.post_form(f"{LOGO}/remove", follow_redirects=False)).status_code == 403
    assert await services.get_logo(await services.get_organisation("metropolis")) is None


async def test_without_the_csrf_token_nothing_is_uploaded(demo, client):
    assert (await client.page_login("secretary@metropolis.demo")).status_code == 303
    response = await client.http.post(LOGO, files={"logo": ("logo.png", image(), "image/png")}, follow_redirects=False)
    assert response.status_code == 403
    assert await services.get_logo(await services.get_organisation("metropolis")) is None
