"""Signed minutes as PDF: HTML -> PDF/A-3b (WeasyPrint), Ed25519 certificates, PAdES signatures (pyHanko).

Plain functions over bytes and keys: no database, no web framework.

- :func:`render_pdf` turns HTML into a PDF/A-3b file that carries machine-readable attachments
  (``record.json``, ``minutes.json`` ...) as associated files.
- :func:`organisation_certificate` makes the organisation's self-signed CA certificate for its
  Ed25519 key; :func:`issue_certificate` certifies a signatory's Ed25519 key for an office.
- :func:`sign_pdf` adds one PAdES baseline-B signature as an incremental update, so every earlier
  signature stays valid; :func:`verify_pdf` reports on every signature; :func:`embedded_files`
  returns the attachments.

pyHanko's synchronous entry points run their own event loop (``asyncio.run``): call
:func:`sign_pdf` and :func:`verify_pdf` from a worker thread when inside async code (they are
CPU-bound anyway).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import threading
import zlib
from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance.minutes.certificates import as_utc, asn1_certs, issue_certificate, organisation_certificate

__all__ = [
    "PdfInvalid",
    "embedded_files",
    "issue_certificate",
    "organisation_certificate",
    "render_pdf",
    "sign_pdf",
    "verify_pdf",
]


class PdfInvalid(Exception):
    """The bytes are not a PDF we can read, or a signature in it cannot be processed."""


# --------------------------------------------------------------------------- rendering

#: AFRelationship of the attachments: "Data" = information used to derive the visual presentation.
ATTACHMENT_RELATIONSHIP = "Data"

#: PDF/A levels that allow embedded files of any type: PDF/A-3b (on PDF 1.7, the default) and
#: PDF/A-4f (on PDF 2.0, the base that ISO/TS 32002 -- EdDSA in PDF signatures -- extends).
PDF_VARIANTS = frozenset({"pdf/a-3b", "pdf/a-4f"})


# The user-agent stylesheet for our own print documents: the rules of WeasyPrint's HTML5
# stylesheet (weasyprint/css/html5_ua.css, copied verbatim) that can apply to the elements
# the minutes use. WeasyPrint matches its whole UA stylesheet (forms, lists, ruby, dozens of
# [dir] variants) against every element; this subset renders the minutes identically (same
# pixels, same text: checked page by page when it was introduced) in about 85 % of the time.
# It reaches WeasyPrint through ``HTML._ua_stylesheets``, a private method: should it change,
# the full stylesheet applies again and only the speed is lost.
PRINT_UA_CSS = r"""
[hidden], area, base, basefont, command, datalist, head, input[type=hidden i], link, menu[type=context i],
meta, noembed, noframes, param, rp, script, source, style, template, title, track { display: none }
address, article, aside, blockquote, body, center, dd, details, dir, div, dl, dt, frame, frameset, fieldset,
figure, figcaption, footer, form, h1, h2, h3, h4, h5, h6, header, hgroup, hr, html, legend, listing, main,
menu, nav, ol, p, plaintext, pre, section, summary, ul, xmp { display: block }
table { display: table }
thead, thead[hidden] { display: table-header-group }
tbody, tbody[hidden] { display: table-row-group }
tr, tr[hidden] { display: table-row }
td, th, td[hidden], th[hidden] { display: table-cell }
blockquote, dir, dl, figure, listing, menu, ol, p, plaintext, pre, ul, xmp { margin-top: 1em; margin-bottom: 1em }
body { margin: 8px }
h1 { margin-top: .67em; margin-bottom: .67em }
h2 { margin-top: .83em; margin-bottom: .83em }
h3 { margin-top: 1em; margin-bottom: 1em }
blockquote, figure { margin-left: 40px; margin-right: 40px }
table { border-spacing: 2px; border-collapse: separate }
td, th { padding: 1px }
thead, tbody, tfoot, table > tr { vertical-align: middle }
tr, td, th { vertical-align: inherit }
address, cite, dfn, em, i, var { font-style: italic }
b, strong, th { font-weight: bold }
code, kbd, listing, plaintext, pre, samp, tt, xmp { font-family: monospace }
h1 { font-size: 2em; font-weight: bold }
h2 { font-size: 1.5em; font-weight: bold }
h3 { font-size: 1.17em; font-weight: bold }
table, td, th { border-color: gray }
thead, tbody, tfoot, tr { border-color: inherit }
br::before { content: "\A"; white-space: pre-line }
table, input, select, option, optgroup, button, textarea, keygen { text-indent: initial }
table { box-sizing: border-box }
h1 { bookmark-level: 1 }
h2 { bookmark-level: 2 }
h3 { bookmark-level: 3 }
h1, h2, h3, h4, h5, h6 { bookmark-label: content(text) }
h1, h2, h3, h4, h5, h6 { hyphens: manual; break-after: avoid; break-inside: avoid }
@page {
  margin: 75px;
  @footnote            { margin-top: 1em }
  @note-area           { content: element(note, all-once) }
  @top-left-corner     { text-align: right;  vertical-align: middle }
  @top-left            { text-align: left;   vertical-align: middle }
  @top-center          { text-align: center; vertical-align: middle }
  @top-right           { text-align: right;  vertical-align: middle }
  @top-right-corner    { text-align: left;   vertical-align: middle }
  @left-top            { text-align: center; vertical-align: top    }
  @left-middle         { text-align: center; vertical-align: middle }
  @left-bottom         { text-align: center; vertical-align: bottom }
  @right-top           { text-align: center; vertical-align: top    }
  @right-middle        { text-align: center; vertical-align: middle }
  @right-bottom        { text-align: center; vertical-align: bottom }
  @bottom-left-corner  { text-align: right;  vertical-align: middle }
  @bottom-left         { text-align: left;   vertical-align: middle }
  @bottom-center       { text-align: center; vertical-align: middle }
  @bottom-right        { text-align: right;  vertical-align: middle }
  @bottom-right-corner { text-align: left;   vertical-align: middle }
}

"""


@functools.cache
def _print_html_class() -> type:
    from weasyprint import CSS, HTML

    stylesheet = CSS(string=PRINT_UA_CSS)

    class PrintHTML(HTML):  # type: ignore[misc]
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [stylesheet]

    return PrintHTML


# zlib's default trade-off: level 9 costs five times the time for a few per cent. It applies to
# the attachments and to the pages' content streams alike (pydyf deflates those at level 9:
# a tenth of a second for a 50-page document, for 2 % less size).
ATTACHMENT_DEFLATE_LEVEL = 6
STREAM_DEFLATE_LEVEL = 6

_fonts = threading.local()


def _font_config() -> Any:
    """One WeasyPrint font configuration per thread, reused by every render in that thread:
    building one costs a fontconfig set-up and each render then finds its faces already
    loaded. Per thread because it wraps a Pango font map, which is not thread-safe."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


def render_pdf(
    html: str,
    *,
    base_url: str | None,
    attachments: list[tuple[str, bytes, str]],
    title: str,
    language: str,
    created: dt.datetime | None = None,
    pdf_variant: str = "pdf/a-3b",
    signature_fields: str | None = None,
) -> bytes:
    """Render ``html`` to a PDF/A-3b document and return its bytes.

    ``attachments`` are ``(filename, content, description)`` triples, embedded as associated files
    (catalog ``/AF``, ``/AFRelationship /Data``) and listed in the ``/EmbeddedFiles`` name tree.
    ``title`` goes to the XMP metadata (``dc:title``) and ``language`` (a BCP 47 tag) to the
    catalog's ``/Lang``. There is deliberately no document information dictionary (see below).
    ``pdf_variant`` is ``"pdf/a-3b"`` (default) or ``"pdf/a-4f"``.

    ``signature_fields``: an id prefix (``"signature-field-"``); every element whose id starts
    with it becomes an empty signature field of the same name less the prefix, prefixed
    ``Signature-`` (``Signature-president``), over that element's box, in the document's first
    (and only) revision. :func:`sign_pdf` then fills each with its signer's visible appearance.

    Output is byte-for-byte deterministic for the same input and library versions: the file
    identifier is a hash of the content, and dates are written only if ``created`` is given (it
    then becomes the document's and the attachments' creation and modification date).
    """
    from weasyprint import Attachment

    if pdf_variant not in PDF_VARIANTS:
        raise ValueError(f"pdf_variant must be one of {sorted(PDF_VARIANTS)}")
    if len({name for name, _, _ in attachments}) != len(attachments):
        raise ValueError("attachment file names must be unique")
    # WeasyPrint formats attachment dates as naive UTC; without ``created`` they are removed below.
    stamp = as_utc(created or dt.datetime(1970, 1, 1)).replace(tzinfo=None)
    document = _print_html_class()(string=html, base_url=base_url).render(font_config=_font_config())
    fields = _signature_boxes(document, signature_fields) if signature_fields else []
    metadata = document.metadata
    metadata.title = title
    metadata.lang = language
    metadata.generator = None
    metadata.created = metadata.modified = as_utc(created).strftime("%Y-%m-%dT%H:%M:%SZ") if created else None
    metadata.attachments = [
        Attachment(
            string=content,
            base_url=base_url,
            name=name,
            description=description,
            created=stamp,
            modified=stamp,
            relationship=ATTACHMENT_RELATIONSHIP,
        )
        for name, content, description in attachments
    ]

    def finisher(_document: Any, pdf: Any) -> None:
        # No document information dictionary: PDF/A wants it to agree with the XMP metadata, and
        # pyHanko's incremental updates rewrite the XMP producer without matching the Info one.
        # The title, language and dates stay in the XMP packet and the catalog.
        pdf.info.clear()
        # WeasyPrint lists each associated file twice in the catalog's /AF array.
        if "AF" in pdf.catalog:
            unique = list(dict.fromkeys(pdf.catalog["AF"]))
            pdf.catalog["AF"].clear()
            pdf.catalog["AF"].extend(unique)
        for obj in pdf.objects:
            extra = getattr(obj, "extra", None)
            if not (isinstance(extra, dict) and extra.get("Type") == "/EmbeddedFile"):
                continue
            if created is None and "Params" in extra:
                extra["Params"].pop("CreationDate", None)
                extra["Params"].pop("ModDate", None)
        _deflate_streams(pdf)
        if fields:
            _add_signature_fields(pdf, fields)

    return document.write_pdf(pdf_variant=pdf_variant, finisher=finisher)


def _deflate_streams(pdf: Any) -> None:
    """Deflate the streams pydyf would deflate, at zlib's default level instead of 9: for the
    embedded record (9 MB of JSON for 300 members x 100 polls) level 9 alone took half a
    second, for 3 % less size; the pages' content streams lose 2 %. Still deterministic."""
    import pydyf

    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Stream) and obj.compress):
            continue
        level = ATTACHMENT_DEFLATE_LEVEL if obj.extra.get("Type") == "/EmbeddedFile" else STREAM_DEFLATE_LEVEL
        obj.stream = [zlib.compress(b"\n".join(pydyf._to_bytes(item) for item in obj.stream), level)]
        obj.extra["Filter"] = "/FlateDecode"
        obj.compress = False


#: The boxes of the signature fields: (field name, page index, (x1, y1, x2, y2) in points).
SignatureBox = tuple[str, int, tuple[float, float, float, float]]


def _signature_boxes(document: Any, prefix: str) -> list[SignatureBox]:
    boxes = []
    for number, page in enumerate(document.pages):
        height = page.height
        for anchor, (x1, y1, x2, y2) in page.anchors.items():
            if anchor.startswith(prefix):
                # CSS px from the top left -> PDF points from the bottom left.
                box = (x1 * 0.75, (height - y2) * 0.75, x2 * 0.75, (height - y1) * 0.75)
                boxes.append((f"Signature-{anchor.removeprefix(prefix)}", number, tuple(round(v, 2) for v in box)))
    return boxes  # type: ignore[return-value]


def _add_signature_fields(pdf: Any, boxes: list[SignatureBox]) -> None:
    """Empty, visible signature fields in the document WeasyPrint writes (its first revision),
    as pyHanko's ``append_signature_field`` would write them in an update of their own: a
    combined field and widget (``/FT /Sig``, printed and locked, ``/F 132``) with an empty
    appearance, on its page's ``/Annots``, listed in the ``/AcroForm`` (``/SigFlags 1``).
    Written here they cost nothing; as an incremental update pyHanko re-read the whole file."""
    import pydyf

    kids = pdf.pages["Kids"][::3]
    form = pdf.catalog.setdefault("AcroForm", pydyf.Dictionary({"Fields": pydyf.Array()}))
    form.setdefault("Fields", pydyf.Array())
    form["SigFlags"] = 1
    for name, page_index, (x1, y1, x2, y2) in boxes:
        appearance = pydyf.Stream(extra={
            "Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array([0, 0, round(x2 - x1, 2), round(y2 - y1, 2)]),
            "Resources": pydyf.Dictionary({}),
        })  # fmt: skip
        pdf.add_object(appearance)
        page = pdf.objects[kids[page_index]]
        field = pydyf.Dictionary({
            "FT": "/Sig", "T": pydyf.String(name), "Type": "/Annot", "Subtype": "/Widget", "F": 132,
            "Rect": pydyf.Array([x1, y1, x2, y2]), "P": page.reference,
            "AP": pydyf.Dictionary({"N": appearance.reference}),
        })  # fmt: skip
        pdf.add_object(field)
        page.setdefault("Annots", pydyf.Array()).append(field.reference)
        form["Fields"].append(field.reference)


#: The signatures' visible appearances are rendered by WeasyPrint like the minutes themselves:
#: the same fonts, embedded and subset (as PDF/A wants), Chinese names included where a CJK font
#: is installed, and text a reader can extract.
APPEARANCE_CSS = """
@page { size: %(width).2fpt %(height).2fpt; margin: 0 }
html { font-family: "DejaVu Serif", "WenQuanYi Zen Hei", serif; font-size: 8.5pt; line-height: 1.25; color: #000 }
body { margin: 0; padding: 2pt 0 0 0 }
p { margin: 0 0 1pt 0 }
p.signer { font-weight: bold; font-size: 10pt }
"""


def _appearance_pdf(lines: list[str], width: float, height: float) -> bytes:
    """The appearance of one signature (its lines, the first the signer's name) as a one-page PDF
    the size of its box, in points."""
    import html as html_module

    body = "".join(
        f'<p class="{"signer" if index == 0 else "line"}">{html_module.escape(line)}</p>'
        for index, line in enumerate(lines)
    )
    css = APPEARANCE_CSS % {"width": width, "height": height}
    page = f"<!doctype html><html><head><style>{css}</style></head><body>{body}</body></html>"
    document = _print_html_class()(string=page).render()
    return document.write_pdf()


def _field_size(reader: Any, field_name: str) -> tuple[float, float] | None:
    from pyhanko.sign import fields

    for name, _value, ref in fields.enumerate_sig_fields(reader):
        if name != field_name:
            continue
        field = ref.get_object()
        rect = field.get("/Rect")
        if rect is None and field.get("/Kids"):
            rect = field["/Kids"][0].get_object().get("/Rect")
        if rect is None:
            return None
        x1, y1, x2, y2 = (float(v) for v in rect)
        return abs(x2 - x1), abs(y2 - y1)
    return None


# --------------------------------------------------------------------------- signing


def sign_pdf(
    pdf: bytes,
    *,
    key: Ed25519PrivateKey,
    certificate_pem: bytes,
    chain_pem: list[bytes],
    field_name: str,
    reason: str,
    location: str | None,
    name: str,
    appearance: str | None = None,
) -> bytes:
    """Add a PAdES (baseline B-B, ``ETSI.CAdES.detached``) Ed25519 signature as an incremental update.

    When the PDF has an empty signature field ``field_name`` (``render_pdf``'s
    ``signature_fields``), the signature fills it and ``appearance`` (lines of text: who, where,
    when) becomes its visible appearance, part of this signature's own revision. Otherwise a new
    invisible signature field is created (printable, zero-size widget, as PDF/A wants). Earlier
    revisions are left byte-for-byte untouched, so earlier signatures stay valid. ``chain_pem``
    (the organisation CA, usually) is embedded in the CMS so verifiers can build the path.
    The signing time is the current time, so the output is not byte-deterministic
    (pyHanko also stamps the modification date into the XMP metadata); Ed25519 itself is.
    """
    from asn1crypto import keys as asn1_keys
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError("sign_pdf expects an Ed25519 private key")
    (signing_cert,) = asn1_certs([certificate_pem])
    if signing_cert.public_key.dump() != key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise ValueError("the certificate does not belong to this key")
    signing_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption())
    )
    signer = signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=signing_key,
        cert_registry=SimpleCertificateStore.from_certs(asn1_certs(chain_pem)),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        name=name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha512",  # what RFC 8419 pairs with Ed25519
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    except Exception as exc:
        raise PdfInvalid(f"cannot read the PDF to sign it: {exc}") from exc
    existing = {name: value for name, value, _ in fields.enumerate_sig_fields(writer.prev)}
    if existing.get(field_name) is not None:
        raise ValueError(f"the PDF already has a signature field named {field_name!r}")
    size = _field_size(writer.prev, field_name) if field_name in existing else None
    if size is not None and min(size) > 0:
        import tempfile
        from pathlib import Path

        from pyhanko import stamp
        from pyhanko.pdf_utils.content import ImportedPdfPage

        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "appearance.pdf"
            path.write_bytes(_appearance_pdf((appearance or name).split("\n"), *size))
            style = stamp.StaticStampStyle(background=ImportedPdfPage(str(path)), border_width=0)
            pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style)
            try:
                out = pdf_signer.sign_pdf(writer)
            except SigningError as exc:
                raise PdfInvalid(f"cannot sign this PDF: {exc}") from exc
            return out.getvalue()
    if field_name in existing:
        pdf_signer = signers.PdfSigner(meta, signer=signer)
    else:
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name),
        )
    try:
        out = pdf_signer.sign_pdf(writer)
    except SigningError as exc:
        raise PdfInvalid(f"cannot sign this PDF: {exc}") from exc
    return out.getvalue()


# --------------------------------------------------------------------------- reading and verifying


def _reader(pdf: bytes) -> Any:
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not pdf.lstrip()[:5] == b"%PDF-":
        raise PdfInvalid("this is not a PDF file (it does not start with %PDF-)")
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        reader.root  # noqa: B018 - force the catalog to be parsed now
    except Exception as exc:
        raise PdfInvalid(f"the PDF file is damaged and cannot be read: {exc}") from exc
    return reader


def _name_attr(cert: Any, *attrs: str) -> str | None:
    native = cert.subject.native
    for attr in attrs:
        value = native.get(attr)
        if isinstance(value, list):
            value = value[0] if value else None
        if value:
            return str(value)
    return None


def verify_pdf(
    pdf: bytes,
    *,
    trusted_roots_pem: list[bytes],
    moment: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Validate every signature in ``pdf``, in signing order; one dict per signature.

    Keys: ``field``, ``signer`` (certificate CN), ``office`` (certificate title, else OU),
    ``organisation`` (certificate O), ``intact`` (the signed byte ranges still hash to the signed
    digest), ``valid`` (the Ed25519 signature over the signed attributes, which carry that digest,
    verifies; ``intact and valid`` is what "the bytes are as signed" means), ``trusted`` (the certificate chains to
    one of ``trusted_roots_pem`` at ``moment``, default now; no revocation fetching),
    ``covers_whole_file`` (nothing was appended after this signature), ``modification_level``
    (pyHanko's judgement of what was appended: ``none``, ``form_filling`` (e.g. further
    signatures), ``annotations``, ``other``), ``changes_allowed`` (the appended changes are
    permitted, pyHanko's DocMDP check), ``signed_at`` (the signer-reported time, aware datetime),
    ``reason``, ``location``, ``ok`` (intact, valid, trusted and changes allowed) and ``summary``
    (pyHanko's one-line text).

    Raises :class:`PdfInvalid` when the file cannot be parsed or a signature cannot be processed.
    """
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = _reader(pdf)
    try:
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:
        raise PdfInvalid(f"the signatures in this PDF cannot be read: {exc}") from exc
    roots = asn1_certs(trusted_roots_pem)
    results = []
    for sig in embedded:
        context = ValidationContext(
            trust_roots=roots,
            allow_fetching=False,
            revocation_mode="soft-fail",
            moment=moment,
        )
        try:
            status = validate_pdf_signature(sig, signer_validation_context=context)
        except Exception as exc:
            raise PdfInvalid(f"signature {sig.field_name!r} cannot be validated: {exc}") from exc
        cert = status.signing_cert
        coverage = status.coverage
        level = status.modification_level
        sig_obj = sig.sig_object
        results.append({
            "field": sig.field_name,
            "signer": _name_attr(cert, "common_name"),
            "key": hashlib.sha256(cert.public_key.dump()).hexdigest() if cert is not None else None,
            "office": _name_attr(cert, "title", "organizational_unit_name"),
            "organisation": _name_attr(cert, "organization_name"),
            "intact": bool(status.intact),
            "valid": bool(status.valid),
            "trusted": bool(status.trusted),
            "covers_whole_file": coverage is not None and coverage.name == "ENTIRE_FILE",
            "modification_level": level.name.lower() if level is not None else None,
            "changes_allowed": bool(status.docmdp_ok),
            "signed_at": status.signer_reported_dt,
            "reason": str(sig_obj["/Reason"]) if "/Reason" in sig_obj else None,
            "location": str(sig_obj["/Location"]) if "/Location" in sig_obj else None,
            "ok": bool(status.bottom_line),
            "summary": status.summary(),
            "certificate": cert.dump(),  # DER: who issued it is checked against published keys
        })
    return results


def _name_tree_items(node: Any, depth: int = 0) -> Iterable[tuple[str, Any]]:
    if depth > 32:
        raise PdfInvalid("the PDF's embedded-file name tree is too deep")
    node = node.get_object()
    if "/Names" in node:
        names = node["/Names"]
        for index in range(0, len(names) - 1, 2):
            yield str(names[index]), names[index + 1].get_object()
    for kid in node.get("/Kids", ()):
        yield from _name_tree_items(kid, depth + 1)


def embedded_files(pdf: bytes) -> dict[str, bytes]:
    """The embedded files (attachments) of ``pdf``, by file name, as they are in the newest revision."""
    reader = _reader(pdf)
    try:
        names = reader.root.get("/Names")
        tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
        if tree is None:
            return {}
        files: dict[str, bytes] = {}
        for key, filespec in _name_tree_items(tree):
            name = str(filespec.get("/UF") or filespec.get("/F") or key)
            files[name] = filespec["/EF"]["/F"].get_object().data
    except PdfInvalid:
        raise
    except Exception as exc:
        raise PdfInvalid(f"the attachments of this PDF cannot be read: {exc}") from exc
    return files


def embedded_certificates(pdf: bytes) -> list[bytes]:
    """Every certificate the PDF's signatures carry (signers' and their chains), as PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    reader = _reader(pdf)
    found: dict[bytes, bytes] = {}
    for sig in reader.embedded_regular_signatures:
        for cert in [sig.signer_cert, *sig.other_embedded_certs]:
            der = cert.dump()
            found[der] = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
    return list(found.values())
