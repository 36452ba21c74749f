"""The minutes read as a secretariat would (issue 20): the played Guangzhou meeting's published,
signed PDF extracted to text (pdftotext), in French (the authoritative, signed document) and in
English and Spanish (the same version rendered in each), and the catalogue behind them."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess

import pytest

from governance.demo import simulate
from governance.minutes import pdf, wording
from governance.minutes.document import annex_listing, render_document
from governance.minutes.tables import MinutesSignature, MinutesVersion
from governance.organisations.tables import Member
from governance.polls.tables import Poll, RollCallVote
from tests.support.catalogue import messages_in, untranslated

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")


def _text(document: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=document, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


# Words of the English document (and the labels of English fallbacks) that the others never print.
ENGLISH = ("Signed", "Motion as moved", "more than", "Result:", "approved on", "No objection", "Calcul", "Cálculo")

# What each language's document says of the budget motion as moved, and its signature page.
EXPECTED = {
    "fr": {"moved": "3 200 000", "amendment": "Amendement 1", "offices": ("Le Président", "Le Secrétaire général"),
           "date": "16 novembre 2012", "unsigned": ("Pas encore signé", "non signé"),
           "not_english": ENGLISH},
    "en": {"moved": "3,200,000", "amendment": "Amendment 1", "offices": ("The President", "The Secretary General"),
           "date": "November 16, 2012", "unsigned": ("Not yet signed", "not signed"), "not_english": ()},
    "es": {"moved": "3.200.000", "amendment": "Enmienda 1", "offices": ("El Presidente", "El Secretario General"),
           "date": "16 de noviembre de 2012", "unsigned": ("Aún no firmad", "no firmad"),
           "not_english": ENGLISH},
}  # fmt: skip


async def test_the_published_minutes_read_as_minutes_in_each_language(demo):
    report = await simulate.play(simulate.DEFAULT_SEED)
    assert report.played, report.message
    row = await MinutesVersion.select().where(MinutesVersion.status == "published").first()
    signatures = await MinutesSignature.select(
        MinutesSignature.office, MinutesSignature.acting, MinutesSignature.fingerprint, MinutesSignature.signed_at,
        MinutesSignature.person.full_name.as_alias("name"),
    ).where(MinutesSignature.minutes == row["id"]).order_by(MinutesSignature.id)  # fmt: skip
    assert [s["office"] for s in signatures] == ["president", "secretary_general"]
    roll_poll = await Poll.select(Poll.id).where(Poll.method == "roll_call").order_by(Poll.id).first()
    voters = await RollCallVote.select(RollCallVote.member).where(RollCallVote.poll == roll_poll["id"])
    names = {m["id"]: m["name"] for m in await Member.select(Member.id, Member.name)}
    roll_names = sorted({names[v["member"]] for v in voters})
    assert len(roll_names) > 10

    signed = bytes(row["pdf"])
    checked = await asyncio.to_thread(pdf.verify_pdf, signed, trusted_roots_pem=pdf.embedded_certificates(signed))
    assert [s["ok"] for s in checked] == [True, True]  # the visible signature blocks leave both signatures valid
    import json

    content = json.loads(row["content"])
    for language, expected in EXPECTED.items():
        if language == "fr":
            text = _text(signed)  # the published, signed document itself
        else:
            html = render_document(
                content, language=language, authoritative_language="fr", signatures=signatures, status="published",
                dates={"approved_at": row["approved_at"], "published_at": row["published_at"]},
            )  # fmt: skip
            text = _text(pdf.render_pdf(html, base_url=None, attachments=[], title="t", language=language))
        signature_page = text[text.rindex(expected["offices"][0]):]
        for office in expected["offices"]:
            assert office in signature_page, (language, office)
        for signature in signatures:
            assert signature["name"] in signature_page, (language, signature["name"])
        assert signature_page.count(expected["date"]) >= 2, (language, signature_page)
        for words in expected["unsigned"]:
            assert words not in text, (language, words)
        # The motion as moved (the original amount) comes before the amendment that changed it.
        assert expected["moved"] in text, language
        assert text.index(expected["moved"]) < text.index(expected["amendment"]), language
        for name in roll_names:
            assert name in text, (language, name)
        for english in expected["not_english"]:
            assert english not in text, (language, english)


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_message_of_the_minutes_is_translated(language):
    """No English sentence in the FR and ES documents: every msgid the minutes print has a
    non-empty translation (with its context) in the catalogue."""
    printed = messages_in(
        "templates/minutes/_document.html", "templates/minutes/document.html",
        "governance/minutes/wording.py", "governance/minutes/document.py",
    )  # fmt: skip
    assert untranslated(language, printed) == []


def test_arithmetic_speaks_the_documents_language():
    from governance import i18n

    poll = {"threshold_numerator": 1, "threshold_denominator": 2, "strict": True, "base": "cast_excluding_abstentions",
            "yes": 1200, "no": 300, "abstain": 1, "outcome": "adopted", "motion_kind": "amendment"}  # fmt: skip
    token = i18n.set_language("fr")
    try:
        said = wording.arithmetic("fr", poll)
    finally:
        i18n._current.reset(token)
    assert said == (
        "Majorité requise : plus de 1/2 des 1\u202f500 suffrages exprimés, abstentions non comptées, "
        "soit 751 voix pour. "
        "Pour 1\u202f200, contre 300, abstentions 1. Résultat : adopté."
    )
    assert wording.arithmetic("en", {**poll, "yes": None}) is None  # old minutes: the stored text serves


def test_a_signature_fills_its_box_with_who_where_and_when():
    """render_pdf turns the boxes into empty signature fields; each signature fills its own with
    its appearance (rendered like the document, so names in any script), and stays valid."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    html = (
        "<html><body><p>Procès-verbal</p>"
        "<div id='signature-field-president' style='width:70mm;height:24mm'></div>"
        "<div id='signature-field-secretary_general' style='width:70mm;height:24mm'></div></body></html>"
    )
    unsigned = pdf.render_pdf(html, base_url=None, attachments=[], title="t", language="fr",
                              signature_fields="signature-field-")  # fmt: skip
    # The empty fields are in the file WeasyPrint wrote: one revision, nothing appended to it.
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(unsigned))
    assert reader.xrefs.total_revisions == 1
    assert [(name, value) for name, value, _ in enumerate_sig_fields(reader)] == [
        ("Signature-president", None), ("Signature-secretary_general", None)]  # fmt: skip
    org = Ed25519PrivateKey.generate()
    authority = pdf.organisation_certificate(org, "Metropolis")
    document = unsigned
    for office, name in (("president", "陈建华 Chen Jianhua"), ("secretary_general", "Élisabeth Gateau")):
        key = Ed25519PrivateKey.generate()
        certificate = pdf.issue_certificate(org, "Metropolis", key.public_key(), name, office=office)
        document = pdf.sign_pdf(
            document, key=key, certificate_pem=certificate, chain_pem=[authority], field_name=f"Signature-{office}",
            reason=office, location="Guangzhou", name=name,
            appearance=f"{name}\nSigné électroniquement à Guangzhou le 16 novembre 2012 à 10:10",
        )  # fmt: skip
    checked = pdf.verify_pdf(document, trusted_roots_pem=[authority])
    assert [(c["field"], c["ok"]) for c in checked] == [("Signature-president", True),
                                                         ("Signature-secretary_general", True)]  # fmt: skip
    text = _text(document)
    assert "陈建华 Chen Jianhua" in text and "Élisabeth Gateau" in text
    assert text.count("Signé électroniquement à Guangzhou le 16 novembre 2012") == 2
    with pytest.raises(ValueError):  # a filled field is not signed again
        pdf.sign_pdf(document, key=key, certificate_pem=certificate, chain_pem=[authority],
                     field_name="Signature-president", reason="x", location=None, name="x")  # fmt: skip


@pytest.mark.parametrize(
    ("language", "pending", "postponed", "never"),
    [
        ("fr", "Ce point n'a pas été traité.", "Ce point a été reporté à une réunion ultérieure.", "En attente"),
        ("es", "Este punto no se trató.", "Este punto se aplazó a una reunión posterior.", "Pendiente"),
        ("en", "This item was not dealt with.", "This item was postponed to a later meeting.", "Pending"),
    ],
)
def test_items_not_taken_up_say_so(language, pending, postponed, never):
    content = {
        "version": 1,
        "facts": {
            "language": "fr",
            "meeting": {"title": "Conseil", "time_zone": "Asia/Shanghai"},
            "items": [
                {"number": "8", "title": "Divers", "kind": "decision", "status": "pending", "motions": []},
                {"number": "9", "title": "Statuts", "kind": "decision", "status": "postponed", "motions": []},
            ],
        },
    }
    html = render_document(content, language=language, authoritative_language="fr", status="draft")
    text = html.replace("&#39;", "'")
    assert pending in text and postponed in text
    assert never not in text


def test_the_annex_lists_each_polls_hashes_aligned():
    """One preformatted listing: a line per hash, the hashes one under the other."""
    polls = [{"poll": n, "merkle_root": "ab" * 32, "participation_hash": "cd" * 32} for n in (1, 12, 100)]
    lines = annex_listing(polls, "Scrutin", "Racine de Merkle :", "Empreinte de la participation :").split("\n")
    assert len(lines) == 6
    assert lines[0].startswith("Scrutin   1  Racine de Merkle :") and lines[4].startswith("Scrutin 100  ")
    assert lines[1].lstrip().startswith("Empreinte de la participation :")
    assert {line.index("abab" if n % 2 == 0 else "cdcd") for n, line in enumerate(lines)} == {len(lines[0]) - 64}
