"""Layout of an invoice or credit note on A4 pages, drawn with the PDF/A-3 writer.

Everything printed comes from the document record; the CII XML is embedded as
the Factur-X attachment. Long invoices continue on further pages, with the
header repeated and totals and mentions after the last line.
"""

from __future__ import annotations

from collections.abc import Callable

from mandat.domain.documents import Document
from mandat.render import i18n
from mandat.render.pdf.writer import Page, PdfWriter

LEFT, RIGHT, TOP, BOTTOM = 40.0, 555.0, 800.0, 60.0
GREY = 0.93
META_X = 330.0
# Table columns: (key, right edge or left start, align)
COLS = [
    ("ref", 40.0, "l"),
    ("description", 100.0, "l"),
    ("qty", 330.0, "r"),
    ("unit_price", 395.0, "r"),
    ("discount", 445.0, "r"),
    ("net", 510.0, "r"),
    ("vat", 555.0, "r"),
]
DESC_WIDTH = 195.0


def render_pdf(doc: Document, xml: bytes) -> bytes:
    lang = doc.language
    lb = i18n.labels(lang)
    title = lb["invoice"] if doc.kind == "invoice" else lb["credit_note"]
    pdf = PdfWriter(
        title=f"{title} {doc.number}",
        author=doc.seller.name,
        subject=f"{title} {doc.number} — {doc.buyer.name}",
        lang={"fr": "fr-FR"}.get(lang, lang),
        created=doc.issued_at,
    )
    money: Callable[[object], str] = lambda v: i18n.money(v, doc.currency, lang)  # type: ignore[arg-type]  # noqa: E731
    pages: list[Page] = []

    def new_page() -> tuple[Page, float]:
        page = pdf.add_page()
        pages.append(page)
        return page, header(pdf, page, doc, title, first=len(pages) == 1)

    page, y = new_page()
    y = table_header(page, y, lb)
    for line in doc.lines:
        desc = pdf.wrap(line.description, DESC_WIDTH, 8, "regular")
        extra = [f"{lb['discount']} : {line.allowance_reason}"] if line.allowance and line.allowance_reason else []
        height = 11.0 * (len(desc) + len(extra)) + 3
        if y - height < BOTTOM + 20:
            page, y = new_page()
            y = table_header(page, y, lb)
        page.text(COLS[0][1], y, line.sku[:14], size=7)
        for k, text in enumerate(desc):
            page.text(COLS[1][1], y - 11 * k, text, size=8)
        for k, text in enumerate(extra):
            page.text(COLS[1][1], y - 11 * (len(desc) + k), text, size=7, color=(0.35, 0.35, 0.35))
        page.text_right(COLS[2][1], y, i18n.number(line.quantity, lang), size=8)
        page.text_right(COLS[3][1], y, i18n.unit_price(line.net_unit_price, lang), size=8)
        page.text_right(COLS[4][1], y, i18n.amount(line.allowance, lang) if line.allowance else "", size=8)
        page.text_right(COLS[5][1], y, i18n.amount(line.net_amount, lang), size=8)
        rate = f"{i18n.number(line.vat_rate, lang)} %" if line.vat_category == "S" else line.vat_category
        page.text_right(COLS[6][1], y, rate, size=8)
        y -= height
        page.line(LEFT, y + 6, RIGHT, y + 6, width=0.3, gray=0.8)

    needed = 30 + 12 * (len(doc.vat_breakdown) + 6) + mentions_height(pdf, doc)
    if y - needed < BOTTOM:
        page, y = new_page()
    y = totals(page, y - 8, doc, lb, money)
    y = mentions(pdf, page, y - 10, doc)
    for n, pg in enumerate(pages, start=1):
        footer(pdf, pg, doc, lb, n, len(pages))
    pdf.attach(
        filename="factur-x.xml",
        data=xml,
        mime="text/xml",
        relationship="Data",
        description=f"Factur-X {title} {doc.number}",
        modified=doc.issued_at,
    )
    pdf.set_facturx_xmp(
        conformance_level="EN 16931",
        document_type="INVOICE",  # Factur-X uses INVOICE for credit notes too
        filename="factur-x.xml",
        version="1.0",
    )
    return pdf.to_bytes()


def header(pdf: PdfWriter, page: Page, doc: Document, title: str, first: bool) -> float:
    lb = i18n.labels(doc.language)
    lang = doc.language
    s = doc.seller
    y = TOP
    page.text(LEFT, y, s.name, size=13, style="bold")
    y -= 15
    seller_lines = [*s.address.lines()]
    if s.siren:
        ident = f"{lb['siren']} {s.siren}"
        if s.siret:
            ident += f" · {lb['siret']} {s.siret}"
        seller_lines.append(ident)
    legal = " ".join(
        part
        for part in (
            s.legal_form or "",
            f"{lb['capital']} {i18n.money(s.share_capital, doc.currency, lang)}" if s.share_capital else "",
            f"· {s.registry}" if s.registry else "",
        )
        if part
    )
    if legal:
        seller_lines.append(legal)
    if s.vat_id:
        seller_lines.append(f"{lb['vat_id']} {s.vat_id}")
    if s.email:
        seller_lines.append(s.email)
    for text in seller_lines:
        page.text(LEFT, y, text, size=8)
        y -= 10

    page.text_right(RIGHT, TOP, title, size=18, style="bold")
    meta = [
        (lb["number"], doc.number),
        (lb["issue_date"], i18n.day(doc.issue_date, lang)),
        (lb["delivery_date"], i18n.day(doc.delivery_date, lang)),
        (lb["order"], doc.order_id),
    ]
    if doc.purchase_order:
        meta.append((lb["purchase_order"], doc.purchase_order))
    if doc.due_date:
        meta.append((lb["due_date"], i18n.day(doc.due_date, lang)))
    if doc.corrects:
        meta.append((lb["corrects"], f"{doc.corrects.number} {lb['of']} {i18n.day(doc.corrects.issue_date, lang)}"))
    ry = TOP - 20
    for label, value in meta:
        page.text(META_X, ry, f"{label} :", size=8)
        # A long reference (order ids run to 64 characters) goes under its label rather than over it.
        if META_X + pdf.text_width(f"{label} : ", 8) + pdf.text_width(value, 8, "bold") > RIGHT:
            ry -= 10
        page.text_right(RIGHT, ry, value, size=8, style="bold")
        ry -= 11
    y = min(y, ry) - 10
    if not first:
        return y - 5

    b = doc.buyer
    box_top = y
    page.rect(300, box_top - 88, RIGHT - 300, 96, fill_gray=GREY)
    by = box_top - 4
    page.text(308, by, lb["billed_to"], size=7, style="bold", color=(0.3, 0.3, 0.3))
    by -= 12
    page.text(308, by, b.name, size=9, style="bold")
    by -= 11
    buyer_lines = [*b.address.lines(), b.address.country if b.address.country != "FR" else ""]
    if b.vat_id:
        buyer_lines.append(f"{lb['vat_id']} {b.vat_id}")
    if b.siren:
        buyer_lines.append(f"{lb['siren']} {b.siren}")
    for text in (t for t in buyer_lines if t):
        for wrapped in pdf.wrap(text, RIGHT - 316, 8, "regular"):
            page.text(308, by, wrapped, size=8)
            by -= 10
    if doc.delivery_address:
        dy = box_top - 4
        page.text(LEFT, dy, lb["delivered_to"], size=7, style="bold", color=(0.3, 0.3, 0.3))
        dy -= 12
        for text in [*doc.delivery_address.lines(), doc.delivery_address.country]:
            page.text(LEFT, dy, text, size=8)
            dy -= 10
    return box_top - 104


def table_header(page: Page, y: float, lb: dict[str, str]) -> float:
    page.rect(LEFT, y - 4, RIGHT - LEFT, 14, fill_gray=GREY)
    for key, x, align in COLS:
        if align == "l":
            page.text(x + 2, y, lb[key], size=7.5, style="bold")
        else:
            page.text_right(x - 2 if key == "vat" else x, y, lb[key], size=7.5, style="bold")
    return y - 16


def totals(page: Page, y: float, doc: Document, lb: dict[str, str], money: Callable[[object], str]) -> float:
    lang = doc.language
    # VAT breakdown on the left, totals on the right.
    page.text(LEFT, y, lb["rate"], size=7.5, style="bold")
    page.text_right(200, y, lb["base"], size=7.5, style="bold")
    page.text_right(270, y, lb["vat"], size=7.5, style="bold")
    vy = y - 12
    for b in doc.vat_breakdown:
        label = f"{i18n.number(b.rate, lang)} %" if b.category == "S" else f"{lb['exempt']} ({b.category})"
        page.text(LEFT, vy, label, size=8)
        page.text_right(200, vy, money(b.taxable_amount), size=8)
        page.text_right(270, vy, money(b.tax_amount), size=8)
        vy -= 11
    t = doc.totals
    rows = [
        (lb["total_net"], t.tax_exclusive, False),
        (lb["total_vat"], t.tax_total, False),
        (lb["total"], t.tax_inclusive, True),
        (lb["paid"], t.prepaid, False),
        (lb["payable"], t.payable, True),
    ]
    ty = y
    for label, value, bold in rows:
        if bold:
            page.rect(360, ty - 4, RIGHT - 360, 14, fill_gray=GREY)
        page.text(366, ty, label, size=9 if bold else 8, style="bold" if bold else "regular")
        page.text_right(RIGHT - 4, ty, money(value), size=9 if bold else 8, style="bold" if bold else "regular")
        ty -= 15
    if doc.payment_terms:
        page.text(366, ty, f"{lb['terms']} : {doc.payment_terms}", size=7)
        ty -= 11
    return min(vy, ty) - 4


def mention_lines(pdf: PdfWriter, doc: Document) -> list[str]:
    out: list[str] = []
    lb = i18n.labels(doc.language)
    if doc.reason:
        out += pdf.wrap(f"{lb['reason']} : {doc.reason}", RIGHT - LEFT, 7.5, "regular")
    for m in doc.mentions:
        out += pdf.wrap(m.text, RIGHT - LEFT, 7.5, "regular")
    return out


def mentions_height(pdf: PdfWriter, doc: Document) -> float:
    return 10.0 * len(mention_lines(pdf, doc)) + 10


def mentions(pdf: PdfWriter, page: Page, y: float, doc: Document) -> float:
    page.line(LEFT, y + 6, RIGHT, y + 6, width=0.5, gray=0.6)
    y -= 6
    for text in mention_lines(pdf, doc):
        page.text(LEFT, y, text, size=7.5)
        y -= 10
    return y


def footer(pdf: PdfWriter, page: Page, doc: Document, lb: dict[str, str], n: int, total: int) -> None:
    i = doc.issuer
    text = (
        f"{lb['issuer']} : {i.name}, {', '.join(i.address.lines())} — "
        f"{lb['siren']} {i.siren} — {lb['vat_id']} {i.vat_id}"
    )
    for k, part in enumerate(pdf.wrap(text, RIGHT - LEFT - 60, 6.5, "regular")):
        page.text(LEFT, 40 - 8 * k, part, size=6.5, color=(0.4, 0.4, 0.4))
    page.text_right(RIGHT, 40, f"{lb['page']} {n}/{total}", size=6.5, color=(0.4, 0.4, 0.4))
