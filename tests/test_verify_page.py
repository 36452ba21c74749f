"""The public verify page: signed minutes (PDF) and record bundles (.zip), from anyone."""

from __future__ import annotations

import io
import zipfile

from governance import export
from governance.demo import simulate
from governance.minutes.tables import MinutesVersion

SLUG = "metropolis-bod-2012"


async def _played():
    report = await simulate.play(simulate.DEFAULT_SEED)
    assert report.played, report.message
    return bytes(
        (await MinutesVersion.select(MinutesVersion.pdf).where(MinutesVersion.status == "published").first())["pdf"]
    )


async def _upload(client, name: str, content: bytes):
    await client.ensure_csrf()
    return await client.post_form("/verify/", {}, files={"file": (name, content, "application/octet-stream")})


async def test_anyone_checks_signed_minutes_and_sees_a_changed_byte(demo, make_client, tmp_path):
    document = await _played()
    visitor = make_client()  # signed out
    form = await visitor.get("/verify/")
    assert form.status_code == 200 and 'type="file"' in form.text
    good = await _upload(visitor, "minutes.pdf", document)
    assert good.status_code == 200, good.text
    assert "Valid: signed by" in good.text and "Jean-Paul Huchon" in good.text
    assert "version 2 (published)" in good.text
    middle = len(document) // 3
    changed = document[:middle] + bytes([document[middle] ^ 1]) + document[middle + 1 :]
    bad = await _upload(visitor, "minutes.pdf", changed)
    assert bad.status_code == 200 and "Not valid" in bad.text
    junk = await _upload(visitor, "notes.txt", b"hello")
    assert junk.status_code == 200 and "neither a PDF nor a bundle" in junk.text


async def test_a_bundle_zip_is_run_through_the_verifier(demo, make_client, tmp_path):
    await _played()
    directory = tmp_path / "bundle"
    await export.export(SLUG, directory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.iterdir()):
            archive.write(path, f"bundle/{path.name}")
    visitor = make_client()
    ok = await _upload(visitor, "bundle.zip", buffer.getvalue())
    assert ok.status_code == 200 and "Valid: every check of the record holds." in ok.text
    assert "8. minutes: version 2" in ok.text
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.iterdir()):
            data = path.read_bytes()
            if path.name == "minutes.json":
                data = data.replace(b"BoD-2012-01", b"BoD-2012-91")
            archive.writestr(path.name, data)
    bad = await _upload(visitor, "bundle.zip", buffer.getvalue())
    assert bad.status_code == 200 and "Not valid: minutes.json: SHA-256 differs from manifest" in bad.text


async def test_published_minutes_are_public_as_a_pdf(demo, make_client):
    document = await _played()
    visitor = make_client()
    fetched = await visitor.get(f"/published/{SLUG}/minutes/2")
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "application/pdf"
    assert fetched.content == document
    assert (await visitor.get(f"/published/{SLUG}/minutes/1")).status_code == 404  # not published


async def test_a_forged_bundle_signed_with_a_fresh_key_is_not_signed_by_metropolis(demo, make_client, tmp_path):
    """The attack of issue 17: a record built and signed with a key of one's own passes every
    internal check, so the page pins it to the keys Metropolis published here."""
    from tests.support.record import build

    await _played()  # Metropolis has a published key
    forged = build(organisation="metropolis")
    directory = forged.write(tmp_path / "forged")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.iterdir()):
            archive.write(path, path.name)
    answer = await _upload(make_client(), "bundle.zip", buffer.getvalue())
    assert answer.status_code == 200
    assert "Not valid: not signed by Metropolis" in answer.text, answer.text
    assert "which Metropolis – World Association of the Major Metropolises has not published here" in answer.text


def _cells(html: str) -> list[list[str]]:
    import re

    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


async def test_in_french_a_genuine_and_a_tampered_pdf_each_get_one_plain_verdict(demo, make_client):
    """Issue 20: one verdict line said once, offices by their names, local times with their
    zone, and "key published by Metropolis" answered from the certificate even when the
    document was changed (its signature no longer validates, its signer's key is still theirs)."""
    document = await _played()
    visitor = make_client()
    await visitor.get("/language/fr?next=/verify/")
    good = await _upload(visitor, "pv.pdf", document)
    assert good.text.count("Valide :") == 1 and "Valide : Valide" not in good.text
    rows = _cells(good.text)
    assert [row[1].split("(")[0] for row in rows] == ["Président", "Secrétaire général"], rows  # not codes
    assert all(row[3:] == ["oui", "oui"] for row in rows), rows
    assert all("(Asia/Shanghai)" in row[2] for row in rows), rows  # the meeting's time zone
    assert "Clé publiée par Metropolis" in good.text
    middle = len(document) // 3
    changed = document[:middle] + bytes([document[middle] ^ 1]) + document[middle + 1 :]
    bad = await _upload(visitor, "pv.pdf", changed)
    assert bad.text.count("Non valide :") == 1 and "Non valide : Non valide" not in bad.text
    rows = _cells(bad.text)
    assert rows and all(row[4] == "oui" for row in rows), rows  # still Metropolis' key
    assert any(row[3] == "non" for row in rows), rows
