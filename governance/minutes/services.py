"""Minutes: drafted from the record, edited, circulated, approved, signed, published.

Workflow ``draft -> circulated -> approved -> signed -> published``:

* **Drafting** puts the record's facts (``facts.gather``) and the secretary's narratives into
  a version. Facts are locked; an edit of the narratives makes the next version (versions
  are never overwritten, and any two can be compared).
* **Circulation** lets the members comment (comments are kept).
* **Approval** pins the exact content (its SHA-256): by a decision of a later meeting cited by
  its number ("approved as corrected"), or by the chair where the statutes say so.
* **Signing**: each signatory the rule set names (default: the President and the Secretary
  General) signs with a personal Ed25519 key unlocked by their own passphrase; the office
  decides, so an acting President signs as such. When every office has signed, the version is
  signed and immutable; a correction is a new version that cites it.
* **Publishing** needs every signature.

Every step writes to the meeting log.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import difflib
import json
import unicodedata
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance import clock
from governance.agenda.tables import Motion
from governance.auth import Principal
from governance.db import reading, writing
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings import offices
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.minutes import facts as drafting
from governance.minutes import passphrase as sealing
from governance.minutes import pdf
from governance.minutes.tables import MinutesComment, MinutesSignature, MinutesVersion, SignatoryKey
from governance.organisations import services as organisations
from governance.organisations.tables import Organisation
from governance.record import canonical, keys, log

Row = dict[str, Any]
FORMAT = "governance-minutes/1"
NARRATIVE_LIMIT = 20_000


def _now() -> dt.datetime:
    return clock.now()


def _is_secretary(context: MeetingContext) -> None:
    if MeetingRole.secretary not in context.roles:
        raise Forbidden(_("Only the secretariat drafts and edits the minutes."))


def content_of(row: Row) -> Row:
    return json.loads(row["content"])


async def versions(context: MeetingContext) -> list[Row]:
    async with reading():
        return (
            await MinutesVersion.select(*[c for c in MinutesVersion.all_columns() if c._meta.name != "pdf"])
            .where(MinutesVersion.meeting == context.meeting["id"])
            .order_by(MinutesVersion.version)
        )


async def get_version(context: MeetingContext, version: int) -> Row:
    async with reading():
        row = (
            await MinutesVersion.select()
            .where((MinutesVersion.meeting == context.meeting["id"]) & (MinutesVersion.version == version))
            .first()
        )
    if row is None:
        raise NotFound(_("No such version of the minutes."))
    return row


async def latest(context: MeetingContext) -> Row | None:
    rows = await versions(context)
    return rows[-1] if rows else None


async def _store(context: MeetingContext, principal: Principal, content: Row, supersedes: Row | None) -> Row:
    body = canonical.canonical(content)
    at = _now()
    rows = await MinutesVersion.insert(
        MinutesVersion(
            meeting=context.meeting["id"],
            version=content["version"],
            status="draft",
            language=content["language"],
            content=body.decode(),
            content_hash=canonical.sha256_hex(body),
            supersedes=supersedes["id"] if supersedes else None,
            created_by=principal.person_id,
            created_at=at,
        )
    ).returning(MinutesVersion.id)
    await log.append(
        context.meeting["id"], "minutes_drafted", principal.person_id, at,
        version=content["version"], hash=canonical.sha256_hex(body),
        supersedes=supersedes["version"] if supersedes else None,
    )  # fmt: skip
    return {"id": rows[0]["id"], "version": content["version"]}


async def draft(context: MeetingContext, principal: Principal) -> Row:
    """A new draft from the record: the first version, or a correction of signed minutes
    (which cites them), or a fresh draft of the facts keeping the narratives."""
    _is_secretary(context)
    if context.meeting["status"] != "closed":
        raise Conflict(_("The minutes are drafted once the meeting is closed."))
    facts = await drafting.gather(context)

    async def make() -> Row:
        previous = await _latest_locked(context)
        if previous is not None and previous["status"] in ("circulated", "approved"):
            raise Conflict(_("Version {n} is {status}: it must be signed before a correction.").format(
                n=previous["version"], status=previous["status"]))  # fmt: skip
        if previous is not None:
            # A correction keeps the original facts of who chaired and who signs.
            kept = content_of(previous)["facts"]
            facts.update({key: kept[key] for key in ("chair", "secretary", "signatories") if key in kept})
        content = {
            "format": FORMAT,
            "meeting": context.meeting["slug"],
            "version": (previous["version"] + 1) if previous else 1,
            "language": facts["language"],
            "facts": facts,
            "narratives": content_of(previous)["narratives"] if previous else {},
            "supersedes": {"version": previous["version"], "hash": previous["content_hash"]} if previous else None,
        }
        return await _store(context, principal, content, previous)

    async with writing():
        made = await make()
    return await get_version(context, made["version"])


async def _latest_locked(context: MeetingContext) -> Row | None:
    return (
        await MinutesVersion.select()
        .where(MinutesVersion.meeting == context.meeting["id"])
        .order_by(MinutesVersion.version, ascending=False)
        .first()
    )


async def edit(context: MeetingContext, principal: Principal, version: int, narratives: dict[str, str]) -> Row:
    """New narratives for a draft make the next version; the facts are carried over untouched."""
    _is_secretary(context)
    problems: dict[str, str] = {}
    for number, text in narratives.items():
        if not isinstance(text, str) or len(text) > NARRATIVE_LIMIT:
            problems[f"narrative_{number}"] = _("At most {n} characters.").format(n=NARRATIVE_LIMIT)
    if problems:
        raise Invalid(_("A narrative is too long."), fields=problems)

    async def save() -> Row:
        current = await _latest_locked(context)
        if current is None or current["version"] != version:
            raise Conflict(_("The minutes changed meanwhile: version {n} is not the latest.").format(n=version))
        if current["status"] != "draft":
            raise Conflict(
                _("Version {n} is {status}: it cannot be edited. Draft a correction instead.").format(
                    n=version, status=current["status"]
                )
            )
        content = content_of(current)
        numbers = {item["number"] for item in content["facts"]["items"]}
        unknown = sorted(set(narratives) - numbers)
        if unknown:
            raise Invalid(_("No agenda item {number}.").format(number=unknown[0]))
        kept = {k: v for k, v in {**content["narratives"], **narratives}.items() if v.strip()}
        content.update(
            version=current["version"] + 1,
            narratives=kept,
            supersedes={"version": current["version"], "hash": current["content_hash"]},
        )
        return await _store(context, principal, content, current)

    async with writing():
        made = await save()
    return await get_version(context, made["version"])


def diff(older: Row, newer: Row) -> list[tuple[str, str]]:
    """What changed between two versions, line by line over their readable JSON."""
    a = json.dumps(content_of(older), indent=1, ensure_ascii=False, sort_keys=True).splitlines()
    b = json.dumps(content_of(newer), indent=1, ensure_ascii=False, sort_keys=True).splitlines()
    out: list[tuple[str, str]] = []
    for line in difflib.unified_diff(a, b, lineterm="", n=1):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "ins", "-": "del", "@": "hunk"}.get(line[:1], "same")
        out.append((kind, line[1:] if kind != "hunk" else line))
    return out


async def _step(context: MeetingContext, version: int, expected: tuple[str, ...], values: dict[Any, Any],
                event: str, principal: Principal, **payload: Any) -> Row:  # fmt: skip
    async with writing():
        current = await _latest_locked(context)
        if current is None or current["version"] != version:
            raise Conflict(_("The minutes changed meanwhile: version {n} is not the latest.").format(n=version))
        if current["status"] not in expected:
            raise Conflict(_("Version {n} is {status}.").format(n=version, status=current["status"]))
        await MinutesVersion.update(values).where(MinutesVersion.id == current["id"])
        await log.append(context.meeting["id"], event, principal.person_id, version=version,
                         hash=current["content_hash"], **payload)  # fmt: skip
    return await get_version(context, version)


async def circulate(context: MeetingContext, principal: Principal, version: int) -> Row:
    _is_secretary(context)
    return await _step(
        context, version, ("draft",), {MinutesVersion.status: "circulated", MinutesVersion.circulated_at: _now()},
        "minutes_circulated", principal,
    )  # fmt: skip


async def comment(context: MeetingContext, principal: Principal, version: int, text: str) -> Row:
    text = text.strip()
    if not 1 <= len(text) <= 5000:
        message = _("Write a comment (at most 5000 characters).")
        raise Invalid(message, fields={"text": message})
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text):
        # Refused alike on both engines (PostgreSQL cannot store NUL in text; SQLite would).
        message = _("Remove the control characters (such as NUL) from this text.")
        raise Invalid(message, fields={"text": message})
    if not ({MeetingRole.representative, MeetingRole.secretary, MeetingRole.chair} & context.roles):
        raise Forbidden(_("Only the body's members and the secretariat comment on the minutes."))
    row = await get_version(context, version)
    if row["status"] != "circulated":
        raise Conflict(_("Comments are taken while the minutes are circulated."))
    async with writing():
        await MinutesComment.insert(
            MinutesComment(minutes=row["id"], person=principal.person_id, text=text, created_at=_now())
        )
    return row


async def comments(context: MeetingContext, version: int) -> list[Row]:
    row = await get_version(context, version)
    async with reading():
        return (
            await MinutesComment.select(
                MinutesComment.text, MinutesComment.created_at, MinutesComment.person.full_name.as_alias("name")
            )
            .where(MinutesComment.minutes == row["id"])
            .order_by(MinutesComment.id)
        )


async def approve(context: MeetingContext, principal: Principal, version: int, decision: str | None) -> Row:
    """Approval pins the exact content. ``decision``: the number of an adopted decision of a
    later meeting approving them ("approved as corrected"); without it, the chair approves as
    the statutes' article on minutes allows."""
    statutes = context.statutes
    row = await get_version(context, version)
    if decision:
        async with reading():
            motion = await Motion.select(Motion.decision_number, Motion.status, Motion.decision_type).where(
                Motion.decision_number == decision.strip()
            ).first()
        if motion is None or motion["status"] != "adopted" or motion["decision_type"] != "minutes":
            message = _("No adopted decision {number} approving minutes.").format(number=decision.strip())
            raise Invalid(message, fields={"decision": message})
        approval = _("Approved as corrected by decision {number}.").format(number=motion["decision_number"])
        if MeetingRole.secretary not in context.roles:
            raise Forbidden(_("The secretariat records the approval decided by the Board."))
    else:
        if MeetingRole.chair not in context.roles:
            raise Forbidden(_("Without a decision of the Board, only the chair approves the minutes."))
        approval = _("Approved by the chair ({article}).").format(article=statutes.minutes_article if statutes else "")
    return await _step(
        context, version, ("circulated",),
        {MinutesVersion.status: "approved", MinutesVersion.approved_at: _now(),
         MinutesVersion.approved_hash: row["content_hash"], MinutesVersion.approval: approval},
        "minutes_approved", principal, approval=approval,
    )  # fmt: skip


# --- signatories and their keys ---------------------------------------------------------------


def signatory_offices(context: MeetingContext) -> list[str]:
    """The offices that sign: as the log froze them for the meeting (offices_fixed)."""
    if context.offices is not None and context.offices.get("signatories"):
        return list(context.offices["signatories"])
    if context.statutes is None or not context.statutes.minutes_signatories:
        return ["president", "secretary_general"]
    return [office.value for office in context.statutes.minutes_signatories]


async def offices_held(context: MeetingContext, person_id: int) -> dict[str, bool]:
    """Offices this person holds for this meeting: {office: acting?}, as the log recorded them
    when the meeting was convened and opened (offices_fixed), never today's mandates. The
    office decides who signs; an acting holder (a Co-President acting as President) signs as such."""
    return offices.offices_of(context.offices, person_id)


async def set_passphrase(principal: Principal, passphrase: str, organisation_slug: str) -> Row:
    """A new personal signing key sealed under ``passphrase``, certified by the organisation."""
    if len(passphrase) < sealing.MINIMUM_LENGTH:
        message = _("A signing passphrase has at least {n} characters.").format(n=sealing.MINIMUM_LENGTH)
        raise Invalid(message, fields={"passphrase": message})
    private = Ed25519PrivateKey.generate()
    public = sealing.raw_public(private)
    sealed = await asyncio.to_thread(sealing.seal, private, passphrase)  # argon2id: off the event loop
    organisation = await keys.signer(organisation_slug)
    certificate = None
    if organisation is not None:
        # An X.509 certificate for the signatory's key, issued by the organisation's key (which
        # also makes its own CA certificate): what the PDF's PAdES signatures chain up to.
        async with reading():
            org = await Organisation.select(Organisation.name_en).where(Organisation.slug == organisation_slug).first()
        if org is None:  # keys.signer() has just found it
            raise LookupError(f"no organisation {organisation_slug}")
        authority = pdf.organisation_certificate(organisation.private_key, org["name_en"])
        issued = pdf.issue_certificate(
            organisation.private_key, org["name_en"], private.public_key(), principal.full_name,
            office=_("Signatory of the minutes"),
        )  # fmt: skip
        certificate = (issued + authority).decode()
    now = _now()
    async with writing():
        await SignatoryKey.update({SignatoryKey.retired_at: now}).where(
            (SignatoryKey.person == principal.person_id) & SignatoryKey.retired_at.is_null()
        )
        await SignatoryKey.insert(
            SignatoryKey(
                person=principal.person_id,
                public_key=base64.b64encode(public).decode(),
                fingerprint=sealing.fingerprint(public),
                sealed=sealed,
                certificate=certificate,
                certified_by=organisation.fingerprint if organisation else None,
                created_at=now,
            )
        )
    return {"fingerprint": sealing.fingerprint(public)}


async def _signing_key(person_id: int) -> Row:
    async with reading():
        row = await SignatoryKey.select().where(
            (SignatoryKey.person == person_id) & SignatoryKey.retired_at.is_null()
        ).first()
    if row is None:
        raise Conflict(_("Set your signing passphrase first (your personal signing key)."))
    return row


async def _certifier_not_retired(key: Row, organisation_slug: str) -> None:
    """A retired organisation key (maybe leaked) certifies no new signature: a signatory whose
    certificate it issued gets a new one by setting their signing passphrase again."""
    if not key["certified_by"]:
        return
    current = await keys.signer(organisation_slug)
    if current is None or current.fingerprint != key["certified_by"]:
        raise Conflict(
            _("Your signing key was certified by an organisation key that has since been retired: set your "
              "signing passphrase again to get a key certified by the current one. Nothing was signed.")
        )  # fmt: skip


async def sign(context: MeetingContext, principal: Principal, version: int, passphrase: str, office: str) -> Row:
    """Sign approved minutes for ``office`` with the signer's own key (refused, nothing changed,
    on a wrong passphrase, an office not held, or content that changed after approval)."""
    if context.offices is None:
        raise Conflict(_("The record of this meeting names no office holders: nobody can sign its minutes."))
    held = await offices_held(context, principal.person_id)
    if office not in signatory_offices(context):
        raise Forbidden(_("The statutes do not have this office sign the minutes."))
    if office not in held:
        holder = context.offices["offices"].get(office)
        raise Forbidden(
            _("You do not hold the office that signs here: the record of this meeting names {name}.").format(
                name=holder["name"]
            )
            if holder
            else _("You do not hold the office that signs here.")
        )
    key = await _signing_key(principal.person_id)
    await _certifier_not_retired(key, context.organisation["slug"])
    public = base64.b64decode(key["public_key"])
    try:
        # argon2id takes a tenth of a second or more: off the event loop, like password hashes.
        private = await asyncio.to_thread(sealing.unseal, key["sealed"], passphrase, public)
    except sealing.WrongPassphrase as exc:
        message = _("This signing passphrase does not open your key: nothing was signed.")
        raise Forbidden(message) from exc

    base = await get_version(context, version)
    # Rendered outside the transaction (about a second): approved content no longer changes.
    first_pdf = await _render_pdf(context, base) if base["status"] == "approved" and not base["pdf"] else None
    async with writing():
        current = await _latest_locked(context)
        if current is None or current["version"] != version:
            raise Conflict(_("The minutes changed meanwhile: version {n} is not the latest.").format(n=version))
        if current["status"] != "approved":
            raise Conflict(_("Only approved minutes are signed (version {n} is {status}).").format(
                n=version, status=current["status"]))  # fmt: skip
        body = current["content"].encode()
        if canonical.sha256_hex(body) != current["approved_hash"]:
            raise Conflict(_("These minutes changed after their approval: they cannot be signed."))
        if await MinutesSignature.exists().where(
            (MinutesSignature.minutes == current["id"]) & (MinutesSignature.office == office)
        ):
            raise Conflict(_("This office has already signed these minutes."))
        # One person never signs for two offices (the database refuses it too).
        already = await MinutesSignature.select(MinutesSignature.office).where(
            (MinutesSignature.minutes == current["id"]) & (MinutesSignature.person == principal.person_id)
        ).first()
        if already is not None:
            raise Conflict(
                _("You already signed these minutes as {office}: one person never signs for two offices.").format(
                    office=already["office"]
                )
            )
        signature = base64.b64encode(private.sign(body)).decode()
        at = _now()
        signed_pdf = None
        if key["certificate"]:
            # The PAdES signature goes on the PDF as it stands (an incremental update, so the
            # signatures before it stay valid).
            issued, *chain = _pems(key["certificate"])
            unsigned = bytes(current["pdf"]) if current["pdf"] else first_pdf
            if unsigned is None:
                unsigned = await _render_pdf(context, current)
            from governance.minutes.document import signature_appearance

            # What the signature shows in its box on the last page, in the document's language:
            # part of this signature's own revision, so it is true when signed.
            appearance = signature_appearance(
                current["language"], context.meeting["time_zone"], principal.full_name,
                context.meeting["venue"] or None, at,
            )  # fmt: skip
            signed_pdf = await asyncio.to_thread(
                pdf.sign_pdf, unsigned, key=private, certificate_pem=issued, chain_pem=chain,
                field_name=f"Signature-{office}", reason=f"{office}{' (acting)' if held[office] else ''}",
                location=context.meeting["venue"] or None, name=principal.full_name, appearance=appearance,
            )  # fmt: skip
            await MinutesVersion.update({MinutesVersion.pdf: signed_pdf}).where(MinutesVersion.id == current["id"])
        await MinutesSignature.insert(
            MinutesSignature(
                minutes=current["id"],
                person=principal.person_id,
                office=office,
                acting=1 if held[office] else 0,
                fingerprint=key["fingerprint"],
                signature=signature,
                pdf_sha256=canonical.sha256_hex(signed_pdf) if signed_pdf else None,
                signed_at=at,
            )
        )
        signed = {r["office"] for r in await MinutesSignature.select(MinutesSignature.office).where(
            MinutesSignature.minutes == current["id"])}  # fmt: skip
        if set(signatory_offices(context)) <= signed:
            await MinutesVersion.update({MinutesVersion.status: "signed"}).where(MinutesVersion.id == current["id"])
        await log.append(
            context.meeting["id"], "minutes_signed", principal.person_id, at, version=version, office=office,
            acting=held[office], key=key["fingerprint"], hash=current["content_hash"],
        )  # fmt: skip
    return await get_version(context, version)


def _pems(chain: str) -> list[bytes]:
    marker = "-----END CERTIFICATE-----"
    return [(part + marker + "\n").encode() for part in chain.split(marker) if part.strip()]


async def _render_pdf(context: MeetingContext, version: Row) -> bytes:
    """The minutes as PDF/A-3 in the authoritative language, with the record and the minutes'
    exact JSON embedded, so the PDF alone carries what it attests."""
    from governance import export
    from governance.minutes.document import render_document

    content = content_of(version)
    html = render_document(
        content, language=content["language"], authoritative_language=content["language"], status=version["status"],
        dates={"approved_at": version["approved_at"]}, signatories=signatory_offices(context),
        logo=await organisations.logo_data_uri(context.organisation["id"]),
    )  # fmt: skip
    record = json.dumps(await export.record(context), ensure_ascii=False, sort_keys=True).encode()
    return await asyncio.to_thread(
        pdf.render_pdf, html, base_url=None, title=content["facts"]["meeting"]["title"], language=content["language"],
        signature_fields="signature-field-",
        attachments=[("minutes.json", version["content"].encode(), "The minutes, exactly as signed"),
                     ("record.json", record, "The meeting's verifiable record")],
    )  # fmt: skip


async def signatures(context: MeetingContext, version: int, *, with_certificates: bool = False) -> list[Row]:
    row = await get_version(context, version)
    columns = [
        MinutesSignature.person,
        MinutesSignature.office,
        MinutesSignature.acting,
        MinutesSignature.fingerprint,
        MinutesSignature.signature,
        MinutesSignature.signed_at,
        MinutesSignature.pdf_sha256,
        MinutesSignature.person.full_name.as_alias("name"),
    ]
    async with reading():
        rows = (
            await MinutesSignature.select(*columns)
            .where(MinutesSignature.minutes == row["id"])
            .order_by(MinutesSignature.id)
        )
        if with_certificates:
            certificates = {
                k["fingerprint"]: k["certificate"]
                for k in await SignatoryKey.select(SignatoryKey.fingerprint, SignatoryKey.certificate).where(
                    SignatoryKey.fingerprint.is_in([r["fingerprint"] for r in rows] or ["-"])
                )
            }
            for signature in rows:
                signature["certificate"] = certificates.get(signature["fingerprint"])
    return rows


async def publish(context: MeetingContext, principal: Principal, version: int) -> Row:
    _is_secretary(context)
    row = await get_version(context, version)
    missing = sorted(set(signatory_offices(context)) - {s["office"] for s in await signatures(context, version)})
    if row["status"] == "approved" and missing:
        raise Conflict(_("Not every signatory has signed yet (missing: {offices}).").format(offices=", ".join(missing)))
    return await _step(
        context, version, ("signed",), {MinutesVersion.status: "published", MinutesVersion.published_at: _now()},
        "minutes_published", principal,
    )  # fmt: skip
