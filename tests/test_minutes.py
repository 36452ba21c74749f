"""Minutes of the played Guangzhou Board meeting: drafted from the record with every fact,
edited in versions, circulated with comments, approved, signed by the President and the
Secretary General with their own keys, published; and every refusal on the way."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from governance.db import writing
from governance.demo import simulate
from governance.errors import Conflict, Forbidden
from governance.meetings.services import meeting_context
from governance.minutes import services as minutes
from governance.minutes.tables import MinutesVersion, SignatoryKey
from governance.record import canonical

SLUG = "metropolis-bod-2012"
SECRETARY, PRESIDENT, MEMBER = "secretary@metropolis.demo", "paris-idf@metropolis.demo", "guangzhou@metropolis.demo"


async def acting(email: str):
    principal = await simulate.principal_for(email)
    return await meeting_context(SLUG, principal), principal


@pytest.fixture
async def played(demo):
    report = await simulate.play(simulate.DEFAULT_SEED, with_minutes=False)
    assert report.played, report.message
    return report


async def test_the_minutes_hold_every_fact_of_the_record(played):
    context, secretary = await acting(SECRETARY)
    first = await minutes.draft(context, secretary)
    content = minutes.content_of(first)
    facts = content["facts"]
    assert (first["version"], first["status"], content["language"]) == (1, "draft", "fr")
    assert facts["body"]["slug"] == "bod" and facts["meeting"]["venue"] and facts["meeting"]["time_zone"]
    assert facts["meeting"]["convened_at"].startswith("2012-10-") and facts["meeting"]["notice_days"] == 30
    assert facts["meeting"]["opened_at"] and facts["meeting"]["closed_at"]
    assert facts["chair"]["office"] == "president" and facts["secretary"]["name"]
    states = {line["state"] for line in facts["attendance"]}
    assert {"present", "represented", "absent"} <= states
    represented = next(line for line in facts["attendance"] if line["state"] == "represented")
    assert represented["proxy_to"]
    assert facts["quorum"]["opening"]["met"] and facts["quorum"]["opening"]["required"] == 14
    assert len(facts["quorum"]["polls"]) >= 6
    numbers = [item["number"] for item in facts["items"]]
    assert numbers == ["1", "2", "3", "4", "5", "6", "7", "8"]
    budget = next(item for item in facts["items"] if item["number"] == "4")
    assert budget["recusals"] and budget["recusals"][0]["reason"]
    assert [s["member"] for s in budget["speakers"]] == ["Barcelona"] and budget["speakers"][0]["to"]
    amendment = next(m for m in budget["motions"] if m["kind"] == "amendment")
    main = next(m for m in budget["motions"] if m["kind"] == "main")
    assert amendment["status"] in ("adopted", "rejected") and amendment["polls"][0]["arithmetic"]
    assert main["decision_number"] == "BoD-2012-03" and main["polls"][-1]["method"] == "secret"
    assert "= 12" in main["polls"][-1]["arithmetic"]  # the arithmetic, as counted
    assert [d["number"] for d in facts["decisions"]] == [f"BoD-2012-0{n}" for n in range(1, 6)]
    hands = next(item for item in facts["items"] if item["number"] == "7")["motions"][0]["polls"][0]
    assert hands["method"] == "show_of_hands" and hands["tellers"]
    assert all("casting_vote" in p for item in facts["items"] for m in item["motions"] for p in m["polls"])
    assert facts["annex"]["log_head"]["hash"] and len(facts["annex"]["polls"]) >= 4
    assert all(len(p["merkle_root"]) == 64 for p in facts["annex"]["polls"])


async def test_from_draft_to_published_with_two_signatures(played):
    context, secretary = await acting(SECRETARY)
    await minutes.draft(context, secretary)
    edited = await minutes.edit(context, secretary, 1, {"4": "Le Trésorier présente le budget 2013."})
    assert edited["version"] == 2 and minutes.content_of(edited)["supersedes"]["version"] == 1
    changes = minutes.diff(await minutes.get_version(context, 1), edited)
    assert ("ins", '  "4": "Le Trésorier présente le budget 2013."') in changes
    with pytest.raises(Conflict):  # edits go to the latest version only
        await minutes.edit(context, secretary, 1, {"4": "x"})
    await minutes.circulate(context, secretary, 2)
    member_context, member = await acting(MEMBER)
    await minutes.comment(member_context, member, 2, "Please name the Treasurer.")
    assert [c["text"] for c in await minutes.comments(context, 2)] == ["Please name the Treasurer."]
    with pytest.raises(Conflict):  # circulated: no more edits
        await minutes.edit(context, secretary, 2, {"4": "changed"})
    chair_context, president = await acting(PRESIDENT)
    with pytest.raises(Forbidden):
        await minutes.approve(member_context, member, 2, None)
    approved = await minutes.approve(chair_context, president, 2, None)
    assert approved["status"] == "approved" and approved["approved_hash"] == approved["content_hash"]

    await minutes.set_passphrase(president, "paris-signs-2012", "metropolis")
    await minutes.set_passphrase(secretary, "secretariat-signs-2012", "metropolis")
    with pytest.raises(Forbidden, match="does not open your key"):
        await minutes.sign(chair_context, president, 2, "wrong-passphrase", "president")
    with pytest.raises(Forbidden, match="do not hold the office"):
        await minutes.sign(chair_context, president, 2, "paris-signs-2012", "secretary_general")
    with pytest.raises(Conflict, match="Not every signatory"):
        await minutes.publish(context, secretary, 2)
    await minutes.sign(chair_context, president, 2, "paris-signs-2012", "president")
    with pytest.raises(Conflict, match="already signed"):
        await minutes.sign(chair_context, president, 2, "paris-signs-2012", "president")
    signed = await minutes.sign(context, secretary, 2, "secretariat-signs-2012", "secretary_general")
    assert signed["status"] == "signed"
    published = await minutes.publish(context, secretary, 2)
    assert published["status"] == "published" and published["published_at"]

    # Each signature covers the exact bytes of the content, under the signer's certified key.
    body = published["content"].encode()
    for signature in await minutes.signatures(context, 2):
        key = await SignatoryKey.select().where(SignatoryKey.fingerprint == signature["fingerprint"]).first()
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"])).verify(
            base64.b64decode(signature["signature"]), body
        )
        # Its X.509 certificate names the signer and is issued by the organisation's key.
        issued, authority = (x509.load_pem_x509_certificate(pem) for pem in minutes._pems(key["certificate"]))
        common_name = issued.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
        assert common_name == signature["name"]
        authority.public_key().verify(issued.signature, issued.tbs_certificate_bytes)
    assert canonical.sha256_hex(body) == published["content_hash"]
    # Signed minutes are immutable; a correction is a new version citing them.
    with pytest.raises(Conflict):
        await minutes.edit(context, secretary, 2, {"4": "changed"})
    correction = await minutes.draft(context, secretary)
    assert correction["version"] == 3
    assert minutes.content_of(correction)["supersedes"] == {"version": 2, "hash": published["content_hash"]}
    kinds = [e["kind"] for e in await _log_kinds(context)]
    for kind in ("minutes_drafted", "minutes_circulated", "minutes_approved", "minutes_signed", "minutes_published"):
        assert kind in kinds


async def test_minutes_changed_after_approval_cannot_be_signed(played):
    context, secretary = await acting(SECRETARY)
    chair_context, president = await acting(PRESIDENT)
    await minutes.draft(context, secretary)
    await minutes.circulate(context, secretary, 1)
    await minutes.approve(chair_context, president, 1, None)
    await minutes.set_passphrase(president, "paris-signs-2012", "metropolis")
    # Someone with database access rewrites the approved text: the database refuses, since
    # approval pins the content's hash (and signing re-checks it before covering the bytes).
    row = await MinutesVersion.select().where(MinutesVersion.version == 1).first()
    tampered = row["content"].replace("BoD-2012-03", "BoD-2012-99")
    for values in (
        {MinutesVersion.content: tampered, MinutesVersion.content_hash: canonical.sha256_hex(tampered.encode())},
        {MinutesVersion.content_hash: "0" * 64},
    ):
        with pytest.raises(Exception) as refused:  # each engine raises its own type
            async with writing():
                await MinutesVersion.update(values).where(MinutesVersion.id == row["id"])
        assert "check" in f"{refused.value} {refused.value.__cause__}".lower()
    signed = await minutes.sign(chair_context, president, 1, "paris-signs-2012", "president")
    assert signed["content"] == row["content"]


async def _log_kinds(context):
    from governance.record import log

    return await log.events(context.meeting["id"])


async def test_signed_minutes_export_with_their_pdf_and_verify_offline(played, tmp_path, capsys):
    from governance import export
    from governance.minutes import pdf
    from governance.verify import main as verify

    context, secretary = await acting(SECRETARY)
    chair_context, president = await acting(PRESIDENT)
    await minutes.draft(context, secretary)
    await minutes.circulate(context, secretary, 1)
    await minutes.approve(chair_context, president, 1, None)
    await minutes.set_passphrase(president, "paris-signs-2012", "metropolis")
    await minutes.set_passphrase(secretary, "secretariat-signs-2012", "metropolis")
    await minutes.sign(chair_context, president, 1, "paris-signs-2012", "president")
    await minutes.sign(context, secretary, 1, "secretariat-signs-2012", "secretary_general")
    published = await minutes.publish(context, secretary, 1)
    document = bytes(published["pdf"])
    assert document.startswith(b"%PDF")
    # The PDF's two PAdES signatures chain to the organisation's key; the JSON travels inside.
    roots = [minutes._pems(k["certificate"])[1] for k in await SignatoryKey.select(SignatoryKey.certificate)]
    # pyHanko runs its own event loop: from async code, in a thread.
    report = await asyncio.to_thread(pdf.verify_pdf, document, trusted_roots_pem=roots[:1])
    assert [(r["office"], r["intact"], r["valid"], r["trusted"]) for r in report] == [
        (r["office"], True, True, True) for r in report
    ] and len(report) == 2
    assert report[-1]["covers_whole_file"]
    assert pdf.embedded_files(document)["minutes.json"] == published["content"].encode()

    bundle = tmp_path / "bundle"
    await export.export(SLUG, bundle)
    fingerprint = json.loads((bundle / "manifest.json").read_text())["key"]["fingerprint"]
    assert verify([str(bundle), "--key", fingerprint]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "8. minutes: version 1" in out and "president" in out and "secretary_general" in out

    # The PDF alone, offline: `governance verify minutes.pdf` (pyHanko runs its own loop: a thread).
    from click.testing import CliRunner

    from governance.cli import main as cli

    runner = CliRunner()
    alone = await asyncio.to_thread(runner.invoke, cli, ["verify", str(bundle / "minutes.pdf")])
    # Every check holds, but against the keys the file brought with it: not a pinned OK.
    assert alone.exit_code == 2 and "Valid: signed by" in alone.output, alone.output
    assert f"UNPINNED: the PDF's own organisation key {fingerprint} was used" in alone.output
    pinned = await asyncio.to_thread(runner.invoke, cli, ["verify", str(bundle / "minutes.pdf"), "--key", "0" * 64])
    assert pinned.exit_code == 1 and "is not among the organisation's keys" in pinned.output
    assert (
        await asyncio.to_thread(runner.invoke, cli, ["verify", str(bundle / "minutes.pdf"), "--key", fingerprint])
    ).exit_code == 0

    # One byte of the PDF, or one field of the JSON, and verification fails.
    original = (bundle / "minutes.pdf").read_bytes()
    (bundle / "minutes.pdf").write_bytes(original[:100] + bytes([original[100] ^ 1]) + original[101:])
    assert verify([str(bundle)]) == 1
    assert "FAILED: minutes.pdf: SHA-256 differs from manifest" in capsys.readouterr().out
    changed = await asyncio.to_thread(runner.invoke, cli, ["verify", str(bundle / "minutes.pdf")])
    assert changed.exit_code == 1 and "FAILED" in changed.output
    (bundle / "minutes.pdf").write_bytes(original)
    content = json.loads((bundle / "minutes.json").read_text())
    content["facts"]["decisions"][0]["number"] = "BoD-2012-99"
    (bundle / "minutes.json").write_bytes(canonical.canonical(content))
    assert verify([str(bundle)]) == 1
    assert "FAILED: minutes.json: SHA-256 differs from manifest" in capsys.readouterr().out
    # The PDF alone, as the public verify page checks it: one byte changed inside the signed
    # revision breaks both signatures (or the file no longer reads as a PDF).
    middle = len(document) // 3
    tampered = document[:middle] + bytes([document[middle] ^ 1]) + document[middle + 1 :]
    try:
        altered = await asyncio.to_thread(pdf.verify_pdf, tampered, trusted_roots_pem=roots[:1])
    except pdf.PdfInvalid:
        altered = []
    assert not altered or not all(r["intact"] and r["valid"] for r in altered)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) renders the pages to compare")
async def test_the_print_stylesheet_renders_the_minutes_as_weasyprint_would(played, tmp_path):
    """The minutes are laid out with a trimmed copy of WeasyPrint's user-agent stylesheet (for
    speed): in each language, the pages must be the very pixels and text the full one gives."""
    from weasyprint import HTML

    from governance.minutes.document import render_document
    from governance.minutes.pdf import _print_html_class

    context, secretary = await acting(SECRETARY)
    content = minutes.content_of(await minutes.draft(context, secretary))
    for language in ("fr", "en", "es"):
        html = render_document(content, language=language, authoritative_language="fr", status="approved")
        full = _page_images(HTML, html, tmp_path / f"{language}-full")
        trimmed = _page_images(_print_html_class(), html, tmp_path / f"{language}-trimmed")
        assert len(full) == len(trimmed) >= 3, language
        for one, other in zip(full, trimmed, strict=True):
            assert one.read_bytes() == other.read_bytes(), f"{language}: {one.name} differs"


def _page_images(maker, html: str, prefix) -> list:
    pdf = prefix.with_suffix(".pdf")
    pdf.write_bytes(maker(string=html).render().write_pdf())
    subprocess.run(["pdftoppm", "-r", "40", "-png", pdf, prefix], check=True)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


async def test_a_retired_organisation_key_certifies_no_new_signature(played, rotating_keys):
    """Rotating the organisation's key (it may have leaked) retires it: a signatory whose
    certificate it issued must get a new one before signing; the retired key's file is gone."""
    from governance.record import keys

    context, secretary = await acting(SECRETARY)
    chair_context, president = await acting(PRESIDENT)
    await minutes.draft(context, secretary)
    await minutes.circulate(context, secretary, 1)
    await minutes.approve(chair_context, president, 1, None)
    await minutes.set_passphrase(president, "paris-signs-2012", "metropolis")
    rotated = await keys.generate("metropolis")
    with pytest.raises(Conflict, match="certified by an organisation key that has since been retired"):
        await minutes.sign(chair_context, president, 1, "paris-signs-2012", "president")
    assert await minutes.signatures(context, 1) == []
    await minutes.set_passphrase(president, "paris-signs-2012", "metropolis")  # certified anew
    signed = await minutes.sign(chair_context, president, 1, "paris-signs-2012", "president")
    assert signed
    key = await SignatoryKey.select().where(SignatoryKey.retired_at.is_null()).first()
    assert key["certified_by"] == rotated["fingerprint"]
