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
import hashlib
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from governance.db import reading
from governance.i18n import gettext as _
from governance.minutes import pdf
from governance.minutes.tables import MinutesVersion, SignatoryKey
from governance.record.tables import OrganisationKey

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


async def check_upload(content: bytes, filename: str) -> Report:
    if len(content) > MAX_SIZE:
        return Report("file", False, _("The file is larger than 30 MB."))
    if content.startswith(b"%PDF"):
        return await check_pdf(content)
    if content.startswith(b"PK"):
        return await asyncio.to_thread(check_bundle, content)
    return Report("file", False, _("This is neither a PDF nor a bundle (.zip) exported by governance."))


async def _trusted_roots() -> list[bytes]:
    """The organisation CA certificates issued here whose key is a published organisation key."""
    async with reading():
        published = {r["public_key"] for r in await OrganisationKey.select(OrganisationKey.public_key)}
        chains = [r["certificate"] for r in await SignatoryKey.select(SignatoryKey.certificate) if r["certificate"]]
    roots: list[bytes] = []
    for chain in chains:
        for certificate in x509.load_pem_x509_certificates(chain.encode())[1:]:
            raw = certificate.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            if base64.b64encode(raw).decode() in published:
                roots.append(certificate.public_bytes(serialization.Encoding.PEM))
    return roots


async def check_pdf(content: bytes) -> Report:
    roots = await _trusted_roots()
    try:
        # pyHanko runs its own event loop: in a worker thread.
        signatures = await asyncio.to_thread(pdf.verify_pdf, content, trusted_roots_pem=roots)
        embedded = await asyncio.to_thread(pdf.embedded_files, content)
    except pdf.PdfInvalid as exc:
        return Report("pdf", False, str(exc))
    report = Report("pdf", False, "", signatures=signatures)
    if not signatures:
        report.verdict = _("This PDF carries no signature.")
        return report
    problems = []
    for signature in signatures:
        who = f"{signature.get('signer')} ({signature.get('reason') or signature.get('office')})"
        if not (signature["intact"] and signature["valid"]):
            problems.append(_("The signature of {who} does not match the document: it was changed.").format(who=who))
        elif not signature["trusted"]:
            problems.append(_("The signature of {who} is not by a key this organisation published.").format(who=who))
    if not signatures[-1]["covers_whole_file"]:
        problems.append(_("The file was changed after its last signature."))
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
    names = ", ".join(f"{s.get('signer')} ({s.get('reason') or s.get('office')})" for s in signatures)
    report.verdict = (
        _("Valid: signed by {names}; nothing has changed since.").format(names=names)
        if report.ok
        else _("Not valid: {problem}").format(problem=problems[0])
    )
    return report


def check_bundle(content: bytes) -> Report:
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
            verify(Path(directory), say=lines.append)
        except Broken as broken:
            return Report("bundle", False, _("Not valid: {problem}").format(problem=str(broken)), lines)
        except Exception:  # a malformed bundle must give a sentence, never a 500
            return Report("bundle", False, _("This bundle is malformed: it cannot be verified."), lines)
    return Report("bundle", True, _("Valid: every check of the record holds."), lines)


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
    keys = {k.get("fingerprint"): k.get("public_key") for k in record.get("keys", []) if isinstance(k, dict)}
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
    report.lines, report.ok = lines + problems, not problems
    names = ", ".join(f"{s.get('signer')} ({s.get('reason') or s.get('office')})" for s in signatures)
    report.verdict = (
        _("Valid: signed by {names}; nothing has changed since.").format(names=names)
        if report.ok
        else _("Not valid: {problem}").format(problem=problems[0])
    )
    return report
