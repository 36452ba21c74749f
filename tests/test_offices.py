"""Offices frozen per meeting (issue 17, items 1 and 2), attacked from a secretariat account.

The attack: one PUT on the President's mandate moved the chair to the Secretary General during
an open meeting, and after it the secretariat redrafted the minutes, approved them as chair,
signed as President and as Secretary General. Here each step is refused, or caught by
`governance verify` and /verify."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from governance import export
from governance.db import IntegrityViolation, writing
from governance.demo import simulate
from governance.errors import Conflict, Forbidden
from governance.meetings import offices
from governance.meetings.services import forget_cached_contexts, meeting_context
from governance.meetings.tables import Meeting
from governance.minutes import passphrase as sealing
from governance.minutes import pdf
from governance.minutes import services as minutes
from governance.minutes.tables import MinutesSignature, MinutesVersion, SignatoryKey
from governance.organisations.tables import Mandate
from governance.record import canonical, keys, log
from governance.verify import main as verify

SLUG = "metropolis-bod-2012"
SECRETARY, PRESIDENT, MEMBER = "secretary@metropolis.demo", "paris-idf@metropolis.demo", "guangzhou@metropolis.demo"
VICE = "seoul@metropolis.demo"
MANDATES = "/api/v1/organisations/metropolis/bodies/bod/mandates"
PASSPHRASES = {PRESIDENT: "paris-signs-2012", SECRETARY: "secretariat-signs-2012", MEMBER: "guangzhou-signs-2012"}


async def _client(make_client: Any, email: str) -> Any:
    client = make_client()
    assert (await client.api_login(email)).status_code in (200, 201)
    return client


async def _mandates(secretariat: Any) -> dict[str, dict[str, Any]]:
    """The Board's mandates by the representative's e-mail."""
    rows = (await secretariat.get(MANDATES)).json()
    return {row["person_email"]: row for row in rows}


def _moved(president: dict[str, Any], email: str = SECRETARY) -> dict[str, Any]:
    """The attack's PUT: the President's mandate now names the Secretary General."""
    return {"person_email": email, "member": president["member"], "role": president["role"],
            "office": "president", "acting_office": None}  # fmt: skip


async def _events(kind: str) -> list[dict[str, Any]]:
    meeting = await Meeting.select(Meeting.id).where(Meeting.slug == SLUG).first()
    return [e for e in await log.events(meeting["id"]) if e["kind"] == kind]


async def _person(email: str) -> Any:
    return await simulate.principal_for(email)


async def test_a_mandate_change_in_session_is_refused_and_never_moves_the_chair(demo, make_client):
    secretariat = await _client(make_client, SECRETARY)
    chair = await _client(make_client, PRESIDENT)
    mandates = await _mandates(secretariat)
    president = await _person(PRESIDENT)
    # Convened: the log froze who holds each office.
    [convened] = await _events(offices.FIXED)
    assert convened["payload"]["reason"] == "convened"
    assert convened["payload"]["chair"]["person"] == president.person_id
    assert convened["payload"]["offices"]["president"]["person"] == president.person_id
    assert convened["payload"]["offices"]["secretary_general"]["name"]
    assert len(convened["payload"]["representatives"]) == len(mandates)

    url = f"{MANDATES}/{mandates[PRESIDENT]['id']}"
    refused = await secretariat.send("PUT", url, json=_moved(mandates[PRESIDENT]))
    assert refused.status_code == 409, refused.text
    assert "cannot change until it closes" in refused.json()["detail"]
    opened = await chair.send("POST", f"/api/v1/meetings/{SLUG}/status", json={"status": "open"})
    assert opened.status_code == 200, opened.text
    assert [e["payload"]["reason"] for e in await _events(offices.FIXED)] == ["convened", "open"]
    # Open: every change of the Board's mandates is refused, the chair did not move.
    assert (await secretariat.send("PUT", url, json=_moved(mandates[PRESIDENT]))).status_code == 409
    new = {**_moved(mandates[PRESIDENT]), "office": "member"}
    assert (await secretariat.send("POST", MANDATES, json=new)).status_code == 409
    assert (await secretariat.send("DELETE", f"{MANDATES}/{mandates[PRESIDENT]['id']}")).status_code == 409
    assert (await _mandates(secretariat))[PRESIDENT]["office"] == "president"

    # Even a change that bypasses the services (a database edit) moves nothing: the log decides.
    secretary = await _person(SECRETARY)
    await Mandate.update({Mandate.person: secretary.person_id}).where(Mandate.id == mandates[PRESIDENT]["id"])
    forget_cached_contexts()
    seen = (await secretariat.get(f"/api/v1/meetings/{SLUG}")).json()
    assert "chair" not in seen["my_roles"] and seen["chair"]["person_name"] == president.full_name
    assert "chair" in (await chair.get(f"/api/v1/meetings/{SLUG}")).json()["my_roles"]
    assert not await _events(offices.HANDED_OVER)


async def test_the_chair_is_handed_over_only_by_a_logged_event(demo, make_client):
    secretariat = await _client(make_client, SECRETARY)
    chair = await _client(make_client, PRESIDENT)
    member = await _client(make_client, MEMBER)
    mandates = await _mandates(secretariat)
    president, vice = await _person(PRESIDENT), await _person(VICE)
    assert (await chair.send("POST", f"/api/v1/meetings/{SLUG}/status", json={"status": "open"})).status_code == 200
    url = f"/api/v1/meetings/{SLUG}/chair"
    body = {"mandate": mandates[VICE]["id"], "reason": "The President leaves for item 5 (conflict of interest)."}
    assert (await member.send("POST", url, json=body)).status_code == 403
    # The Secretary General is a staff office, not a member's seat: no mandate to take the chair
    # with; and no one hands the chair to themselves.
    assert SECRETARY not in mandates
    itself = await chair.send("POST", url, json={**body, "mandate": mandates[PRESIDENT]["id"]})
    assert itself.status_code == 403 and "to themselves" in itself.json()["detail"]
    assert (await chair.send("POST", url, json={**body, "reason": ""})).status_code == 400
    assert (await chair.send("POST", url, json={**body, "mandate": 999_999})).status_code == 422
    handed = await chair.send("POST", url, json=body)
    assert handed.status_code == 200, handed.text
    [event] = await _events(offices.HANDED_OVER)
    assert event["actor"] == president.person_id and event["payload"]["reason"] == body["reason"]
    assert event["payload"]["chair"]["person"] == vice.person_id
    assert event["payload"]["previous"]["person"] == president.person_id
    seoul = await _client(make_client, VICE)
    meeting = (await seoul.get(f"/api/v1/meetings/{SLUG}")).json()
    assert "chair" in meeting["my_roles"] and meeting["chair"]["person_name"] == vice.full_name
    assert "chair" not in (await chair.get(f"/api/v1/meetings/{SLUG}")).json()["my_roles"]
    assert (await chair.send("POST", url, json=body)).status_code == 403  # no longer the chair

    # The console's form: the secretariat hands the chair back to the President, with the reason.
    desk = make_client()
    await desk.page_login(SECRETARY)
    shown = await desk.get(f"/meetings/{SLUG}")
    assert "Hand over the chair" in shown.text and 'action="/meetings/metropolis-bod-2012/chair"' in shown.text
    console = await desk.get(f"/meetings/{SLUG}/console")
    assert 'action="/meetings/metropolis-bod-2012/chair"' in console.text
    back = await desk.post_form(
        f"/meetings/{SLUG}/chair",
        {"mandate": str(mandates[PRESIDENT]["id"]), "reason": "Item 5 is over.", "back": "console"},
        follow_redirects=False,
    )  # fmt: skip
    assert back.status_code == 303 and back.headers["location"] == f"/meetings/{SLUG}/console", back.text
    assert [e["payload"]["chair"]["person"] for e in await _events(offices.HANDED_OVER)] == [
        vice.person_id, president.person_id]  # fmt: skip
    assert "chair" in (await chair.get(f"/api/v1/meetings/{SLUG}")).json()["my_roles"]
    closed = await chair.send("POST", f"/api/v1/meetings/{SLUG}/status", json={"status": "closed", "confirm": True})
    assert closed.status_code == 200
    # Closed: no more hand-overs; mandates may change again, the meeting's chair does not.
    assert (await chair.send("POST", url, json=body)).status_code == 409
    moved = await secretariat.send("PUT", f"{MANDATES}/{mandates[PRESIDENT]['id']}", json=_moved(mandates[PRESIDENT]))
    assert moved.status_code == 200, moved.text
    after = (await secretariat.get(f"/api/v1/meetings/{SLUG}")).json()
    assert "chair" not in after["my_roles"] and after["chair"]["person_name"] == president.full_name


@pytest.fixture
async def played(demo):
    report = await simulate.play(simulate.DEFAULT_SEED, with_minutes=False)
    assert report.played, report.message
    return report


async def acting(email: str) -> tuple[Any, Any]:
    principal = await simulate.principal_for(email)
    return await meeting_context(SLUG, principal), principal


async def test_after_the_meeting_a_mandate_change_neither_chairs_nor_signs(played, make_client, tmp_path, capsys):
    secretariat = await _client(make_client, SECRETARY)
    mandates = await _mandates(secretariat)
    # The meeting is closed: the secretariat moves the President's office to the Secretary General.
    url = f"{MANDATES}/{mandates[PRESIDENT]['id']}"
    assert (await secretariat.send("PUT", url, json=_moved(mandates[PRESIDENT]))).status_code == 200
    context, secretary = await acting(SECRETARY)
    draft = await minutes.draft(context, secretary)
    facts = minutes.content_of(draft)["facts"]
    president = await _person(PRESIDENT)
    assert facts["chair"]["name"] == president.full_name and facts["chair"]["office"] == "president"
    assert [(s["office"], s["name"]) for s in facts["signatories"]] == [
        ("president", president.full_name), ("secretary_general", secretary.full_name)]  # fmt: skip
    await minutes.circulate(context, secretary, 1)
    with pytest.raises(Forbidden):  # not the chair the record names
        await minutes.approve(context, secretary, 1, None)
    chair_context, chair = await acting(PRESIDENT)
    await minutes.approve(chair_context, chair, 1, None)
    for person in (chair, secretary):
        await minutes.set_passphrase(person, PASSPHRASES[person.email], "metropolis")
    with pytest.raises(Forbidden, match="names Jean-Paul Huchon"):
        await minutes.sign(context, secretary, 1, PASSPHRASES[SECRETARY], "president")
    await minutes.sign(chair_context, chair, 1, PASSPHRASES[PRESIDENT], "president")
    await minutes.sign(context, secretary, 1, PASSPHRASES[SECRETARY], "secretary_general")
    await minutes.publish(context, secretary, 1)
    # The office handed back, and changed again: the signatories stay those the record named.
    assert (await secretariat.send("PUT", url, json=_moved(mandates[PRESIDENT], PRESIDENT))).status_code == 200
    await Mandate.update({Mandate.office: "member"}).where(Mandate.id == mandates[PRESIDENT]["id"])
    forget_cached_contexts()
    context, secretary = await acting(SECRETARY)
    # Who represented whom is the record's too: the President, no longer on the Board today,
    # keeps the representative's role in this meeting (to comment on its minutes).
    await Mandate.update({Mandate.person: secretary.person_id}).where(Mandate.id == mandates[PRESIDENT]["id"])
    forget_cached_contexts()
    still, _ = await acting(PRESIDENT)
    assert {role.value for role in still.roles} >= {"chair", "representative"}
    assert [(s["office"], s["name"]) for s in await minutes.signatures(context, 1)] == [
        ("president", president.full_name), ("secretary_general", secretary.full_name)]  # fmt: skip
    assert minutes.signatory_offices(context) == ["president", "secretary_general"]
    assert await minutes.offices_held(context, president.person_id) == {"president": False}
    # A correction keeps the original facts of who chaired and who signs.
    correction = minutes.content_of(await minutes.draft(context, secretary))["facts"]
    assert correction["chair"] == facts["chair"] and correction["signatories"] == facts["signatories"]
    directory = tmp_path / "bundle"
    await export.export(SLUG, directory)
    status, out = _verify(capsys, directory)
    assert status == 0, out


def _verify(capsys: Any, directory: Path) -> tuple[int, str]:
    manifest = json.loads((directory / "manifest.json").read_text())
    status = verify([str(directory), "--key", manifest["key"]["fingerprint"]])
    return status, capsys.readouterr().out


async def _forge_file(directory: Path, name: str, content: bytes) -> None:
    """Rewrite one file of the bundle and re-sign the manifest with the organisation's own key
    (an insider holding it): only the record's internal checks can catch the forgery."""
    (directory / name).write_bytes(content)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"][name] = hashlib.sha256(content).hexdigest()
    signer = await keys.signer("metropolis")
    manifest_bytes = canonical.canonical(manifest)
    (directory / "manifest.json").write_bytes(manifest_bytes)
    (directory / "manifest.sig").write_bytes(signer.sign(manifest_bytes))


def _zip(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.iterdir()):
            archive.write(path, f"bundle/{path.name}")
    return buffer.getvalue()


async def _upload(client: Any, name: str, content: bytes) -> Any:
    await client.ensure_csrf()
    return await client.post_form("/verify/", {}, files={"file": (name, content, "application/octet-stream")})


async def _private(email: str) -> tuple[Any, dict[str, Any]]:
    person = await _person(email)
    key = await SignatoryKey.select().where(
        (SignatoryKey.person == person.person_id) & SignatoryKey.retired_at.is_null()
    ).first()
    return sealing.unseal(key["sealed"], PASSPHRASES[email], base64.b64decode(key["public_key"])), key


@pytest.fixture
async def signed_bundle(demo, tmp_path) -> Path:
    """The played meeting with its minutes signed by the President and the Secretary General."""
    report = await simulate.play(simulate.DEFAULT_SEED)
    assert report.played, report.message
    directory = tmp_path / "bundle"
    await export.export(SLUG, directory)
    return directory


async def test_minutes_signed_by_someone_the_record_does_not_name_fail_verification(
    signed_bundle, make_client, capsys
):  # fmt: skip
    status, out = _verify(capsys, signed_bundle)
    assert status == 0, out
    # The Secretary General signs the exact minutes as President, with a key the organisation certified.
    raw = (signed_bundle / "minutes.json").read_bytes()
    signed = json.loads((signed_bundle / "minutes-signatures.json").read_text())
    private, key = await _private(SECRETARY)
    secretary = await _person(SECRETARY)
    president_entry = next(s for s in signed["signatures"] if s["office"] == "president")
    president_entry.update(
        person=secretary.person_id, name=secretary.full_name, fingerprint=key["fingerprint"],
        certificate=key["certificate"], signature=base64.b64encode(private.sign(raw)).decode(),
    )  # fmt: skip
    await _forge_file(signed_bundle, "minutes-signatures.json", json.dumps(signed).encode())
    status, out = _verify(capsys, signed_bundle)
    assert status == 1, out
    assert (
        f"FAILED: minutes: signature as president: signed by {secretary.full_name} (person {secretary.person_id}), "
        "but the record names Jean-Paul Huchon" in out
    ), out
    page = await _upload(make_client(), "bundle.zip", _zip(signed_bundle))
    assert page.status_code == 200 and "Not valid: minutes: signature as president: signed by" in page.text


async def test_one_person_never_signs_two_offices_in_a_bundle(signed_bundle, make_client, capsys):
    signed = json.loads((signed_bundle / "minutes-signatures.json").read_text())
    president_entry = next(s for s in signed["signatures"] if s["office"] == "president")
    # The President's own signature, presented again for the Secretary General's office.
    signed["signatures"] = [president_entry, {**president_entry, "office": "secretary_general"}]
    await _forge_file(signed_bundle, "minutes-signatures.json", json.dumps(signed).encode())
    status, out = _verify(capsys, signed_bundle)
    assert status == 1, out
    assert "FAILED: minutes: signature as secretary_general: Jean-Paul Huchon" in out, out
    assert "also signed as president: one key never signs for two offices" in out, out
    page = await _upload(make_client(), "bundle.zip", _zip(signed_bundle))
    assert "Not valid: minutes: signature as secretary_general" in page.text
    # With another key of the same person: the person is caught.
    signed["signatures"][1]["fingerprint"] = "0" * 64
    await _forge_file(signed_bundle, "minutes-signatures.json", json.dumps(signed).encode())
    status, out = _verify(capsys, signed_bundle)
    assert status == 1 and "also signed as president: one person never signs for two offices" in out, out


async def test_one_person_signing_two_offices_is_refused_by_the_server_and_the_database(played):
    context, secretary = await acting(SECRETARY)
    await minutes.draft(context, secretary)
    await minutes.circulate(context, secretary, 1)
    chair_context, chair = await acting(PRESIDENT)
    await minutes.approve(chair_context, chair, 1, None)
    # Suppose the offices were frozen with the President holding the Secretary General's office too.
    fixed = dict(context.offices or {})
    fixed["offices"] = {**fixed["offices"], "secretary_general": dict(fixed["offices"]["president"])}
    async with writing():
        await log.append(context.meeting["id"], offices.FIXED, secretary.person_id, **{**fixed, "reason": "test"})
    forget_cached_contexts()
    chair_context, chair = await acting(PRESIDENT)
    held = await minutes.offices_held(chair_context, chair.person_id)
    assert held == {"president": False, "secretary_general": False}
    await minutes.set_passphrase(chair, PASSPHRASES[PRESIDENT], "metropolis")
    await minutes.sign(chair_context, chair, 1, PASSPHRASES[PRESIDENT], "president")
    with pytest.raises(Conflict, match="already signed these minutes as president"):
        await minutes.sign(chair_context, chair, 1, PASSPHRASES[PRESIDENT], "secretary_general")
    # The database refuses it too: one signature per person per version.
    version = await MinutesVersion.select(MinutesVersion.id).where(MinutesVersion.version == 1).first()
    row = await MinutesSignature.select().where(MinutesSignature.minutes == version["id"]).first()
    with pytest.raises(IntegrityViolation):
        async with writing():
            await MinutesSignature.insert(
                MinutesSignature(
                    minutes=version["id"], person=row["person"], office="secretary_general", acting=0,
                    fingerprint=row["fingerprint"], signature=row["signature"], signed_at=row["signed_at"],
                )
            )  # fmt: skip


async def test_verify_page_refuses_a_pdf_signed_by_someone_the_record_does_not_name(signed_bundle, make_client):
    document = (signed_bundle / "minutes.pdf").read_bytes()
    visitor = make_client()
    good = await _upload(visitor, "minutes.pdf", document)
    assert "Valid: signed by" in good.text, good.text
    # A member with a certified key of their own adds a signature "as president".
    member = await _person(MEMBER)
    await minutes.set_passphrase(member, PASSPHRASES[MEMBER], "metropolis")
    private, key = await _private(MEMBER)
    issued, *chain = minutes._pems(key["certificate"])
    forged = await asyncio.to_thread(pdf.sign_pdf, document, key=private, certificate_pem=issued, chain_pem=chain,
                          field_name="Signature-president-2", reason="president", location=None,
                          name=member.full_name)  # fmt: skip
    bad = await _upload(visitor, "minutes.pdf", forged)
    assert "Not valid:" in bad.text
    assert f"{member.full_name} signed as president, but the record of this meeting names Jean-Paul Huchon" in bad.text
    # The Secretary General signs a second time, as President: one person, two offices.
    private, key = await _private(SECRETARY)
    issued, *chain = minutes._pems(key["certificate"])
    twice = await asyncio.to_thread(pdf.sign_pdf, document, key=private, certificate_pem=issued, chain_pem=chain,
                         field_name="Signature-president-2", reason="president", location=None,
                         name="x")  # fmt: skip
    bad = await _upload(visitor, "minutes.pdf", twice)
    assert "signed for two offices (secretary_general and president)" in bad.text, bad.text
