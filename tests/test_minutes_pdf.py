"""Signed minutes as PDF: PDF/A-3b rendering with attachments, Ed25519 certificates, PAdES signing and checking.

Pure functions over bytes: no database, no web app.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtensionOID, NameOID

from governance.minutes.pdf import (
    PdfInvalid,
    embedded_files,
    issue_certificate,
    organisation_certificate,
    render_pdf,
    sign_pdf,
    verify_pdf,
)

HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>ignored</title>
<style>@page { size: A4; margin: 2cm } body { font-family: "DejaVu Serif"; }</style></head>
<body>
<h1>Procès-verbal — Assemblée générale</h1>
<p>Présidence : Señora Ana Muñoz Peña. Secrétaire général : Jean-Éric Dupré.</p>
<p>Quorum atteint — 42 membres présents ; résolution adoptée à l’unanimité.</p>
</body></html>
"""
RECORD = b'{"meeting":"ag-2026","events":[{"seq":1,"type":"opened"}],"note":"\xc3\xa9\xc3\xb1"}\n'
MINUTES = b'{"title":"Proc\xc3\xa8s-verbal","signatories":["President","Secretary General"]}\n'
ATTACHMENTS = [
    ("record.json", RECORD, "The meeting record"),
    ("minutes.json", MINUTES, "The minutes, structured"),
]
ORG = "Cités Unies — Test"


def _render(**kwargs: object) -> bytes:
    return render_pdf(HTML, base_url=None, attachments=ATTACHMENTS, title="Procès-verbal AG 2026",
                      language="fr", **kwargs)  # type: ignore[arg-type]


def _xmp(pdf: bytes) -> str:
    """The newest XMP packet (the metadata stream may be compressed)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    return reader.root["/Metadata"].get_object().data.decode("utf-8")


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return _render()


@pytest.fixture(scope="module")
def pki() -> dict[str, object]:
    org_key = Ed25519PrivateKey.generate()
    president_key = Ed25519PrivateKey.generate()
    secretary_key = Ed25519PrivateKey.generate()
    ca = organisation_certificate(org_key, ORG)
    return {
        "org_key": org_key,
        "ca": ca,
        "president_key": president_key,
        "president": issue_certificate(org_key, ORG, president_key.public_key(), "Ana Muñoz Peña",
                                       office="President"),
        "secretary_key": secretary_key,
        "secretary": issue_certificate(org_key, ORG, secretary_key.public_key(), "Jean-Éric Dupré",
                                       office="Secretary General"),
    }


@pytest.fixture(scope="module")
def signed_twice(unsigned: bytes, pki: dict) -> tuple[bytes, bytes]:
    once = sign_pdf(unsigned, key=pki["president_key"], certificate_pem=pki["president"], chain_pem=[pki["ca"]],
                    field_name="President", reason="Minutes approved", location="Barcelona", name="Ana Muñoz Peña")
    twice = sign_pdf(once, key=pki["secretary_key"], certificate_pem=pki["secretary"], chain_pem=[pki["ca"]],
                     field_name="SecretaryGeneral", reason="Minutes approved", location=None,
                     name="Jean-Éric Dupré")
    return once, twice


# ----------------------------------------------------------------------------- rendering


def test_render_is_pdf_a_3b_with_attachments(unsigned: bytes) -> None:
    assert unsigned.startswith(b"%PDF-1.7")
    xmp = _xmp(unsigned)
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    assert "Procès-verbal AG 2026" in xmp
    assert embedded_files(unsigned) == {"record.json": RECORD, "minutes.json": MINUTES}


def test_render_embeds_fonts_and_associates_files(unsigned: bytes) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(unsigned))
    root = reader.root
    assert str(root["/Lang"]) == "fr"
    assert "/OutputIntents" in root
    associated = [ref.get_object() for ref in root["/AF"]]
    assert sorted(str(spec["/UF"]) for spec in associated) == ["minutes.json", "record.json"]
    assert {str(spec["/AFRelationship"]) for spec in associated} == {"/Data"}
    assert {str(spec["/Desc"]) for spec in associated} == {"The meeting record", "The minutes, structured"}
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    fonts = page["/Resources"]["/Font"]
    for font_ref in fonts.values():
        font = font_ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
        assert "DejaVu" in str(descendant["/BaseFont"])


def test_render_shows_the_accented_text() -> None:
    """The text layer holds the characters (checked through poppler when it is installed)."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=_render(), capture_output=True,
                          check=True).stdout.decode()
    text = " ".join(text.split())
    assert "Procès-verbal — Assemblée générale" in text
    assert "Señora Ana Muñoz Peña" in text


def test_render_is_deterministic() -> None:
    from weasyprint.text.ffi import harfbuzz_subset

    if not harfbuzz_subset:
        pytest.skip("without libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools, which stamps the time")
    created = dt.datetime(2026, 5, 14, 18, 30, tzinfo=dt.UTC)
    assert _render() == _render()
    dated = _render(created=created)
    assert dated == _render(created=created)
    assert "2026-05-14T18:30:00Z" in _xmp(dated)


def test_render_rejects_duplicate_names_and_unknown_variants() -> None:
    with pytest.raises(ValueError, match="unique"):
        render_pdf(HTML, base_url=None, attachments=[ATTACHMENTS[0], ATTACHMENTS[0]], title="t", language="fr")
    with pytest.raises(ValueError, match="pdf_variant"):
        render_pdf(HTML, base_url=None, attachments=[], title="t", language="fr", pdf_variant="pdf/a-1b")


# ----------------------------------------------------------------------------- certificates


def test_certificates(pki: dict) -> None:
    ca = x509.load_pem_x509_certificate(pki["ca"])
    assert ca.subject == ca.issuer
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == ORG
    assert ca.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.ca is True
    assert ca.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value.key_cert_sign is True
    ca.verify_directly_issued_by(ca)

    cert = x509.load_pem_x509_certificate(pki["secretary"])
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Jean-Éric Dupré"
    assert cert.subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Secretary General"
    assert cert.issuer == ca.subject
    usage = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert cert.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.ca is False
    cert.verify_directly_issued_by(ca)
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 3650


# ----------------------------------------------------------------------------- signing and checking


def test_two_signatures_both_validate(signed_twice: tuple[bytes, bytes], pki: dict, unsigned: bytes) -> None:
    once, twice = signed_twice
    # Incremental updates: each signed file starts with the previous one, byte for byte.
    assert once.startswith(unsigned) and twice.startswith(once)
    before = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)

    results = verify_pdf(twice, trusted_roots_pem=[pki["ca"]])
    assert [r["field"] for r in results] == ["President", "SecretaryGeneral"]
    president, secretary = results
    for result in results:
        assert result["intact"] and result["valid"] and result["trusted"] and result["ok"], result
        assert result["changes_allowed"]
        assert result["organisation"] == ORG
        assert result["signed_at"] > before
        assert result["reason"] == "Minutes approved"
    assert (president["signer"], president["office"]) == ("Ana Muñoz Peña", "President")
    assert (secretary["signer"], secretary["office"]) == ("Jean-Éric Dupré", "Secretary General")
    assert president["location"] == "Barcelona" and secretary["location"] is None
    assert president["covers_whole_file"] is False
    assert president["modification_level"] == "form_filling"  # a later signature, nothing else
    assert secretary["covers_whole_file"] is True
    assert secretary["modification_level"] == "none"

    # The signed file keeps its attachments and its PDF/A identification.
    assert embedded_files(twice) == {"record.json": RECORD, "minutes.json": MINUTES}
    assert 'pdfaid:part="3"' in _xmp(twice)


def test_signatures_are_ed25519_pades(signed_twice: tuple[bytes, bytes]) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed_twice[1]))
    sigs = list(reader.embedded_regular_signatures)
    assert len(sigs) == 2
    for sig in sigs:
        assert sig.signer_info["signature_algorithm"]["algorithm"].native == "ed25519"
        assert sig.md_algorithm == "sha512"
        assert str(sig.sig_object["/SubFilter"]) == "/ETSI.CAdES.detached"


def test_unsigned_pdf_has_no_signatures(unsigned: bytes) -> None:
    assert verify_pdf(unsigned, trusted_roots_pem=[]) == []


def _first_content_stream_offset(pdf: bytes) -> int:
    """Offset of a byte inside the first page's (compressed) content stream."""
    position = 0
    while True:
        position = pdf.index(b"stream\n", position) + len(b"stream\n")
        end = pdf.index(b"\nendstream", position)
        try:
            text = zlib.decompress(pdf[position:end])
        except zlib.error:
            continue
        if b" Tf" in text and b"BT" in text:  # text drawing operators: page content
            return position + (end - position) // 2


def test_one_changed_byte_is_detected(signed_twice: tuple[bytes, bytes], pki: dict) -> None:
    once, twice = signed_twice
    offset = _first_content_stream_offset(twice)
    assert offset < len(once) // 2  # inside the first signed revision
    tampered = bytearray(twice)
    tampered[offset] ^= 0x01
    # The file still parses (the byte is inside compressed page content), so the verdict is per
    # signature: both signatures cover that byte, neither is intact. (Damage that breaks parsing
    # raises PdfInvalid instead: see the next test.)
    results = verify_pdf(bytes(tampered), trusted_roots_pem=[pki["ca"]])
    assert len(results) == 2
    assert not any(r["intact"] for r in results)
    assert not any(r["ok"] for r in results)


def test_changed_header_or_structure_raises(signed_twice: tuple[bytes, bytes], pki: dict) -> None:
    twice = signed_twice[1]
    with pytest.raises(PdfInvalid, match="not a PDF"):
        verify_pdf(b"X" + twice[1:], trusted_roots_pem=[pki["ca"]])
    with pytest.raises(PdfInvalid, match="damaged"):
        verify_pdf(twice[: len(twice) // 3], trusted_roots_pem=[pki["ca"]])
    with pytest.raises(PdfInvalid):
        embedded_files(b"hello")


def test_later_unsigned_change_is_reported(signed_twice: tuple[bytes, bytes], pki: dict) -> None:
    """An incremental update appended after the last signature: signatures intact, but the file changed."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_twice[1]))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    results = verify_pdf(out.getvalue(), trusted_roots_pem=[pki["ca"]])
    assert all(r["intact"] and r["valid"] for r in results)
    assert not any(r["covers_whole_file"] for r in results)
    assert not any(r["ok"] for r in results)
    assert results[-1]["modification_level"] == "other"


def test_signature_from_another_organisation_is_untrusted(signed_twice: tuple[bytes, bytes], pki: dict) -> None:
    other_key = Ed25519PrivateKey.generate()
    other_ca = organisation_certificate(other_key, "Some Other Network")
    intruder_key = Ed25519PrivateKey.generate()
    intruder = issue_certificate(other_key, "Some Other Network", intruder_key.public_key(), "Mallory",
                                 office="President")
    signed = sign_pdf(signed_twice[1], key=intruder_key, certificate_pem=intruder, chain_pem=[other_ca],
                      field_name="Intruder", reason="—", location=None, name="Mallory")
    results = verify_pdf(signed, trusted_roots_pem=[pki["ca"]])
    assert [r["field"] for r in results] == ["President", "SecretaryGeneral", "Intruder"]
    intruder_result = results[-1]
    assert intruder_result["intact"] and intruder_result["valid"]
    assert intruder_result["trusted"] is False and intruder_result["ok"] is False
    assert intruder_result["signer"] == "Mallory"
    # The earlier signatures are still good; the intruder's one was a permitted (signature) update.
    assert all(r["trusted"] and r["intact"] for r in results[:2])
    # Trusting the other root instead flips the verdicts.
    flipped = verify_pdf(signed, trusted_roots_pem=[other_ca])
    assert [r["trusted"] for r in flipped] == [False, False, True]


def test_sign_refuses_mismatched_key_and_duplicate_field(signed_twice: tuple[bytes, bytes], pki: dict) -> None:
    with pytest.raises(ValueError, match="does not belong"):
        sign_pdf(signed_twice[1], key=pki["president_key"], certificate_pem=pki["secretary"], chain_pem=[pki["ca"]],
                 field_name="X", reason="r", location=None, name="n")
    with pytest.raises(ValueError, match="already has a signature field"):
        sign_pdf(signed_twice[1], key=pki["president_key"], certificate_pem=pki["president"],
                 chain_pem=[pki["ca"]], field_name="President", reason="r", location=None, name="n")


def test_expired_certificate_is_untrusted(unsigned: bytes, pki: dict) -> None:
    key = Ed25519PrivateKey.generate()
    cert = issue_certificate(pki["org_key"], ORG, key.public_key(), "Past Officer", office="Treasurer",
                             valid_days=1, not_before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    signed = sign_pdf(unsigned, key=key, certificate_pem=cert, chain_pem=[pki["ca"]], field_name="Treasurer",
                      reason="r", location=None, name="Past Officer")
    (result,) = verify_pdf(signed, trusted_roots_pem=[pki["ca"]])
    assert result["intact"] and result["valid"] and not result["trusted"]
    # Checked as of a moment inside the validity period, it chains (the CA must be valid then too).
    ca_key = Ed25519PrivateKey.generate()
    old_ca = organisation_certificate(ca_key, "Old Org", not_before=dt.datetime(2019, 1, 1, tzinfo=dt.UTC))
    old_cert = issue_certificate(ca_key, "Old Org", key.public_key(), "Past Officer", office="Treasurer",
                                 valid_days=1, not_before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    signed_old = sign_pdf(unsigned, key=key, certificate_pem=old_cert, chain_pem=[old_ca], field_name="T",
                          reason="r", location=None, name="Past Officer")
    (then,) = verify_pdf(signed_old, trusted_roots_pem=[old_ca], moment=dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC))
    assert then["trusted"]


def test_pdf_a_4f_variant_signs_too(pki: dict) -> None:
    pdf = _render(pdf_variant="pdf/a-4f")
    assert pdf.startswith(b"%PDF-2.0")
    assert 'pdfaid:part="4"' in _xmp(pdf) and 'pdfaid:conformance="F"' in _xmp(pdf)
    signed = sign_pdf(pdf, key=pki["president_key"], certificate_pem=pki["president"], chain_pem=[pki["ca"]],
                      field_name="President", reason="r", location=None, name="Ana Muñoz Peña")
    (result,) = verify_pdf(signed, trusted_roots_pem=[pki["ca"]])
    assert result["ok"] and result["covers_whole_file"]
    assert embedded_files(signed) == {"record.json": RECORD, "minutes.json": MINUTES}
