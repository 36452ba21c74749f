"""The public verify page's work: a signed PDF of minutes, or an exported bundle (a .zip),
checked and explained in sentences. Plain functions; the page only renders their report.

* A **PDF**: each PAdES signature validated with pyHanko (intact, valid, chaining to an
  organisation key published here, covering the whole file), and the minutes' JSON embedded
  in it matched with a version of minutes published here.
* A **bundle**: unpacked (flat names only, size-capped) and run through the independent
  verifier, exactly as `governance verify` does offline.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from governance.db import reading
from governance.i18n import current_language
from governance.i18n import gettext as _
from governance.meetings.tables import Meeting
from governance.minutes import pdf
from governance.minutes.tables import MinutesVersion, SignatoryKey
from governance.record.tables import OrganisationKey
from governance.vocabulary import Office, label

MAX_SIZE = 30 * 1024 * 1024
BUNDLE_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$")


@dataclass
class Report:
    kind: str  # "pdf" | "bundle"
    ok: bool
    verdict: str
    lines: list[str] = field(default_factory=list)
    signatures: list[dict[str, Any]] = field(default_factory=list)
    minutes: dict[str, Any] | None = None
    key: str | None = None  # the organisation key the signatures chain to (offline check)
    organisation: str | None = None  # the organisation the document names, as published here


@dataclass(frozen=True)
class Published:
    """An organisation as this server publishes it: its name and its keys (fingerprint -> key)."""

    name: str
    keys: dict[str, str]


async def _published() -> dict[str, Published]:
    """Every organisation's published keys, by organisation slug: what the page pins to."""
    async with reading():
        rows = await OrganisationKey.select(
            OrganisationKey.organisation.slug.as_alias("slug"),
            OrganisationKey.organisation.name_en.as_alias("name"),
            OrganisationKey.fingerprint,
            OrganisationKey.public_key,
        )
    published: dict[str, Published] = {}
    for row in rows:
        published.setdefault(row["slug"], Published(row["name"], {})).keys[row["fingerprint"]] = row["public_key"]
    return published


async def check_upload(content: bytes, filename: str) -> Report:
    """The page's one verdict line: "Valid: ..." or "Not valid: ...", said once."""
    if len(content) > MAX_SIZE:
        report = Report("file", False, _("The file is larger than 30 MB."))
    elif content.startswith(b"%PDF"):
        report = await check_pdf(content)
    elif content.startswith(b"PK"):
        report = await asyncio.to_thread(check_bundle, content, await _published())
    else:
        report = Report("file", False, _("This is neither a PDF nor a bundle (.zip) exported by governance."))
    prefix = _("Valid: {verdict}") if report.ok else _("Not valid: {verdict}")
    if not report.verdict.startswith(prefix.split("{")[0]):
        report.verdict = prefix.format(verdict=report.verdict)
    return report


async def _time_zone(embedded: dict[str, bytes]) -> str | None:
    """The time zone of the meeting the embedded record names, if it is one held here."""
    import json

    try:
        meeting = json.loads(embedded.get("record.json", b"{}")).get("meeting") or {}
    except (ValueError, AttributeError):
        return None
    slug = meeting.get("slug") if isinstance(meeting, dict) else None
    if not isinstance(slug, str):
        return None
    async with reading():
        row = await Meeting.select(Meeting.time_zone).where(Meeting.slug == slug).first()
    return row["time_zone"] if row else None


def _named_organisation(embedded: dict[str, bytes]) -> str | None:
    """The organisation the record embedded in a PDF names (its slug), if any."""
    import json

    try:
        organisation = json.loads(embedded.get("record.json", b"{}")).get("organisation") or {}
    except (ValueError, AttributeError):
        return None
    slug = organisation.get("slug") if isinstance(organisation, dict) else None
    return slug if isinstance(slug, str) else None


async def _trusted_roots(organisation: str | None) -> list[bytes]:
    """The organisation CA certificates issued here whose key ``organisation`` published (the one
    the document names): a signature chaining to another organisation's key is not its own."""
    published_by = (await _published()).get(organisation or "")
    published = set(published_by.keys.values()) if published_by else set()
    async with reading():
        chains = [r["certificate"] for r in await SignatoryKey.select(SignatoryKey.certificate) if r["certificate"]]
    roots: list[bytes] = []
    for chain in chains:
        for certificate in x509.load_pem_x509_certificates(chain.encode())[1:]:
            raw = certificate.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            if base64.b64encode(raw).decode() in published:
                roots.append(certificate.public_bytes(serialization.Encoding.PEM))
    return roots


def _issued_by(certificate_der: bytes | None, public_keys: Iterable[str]) -> bool:
    """Whether one of ``public_keys`` (base64 Ed25519) signed this certificate: "the key is one
    the organisation published here", asked of the certificate itself, so a changed document
    (whose signature no longer validates) still gets a true answer about its signer's key."""
    if not certificate_der:
        return False
    certificate = x509.load_der_x509_certificate(certificate_der)
    for key in public_keys:
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(
                certificate.signature, certificate.tbs_certificate_bytes
            )
        except (InvalidSignature, ValueError):
            continue
        return True
    return False


def _in_words(signature: dict[str, Any], published: Published | None, time_zone: str | None) -> None:
    """The table's cells in the reader's language: the office by its name, the time local with
    its zone, yes/no answers computed from the certificate and the published keys."""
    reason = str(signature.get("reason") or signature.get("office") or "")
    code, acting = reason.removesuffix(" (acting)"), reason.endswith(" (acting)")
    try:
        office = label(Office(code))
    except ValueError:
        office = code
    signature["office_name"] = _("{office} (acting)").format(office=office) if acting else office
    when = signature.get("signed_at")
    if isinstance(when, dt.datetime):
        zone = time_zone or "UTC"
        try:
            local = when.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            local, zone = when.astimezone(dt.UTC), "UTC"
        signature["signed_at_local"] = f"{format_datetime(local, 'medium', locale=current_language())} ({zone})"
    else:
        signature["signed_at_local"] = ""
    signature["unchanged"] = bool(signature.get("intact") and signature.get("valid"))
    signature["published"] = _issued_by(signature.get("certificate"), published.keys.values() if published else ())


async def check_pdf(content: bytes) -> Report:
    unreadable = None
    try:
        embedded = await asyncio.to_thread(pdf.embedded_files, content)
    except pdf.PdfInvalid as exc:
        # A changed byte may land in the embedded record: the signatures still say who signed.
        embedded, unreadable = {}, str(exc)
    organisation = _named_organisation(embedded)
    try:
        if organisation is None:
            # No readable record to name it: the organisation whose published key issued the
            # signers' certificates (a changed file still has its true signers).
            unpinned = await asyncio.to_thread(pdf.verify_pdf, content, trusted_roots_pem=[])
            organisation = next(
                (slug for slug, org in (await _published()).items()
                 if any(_issued_by(s.get("certificate"), org.keys.values()) for s in unpinned)),
                None,
            )  # fmt: skip
        roots = await _trusted_roots(organisation)
        # pyHanko runs its own event loop: in a worker thread.
        signatures = await asyncio.to_thread(pdf.verify_pdf, content, trusted_roots_pem=roots)
    except pdf.PdfInvalid as exc:
        return Report("pdf", False, str(exc))
    published = (await _published()).get(organisation or "")
    named = published.name if published else (organisation or _("an organisation unknown here"))
    time_zone = await _time_zone(embedded)
    for signature in signatures:
        _in_words(signature, published, time_zone)
    report = Report("pdf", False, "", signatures=signatures, organisation=named)
    if not signatures:
        report.verdict = _("This PDF carries no signature.")
        return report
    problems = []
    for signature in signatures:
        who = f"{signature.get('signer')} ({signature['office_name']})"
        if not (signature["intact"] and signature["valid"]):
            problems.append(_("The signature of {who} does not match the document: it was changed.").format(who=who))
        elif not signature["trusted"]:
            problems.append(
                _("Not signed by {organisation}: the signature of {who} does not chain to a key {organisation} "
                  "published here.").format(organisation=named, who=who)
            )  # fmt: skip
    if not signatures[-1]["covers_whole_file"]:
        problems.append(_("The file was changed after its last signature."))
    if unreadable is not None:
        problems.append(_("The files embedded in this PDF cannot be read: it was changed."))
    problems.extend(office_problems(signatures, embedded))
    minutes_json = embedded.get("minutes.json")
    if minutes_json is not None:
        digest = hashlib.sha256(minutes_json).hexdigest()
        async with reading():
            version = (
                await MinutesVersion.select(
                    MinutesVersion.version, MinutesVersion.status, MinutesVersion.meeting.slug.as_alias("meeting")
                )
                .where(MinutesVersion.content_hash == digest)
                .first()
            )
        if version is None:
            problems.append(_("The minutes inside this PDF are not a version published here."))
        else:
            report.minutes = version
    report.lines = problems
    report.ok = not problems
    names = ", ".join(f"{s.get('signer')} ({s['office_name']})" for s in signatures)
    report.verdict = (
        _("Valid: signed by {names}; nothing has changed since.").format(names=names)
        if report.ok
        else _("Not valid: {problem}").format(problem=problems[0])
    )
    return report


def office_problems(signatures: list[dict[str, Any]], embedded: dict[str, bytes]) -> list[str]:
    """Each signature of the PDF against the offices that the record embedded in it names for
    the meeting (its last offices_fixed event): the holder signs, as acting if the record says
    so, and no person or key signs for two offices."""
    try:
        record = json.loads(embedded.get("record.json") or b"{}")
    except ValueError:
        record = {}
    recorded: Any = None
    for event in record.get("events", []) if isinstance(record, dict) else []:
        try:
            body = json.loads(event.get("body") or "{}") if isinstance(event, dict) else {}
        except ValueError:
            continue
        if isinstance(body, dict) and body.get("type") == "offices_fixed":
            recorded = body.get("payload")
    if not isinstance(recorded, dict) or not isinstance(recorded.get("offices"), dict):
        return [_("The record in this PDF names no office holders: nobody could sign these minutes.")]
    problems: list[str] = []
    by_signer: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for signature in signatures:
        reason = str(signature.get("reason") or "")
        office, acting = reason.split(" ")[0], reason.endswith("(acting)")
        signer, key = str(signature.get("signer") or ""), str(signature.get("key") or "")
        first = by_signer.get(signer) or by_key.get(key)
        if first is not None:
            problems.append(
                _("{signer} signed for two offices ({first} and {second}): one person never signs for two "
                  "offices.").format(signer=signer, first=first, second=office)
            )  # fmt: skip
            continue
        by_signer[signer] = by_key[key] = office
        held = recorded["offices"].get(office)
        if not isinstance(held, dict):
            message = _("{signer} signed as {office}, an office the record of this meeting does not name.")
            problems.append(message.format(signer=signer, office=office))
        elif held.get("name") != signer or bool(held.get("acting")) != acting:
            holder = str(held.get("name")) + (" (acting)" if held.get("acting") else "")
            problems.append(_("{signer} signed as {office}, but the record of this meeting names {holder}.").format(
                signer=signer, office=reason or office, holder=holder))  # fmt: skip
    return problems


def check_bundle(content: bytes, published: dict[str, Published] | None = None) -> Report:
    """A bundle run through the independent verifier, then pinned: its manifest must be signed by
    a key that the organisation it names published here (``published``, by organisation slug)."""
    from governance.verify.checks import Broken, verify

    lines: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return Report("bundle", False, _("This .zip file cannot be read."))
    with tempfile.TemporaryDirectory() as directory, archive:
        total = 0
        for info in archive.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or not name:
                continue
            total += info.file_size
            if not BUNDLE_FILE.match(name) or total > MAX_SIZE:
                return Report("bundle", False, _("This .zip file is not a bundle exported by governance."))
            Path(directory, name).write_bytes(archive.read(info))
        try:
            verified = verify(Path(directory), say=lines.append)
        except Broken as broken:
            return Report("bundle", False, _("Not valid: {problem}").format(problem=str(broken)), lines)
        except Exception:  # a malformed bundle must give a sentence, never a 500
            return Report("bundle", False, _("This bundle is malformed: it cannot be verified."), lines)
    organisation = (published or {}).get(verified.organisation_slug)
    if organisation is None or verified.fingerprint not in organisation.keys:
        name = organisation.name if organisation else verified.organisation_name
        lines.append(
            _("The manifest is signed by key {key}, which {organisation} has not published here.").format(
                key=verified.fingerprint, organisation=name
            )
        )
        return Report("bundle", False, _("Not valid: not signed by {organisation}.").format(organisation=name), lines)
    lines.append(
        _("Signed by {organisation}'s published key {key}.").format(
            organisation=organisation.name, key=verified.fingerprint
        )
    )
    return Report("bundle", True, _("Valid: every check of the record holds."), lines)


def _raw(pem: bytes) -> bytes:
    public = x509.load_pem_x509_certificate(pem).public_key()
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def check_pdf_offline(content: bytes, expected_key: str | None = None) -> Report:
    """Signed minutes checked with nothing but the file: the organisation's keys come from the
    record embedded in the PDF, and ``expected_key`` (a fingerprint from the organisation's
    public page) pins which of them must have certified the signatories. Runs pyHanko's own
    event loop: call it from synchronous code or a worker thread."""
    import json

    try:
        embedded = pdf.embedded_files(content)
        certificates = pdf.embedded_certificates(content)
    except pdf.PdfInvalid as exc:
        return Report("pdf", False, str(exc))
    try:
        record = json.loads(embedded.get("record.json", b"{}"))
    except ValueError:
        record = {}
    # From the file itself: entries without a string fingerprint and key cannot match anything.
    keys: dict[str, str] = {
        k["fingerprint"]: k["public_key"]
        for k in record.get("keys", [])
        if isinstance(k, dict) and isinstance(k.get("fingerprint"), str) and isinstance(k.get("public_key"), str)
    }
    if expected_key is not None:
        keys = {fp: key for fp, key in keys.items() if fp == expected_key.strip().lower()}
        if not keys:
            return Report("pdf", False, _("The key {key} is not among the organisation's keys in this PDF.").format(
                key=expected_key))  # fmt: skip
    roots = []
    for pem in certificates:
        certificate = x509.load_pem_x509_certificate(pem)
        raw = certificate.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if certificate.issuer == certificate.subject and base64.b64encode(raw).decode() in keys.values():
            roots.append(pem)
    try:
        signatures = pdf.verify_pdf(content, trusted_roots_pem=roots)
    except pdf.PdfInvalid as exc:
        return Report("pdf", False, str(exc))
    report = Report("pdf", False, "", signatures=signatures)
    lines = [f"organisation keys in the embedded record: {', '.join(sorted(keys)) or '-'}"]
    problems = []
    for signature in signatures:
        who = f"{signature.get('signer')} ({signature.get('reason') or signature.get('office')})"
        state = "intact" if signature["intact"] and signature["valid"] else "CHANGED"
        trust = "certified by the organisation" if signature["trusted"] else "NOT certified by the organisation"
        lines.append(f"signature {signature['field']}: {who}, signed {signature.get('signed_at')}: {state}, {trust}")
        if not (signature["intact"] and signature["valid"]):
            problems.append(_("The signature of {who} does not match the document: it was changed.").format(who=who))
        elif not signature["trusted"]:
            problems.append(_("The signature of {who} is not by a key this organisation published.").format(who=who))
    if not signatures:
        problems.append(_("This PDF carries no signature."))
    elif not signatures[-1]["covers_whole_file"]:
        problems.append(_("The file was changed after its last signature."))
    if "minutes.json" not in embedded:
        problems.append(_("The minutes' JSON is not embedded in this PDF."))
    if signatures:
        problems.extend(office_problems(signatures, embedded))
    report.lines, report.ok = lines + problems, not problems
    used = {fp for fp, key in keys.items() if any(base64.b64decode(key) == _raw(pem) for pem in roots)}
    report.key = ", ".join(sorted(used)) or None
    names = ", ".join(f"{s.get('signer')} ({s.get('reason') or s.get('office')})" for s in signatures)
    report.verdict = (
        _("Valid: signed by {names}; nothing has changed since.").format(names=names)
        if report.ok
        else _("Not valid: {problem}").format(problem=problems[0])
    )
    return report
