"""Step 8: the minutes in a bundle (minutes.json, minutes-signatures.json, minutes.pdf).

Checked with the standard library and ``cryptography`` only: the minutes are canonical JSON
for this meeting; each signatory is the holder of the office the record names for the meeting
(the last ``offices_fixed`` event), and no key or person signs for two offices; each
signatory's X.509 certificate is issued by a key the record lists
(the organisation's), and its Ed25519 signature covers the exact bytes of minutes.json; every
office the statutes name has signed; the log records that very content as signed; the
annex's Merkle roots are the polls' own; the signed PDF is the one the last signature left.
(The PDF's own PAdES signatures need a PDF library: the public verify page checks those.)
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from governance.verify.canonical import CanonicalError, loads, loads_canonical


class MinutesBroken(Exception):
    pass


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise MinutesBroken(message)


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def check(
    files: dict[str, bytes],
    *,
    meeting: str,
    organisation_keys: list[bytes],
    retired_at: dict[bytes, str | None] | None = None,
    recorded: dict[str, Any] | None,
    required_offices: list[str],
    signed_hashes: set[str],
    poll_roots: dict[int, str | None],
    say: Callable[[str], None],
) -> None:
    raw = files["minutes.json"]
    try:
        content = loads_canonical(raw)
    except CanonicalError as error:
        raise MinutesBroken(f"minutes.json: {error}") from error
    _need(isinstance(content, dict) and content.get("format") == "governance-minutes/1",
          "minutes.json: not governance-minutes/1")  # fmt: skip
    _need(content.get("meeting") == meeting, f"minutes.json: for {content.get('meeting')!r}, not {meeting!r}")
    digest = hashlib.sha256(raw).hexdigest()
    _need(digest in signed_hashes, "minutes.json: the log records no signature of this content")
    try:
        signed = loads(files["minutes-signatures.json"])
    except (CanonicalError, KeyError) as error:
        raise MinutesBroken("minutes-signatures.json: missing or not JSON") from error
    _need(isinstance(recorded, dict) and isinstance(recorded.get("offices"), dict),
          "minutes: the record names no office holders (no offices_fixed event): nobody can sign")  # fmt: skip
    assert recorded is not None
    holders: dict[str, Any] = recorded["offices"]
    offices: set[str] = set()
    by_key: dict[str, str] = {}
    by_person: dict[Any, str] = {}
    last_pdf: str | None = None
    for entry in signed.get("signatures", []):
        office = entry.get("office")
        where = f"minutes: signature as {office}"
        name, person, fingerprint = entry.get("name"), entry.get("person"), str(entry.get("fingerprint"))
        # One key, one person: never two offices.
        _need(fingerprint not in by_key, f"{where}: {name} (person {person}), key {fingerprint[:16]}… also signed as "
              f"{by_key.get(fingerprint)}: one key never signs for two offices")  # fmt: skip
        _need(person not in by_person, f"{where}: {name} (person {person}) also signed as {by_person.get(person)}: "
              "one person never signs for two offices")  # fmt: skip
        by_key[fingerprint], by_person[person] = str(office), str(office)
        # The signatory is the holder the record names for this office (offices_fixed).
        held = holders.get(office)
        _need(isinstance(held, dict), f"{where}: the record names no holder of the office {office}")
        assert isinstance(held, dict)
        _need(person is not None and person == held.get("person"),
              f"{where}: signed by {name} (person {person}), but the record names {held.get('name')} "
              f"(person {held.get('person')}) as {office}")  # fmt: skip
        _need(bool(entry.get("acting")) == bool(held.get("acting")),
              f"{where}: {name} signs {'as acting' if entry.get('acting') else 'as holder'}, but the record names "
              f"them {'acting' if held.get('acting') else 'holder'} of the office {office}")  # fmt: skip
        try:
            chain = x509.load_pem_x509_certificates((entry.get("certificate") or "").encode())
        except ValueError as error:
            raise MinutesBroken(f"{where}: no readable certificate") from error
        certificate = chain[0]
        public = certificate.public_key()
        _need(isinstance(public, Ed25519PublicKey), f"{where}: the certificate's key is not Ed25519")
        assert isinstance(public, Ed25519PublicKey)
        _need(hashlib.sha256(_raw(public)).hexdigest() == entry.get("fingerprint"),
              f"{where}: the certificate is not for key {entry.get('fingerprint')}")  # fmt: skip
        issued = False
        for candidate in organisation_keys:
            try:
                Ed25519PublicKey.from_public_bytes(candidate).verify(
                    certificate.signature, certificate.tbs_certificate_bytes
                )
                issued = True
                break
            except InvalidSignature:
                continue
        _need(issued, f"{where}: the certificate is not issued by the organisation's key")
        # A retired organisation key (it may have leaked) certifies nothing signed after it retired.
        retired, signed_at = (retired_at or {}).get(candidate), entry.get("signed_at")
        _need(retired is None or (isinstance(signed_at, str) and signed_at <= retired),
              f"{where}: signed at {signed_at} under a certificate from a key retired at {retired}")  # fmt: skip
        try:
            public.verify(base64.b64decode(entry.get("signature", "")), raw)
        except (InvalidSignature, ValueError) as error:
            raise MinutesBroken(f"{where}: not a valid signature of minutes.json") from error
        offices.add(office)
        last_pdf = entry.get("pdf_sha256") or last_pdf
        acting = " (acting)" if entry.get("acting") else ""
        say(f"   {office}{acting}: {entry.get('name')}, key {str(entry.get('fingerprint'))[:16]}…: OK")
    missing = sorted(set(required_offices) - offices)
    _need(not missing, f"minutes: not signed by {', '.join(missing)}")
    annex = content.get("facts", {}).get("annex", {})
    for poll in annex.get("polls", []):
        _need(poll_roots.get(poll.get("poll")) == poll.get("merkle_root"),
              f"minutes: the annex's Merkle root of poll {poll.get('poll')} is not the record's")  # fmt: skip
    if "minutes.pdf" in files:
        _need(hashlib.sha256(files["minutes.pdf"]).hexdigest() == last_pdf,
              "minutes.pdf: not the PDF the last signature left")  # fmt: skip
    say(f"8. minutes: version {content.get('version')}, content {digest[:16]}…, signed by {', '.join(sorted(offices))}")
