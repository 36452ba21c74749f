"""Signed-minutes PDF speed: render ~30 pages of HTML to PDF/A-3b, sign twice (Ed25519 PAdES), verify.

    python bench/minutes_pdf_bench.py [--pages 30] [--runs 3] [--out minutes.pdf]

Prints the page count, the file size and, for each step, the best time over the runs (and every
run). The first run includes WeasyPrint's font loading.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance.minutes.pdf import (
    embedded_files,
    issue_certificate,
    organisation_certificate,
    render_pdf,
    sign_pdf,
    verify_pdf,
)

PARAGRAPH = (
    "<p>La délégation de {city} (señora Muñoz, M. Dupré — rapporteurs) a présenté l’amendement n° {n} "
    "relatif au budget de l’exercice ; après débat, le président a mis aux voix la motion, "
    "adoptée par {yes} voix pour, {no} contre et {abst} abstentions. Der Antrag wurde angenommen; "
    "the motion was carried and recorded in the minutes of the meeting.</p>"
)


def minutes_html(pages: int) -> str:
    # About five numbered items of two paragraphs and a small vote table fill an A4 page.
    items = []
    for n in range(1, pages * 5 + 1):
        city = f"Ciudad {n:03d}"
        body = PARAGRAPH.format(city=city, n=n, yes=40 + n % 7, no=n % 5, abst=n % 3)
        table = (
            "<table><tr><th>Pour</th><th>Contre</th><th>Abstention</th></tr>"
            f"<tr><td>{40 + n % 7}</td><td>{n % 5}</td><td>{n % 3}</td></tr></table>"
        )
        items.append(f"<h2>Point {n} — {city}</h2>{body}{table}")
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><style>"
        "@page { size: A4; margin: 2cm; @bottom-center { content: counter(page) ' / ' counter(pages) } }"
        "body { font-family: 'DejaVu Serif'; font-size: 10.5pt; line-height: 1.35 }"
        "h2 { font-family: 'DejaVu Sans'; font-size: 12pt; margin: 0.8em 0 0.3em }"
        "table { border-collapse: collapse } td, th { border: 0.5pt solid #555; padding: 2pt 6pt }"
        "</style></head><body><h1>Procès-verbal de l’Assemblée générale</h1>"
        + "".join(items)
        + "</body></html>"
    )


def page_count(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="write the signed PDF here")
    args = parser.parse_args()

    html = minutes_html(args.pages)
    record = json.dumps({"events": [{"seq": n, "type": "vote"} for n in range(2000)]}).encode()
    attachments = [("record.json", record, "The meeting record"), ("minutes.json", b'{"v":1}', "The minutes")]
    org_key, president_key, secretary_key = (Ed25519PrivateKey.generate() for _ in range(3))
    ca = organisation_certificate(org_key, "Bench Org")
    president = issue_certificate(org_key, "Bench Org", president_key.public_key(), "Ana Muñoz", office="President")
    secretary = issue_certificate(org_key, "Bench Org", secretary_key.public_key(), "Jean Dupré",
                                  office="Secretary General")

    timings: dict[str, list[float]] = {"render": [], "sign x2": [], "verify": [], "total": []}
    signed = b""
    for _ in range(args.runs):
        t0 = time.perf_counter()
        pdf = render_pdf(html, base_url=None, attachments=attachments, title="Procès-verbal", language="fr")
        t1 = time.perf_counter()
        once = sign_pdf(pdf, key=president_key, certificate_pem=president, chain_pem=[ca], field_name="President",
                        reason="Approved", location=None, name="Ana Muñoz")
        signed = sign_pdf(once, key=secretary_key, certificate_pem=secretary, chain_pem=[ca],
                          field_name="SecretaryGeneral", reason="Approved", location=None, name="Jean Dupré")
        t2 = time.perf_counter()
        results = verify_pdf(signed, trusted_roots_pem=[ca])
        t3 = time.perf_counter()
        assert [r["ok"] for r in results] == [True, True], results
        assert embedded_files(signed)["record.json"] == record
        for key, value in (("render", t1 - t0), ("sign x2", t2 - t1), ("verify", t3 - t2), ("total", t3 - t0)):
            timings[key].append(value)

    print(f"pages: {page_count(signed)}, unsigned {len(pdf) / 1024:.0f} KiB, signed {len(signed) / 1024:.0f} KiB")
    for key, values in timings.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"{key:8s} best {min(values):.2f} s  (runs: {runs})")
    if args.out:
        args.out.write_bytes(signed)


if __name__ == "__main__":
    main()
