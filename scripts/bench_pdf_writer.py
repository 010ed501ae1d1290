"""Median wall time of the PDF/A writer on a one-page invoice, in a warm process.

    .venv/bin/python scripts/bench_pdf_writer.py [--runs 300]

The page has 60 text runs (accents, €, «», Polish), a few lines and rectangles, and a
10 KB Factur-X attachment; fonts are loaded by a first, untimed run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from mandat.render.pdf.writer import PdfWriter

CREATED = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice>' + b"<ram:Line>x</ram:Line>" * 450)[:10_240]
LINES = [
    ("Chaussures de randonnée « Montagne » taille 42", "2", "59,90 €", "119,80 €"),
    ("Żółć — przyprawa, 200 g (Łódź)", "1", "4,50 €", "4,50 €"),
    ("Straßenkarte Deutschland, Maßstab 1:750 000", "3", "12,00 €", "36,00 €"),
    ("Café moulu bio, origine Perú, 1 kg", "1", "18,40 €", "18,40 €"),
    ("Caixa de correio em aço inoxidável", "1", "34,99 €", "34,99 €"),
    ("Gezellige wollen deken, 150 × 200 cm", "1", "79,00 €", "79,00 €"),
]


def invoice() -> bytes:
    pdf = PdfWriter("Facture F-ABC-000001", "Boutique Éléonore SARL", "Facture", "fr-FR", CREATED)
    page = pdf.add_page()
    page.text(50, 790, "Facture n° F-ABC-000001", size=16, style="bold")
    page.text_right(545, 790, "Émise le 14/03/2025", size=9)
    for i, line in enumerate(
        ("Boutique Éléonore SARL", "12, rue de la Forêt", "75011 Paris", "SIREN 123 456 789", "TVA FR12 123456789")
    ):
        page.text(50, 760 - 11 * i, line, size=9, style="bold" if i == 0 else "regular")
        page.text(320, 760 - 11 * i, f"Client·e {i} — Zoë Müller-Łukasiewicz", size=9)
    page.rect(50, 680, 495, 14, fill_gray=0.92)
    for x, head in ((55, "Désignation"), (380, "Qté"), (430, "P.U. HT"), (490, "Total HT")):
        page.text(x, 684, head, size=8, style="bold")
    y = 668.0
    for row in LINES * 2:
        for description in pdf.wrap(row[0], 300, 8.5):
            page.text(55, y, description, size=8.5)
        page.text_right(400, y, row[1], size=8.5)
        page.text_right(470, y, row[2], size=8.5)
        page.text_right(540, y, row[3], size=8.5)
        y -= 12
        page.line(50, y + 8, 545, y + 8, width=0.3, gray=0.8)
    for label, amount in (("Total HT", "292,69 €"), ("TVA 20 %", "58,54 €"), ("Total TTC", "351,23 €")):
        page.text(400, y, label, size=9, style="bold")
        page.text_right(540, y, amount, size=9, style="bold")
        y -= 12
    page.text(50, 80, "Facture émise au nom et pour le compte du vendeur (mandat de facturation).", size=7)
    page.text(50, 70, "Pénalités de retard : 3 × taux d’intérêt légal ; indemnité forfaitaire : 40 €.", size=7)
    pdf.attach("factur-x.xml", XML, "text/xml", "Data", "Factur-X invoice", CREATED)
    pdf.set_facturx_xmp("EN 16931", "INVOICE", "factur-x.xml", "1.0")
    return pdf.to_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    size = len(invoice())  # loads fonts and the ICC profile
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        invoice()
        times.append(time.perf_counter() - start)
    print(
        f"median {statistics.median(times) * 1000:.3f} ms, min {min(times) * 1000:.3f} ms "
        f"over {args.runs} runs; {size} bytes"
    )


if __name__ == "__main__":
    main()
