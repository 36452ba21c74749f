"""Ed25519 certificates for signed minutes: the organisation's CA and its signatories' certificates.

Plain functions over keys and bytes (``cryptography`` builds them; pyHanko reads them as
asn1crypto objects, see :func:`asn1_certs`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID


def as_utc(moment: dt.datetime) -> dt.datetime:
    """An aware UTC datetime (naive input is taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _org_name(org_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, org_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name)])


def _validity(not_before: dt.datetime | None, valid_days: int) -> tuple[dt.datetime, dt.datetime]:
    if not_before:
        start = as_utc(not_before)
    else:
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    return start, start + dt.timedelta(days=valid_days)


def organisation_certificate(
    org_key: Ed25519PrivateKey,
    org_name: str,
    *,
    valid_days: int = 7300,
    not_before: dt.datetime | None = None,
) -> bytes:
    """Self-signed CA certificate (PEM) for the organisation's Ed25519 key.

    Subject and issuer: ``CN=<org_name>, O=<org_name>``; basicConstraints CA (path length 0:
    it certifies signatories only); keyUsage keyCertSign + cRLSign.
    """
    name = _org_name(org_name)
    public_key = org_key.public_key()
    start, end = _validity(not_before, valid_days)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(org_key, algorithm=None)
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def issue_certificate(
    issuer_key: Ed25519PrivateKey,
    issuer_name: str,
    subject_public_key: Ed25519PublicKey,
    subject_name: str,
    *,
    office: str,
    valid_days: int = 3650,
    not_before: dt.datetime | None = None,
) -> bytes:
    """Certificate (PEM) for a signatory's Ed25519 key, issued by the organisation's CA.

    ``issuer_name`` is the organisation name given to :func:`organisation_certificate` (the issuer
    DN must match the CA's subject). Subject: ``CN=<person>, title=<office>, OU=<office>,
    O=<organisation>``; not a CA; keyUsage digitalSignature + nonRepudiation (critical).
    """
    start, end = _validity(not_before, valid_days)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, subject_name),
        x509.NameAttribute(NameOID.TITLE, office),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, office),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer_name),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(_org_name(issuer_name))
        .public_key(subject_public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
        .sign(issuer_key, algorithm=None)
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def asn1_certs(pems: Iterable[bytes]) -> list[Any]:
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509

    certs = []
    for blob in pems:
        if asn1_pem.detect(blob):
            for _, _, der in asn1_pem.unarmor(blob, multiple=True):
                certs.append(asn1_x509.Certificate.load(der))
        else:
            certs.append(asn1_x509.Certificate.load(blob))
    return certs
