"""Layout of an invoice or credit note on A4 pages, drawn with the PDF/A-3 writer.

Everything printed comes from the document record; the CII XML is embedded as
the Factur-X attachment. Every piece of text is wrapped to the width of its column
(cut inside a word that does not fit), boxes and rows grow with their content, and
whatever does not fit on a page continues on the next one: line rows, totals and
mentions alike. Continuation pages repeat only the title and number.

Labels are in the document's language, figures and dates in its page locale
(:func:`mandat.render.i18n.page_locale`); mentions are printed as the record words them.
Every text of the record is NFC-normalised before it is measured and drawn, so that a
decomposed "é" neither takes two glyphs nor changes where a line breaks.

:class:`Marks` adds what a national format requires on the printed invoice: QR codes drawn as
vectors at the top of the first page (Verifactu: "al principio de la factura ... arriba,
próximo al margen superior, preferiblemente centrado", once, on the first page — AEAT
"Detalle de las especificaciones técnicas del código QR" v0.4.7 §3), a legend under the first
code ("VERI*FACTU", same section), and a line repeated on every page (Portugal's ATCUD,
Portaria n.º 195/2020). Without marks the page is exactly what it was before marks existed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from mandat.domain.documents import Document, DocumentLine
from mandat.domain.parties import Address
from mandat.render import i18n
from mandat.render.pdf.qr import QUIET_MODULES, ErrorLevel, qr_modules, qr_path
from mandat.render.pdf.writer import FontStyle, Page, PdfWriter

LEFT, RIGHT, TOP = 40.0, 555.0, 800.0
GREY = 0.93
TEXT_GREY = (0.35, 0.35, 0.35)
META_X = 330.0
SELLER_WIDTH = META_X - LEFT - 12
BOX_X = 300.0  # buyer box, right half of the page
BOX_PAD = 8.0
# Lines table: (key, left edge, right edge, align). Gaps of 6 pt keep neighbours apart.
COLS: list[tuple[str, float, float, str]] = [
    ("ref", 40.0, 96.0, "l"),
    ("description", 102.0, 277.0, "l"),
    ("qty", 283.0, 321.0, "r"),
    ("unit_price", 327.0, 379.0, "r"),
    ("discount", 385.0, 429.0, "r"),
    ("net", 435.0, 493.0, "r"),
    ("vat", 499.0, 555.0, "r"),
]
ROW = 11.0  # one text line of a table row
HEAD_LEADING = 9.0  # between the lines of a wrapped column heading
WHOLE_ROW = 30  # rows of up to this many text lines never straddle two pages
NUMBER_MIN_SIZE = 5.5  # a figure wider than its column is shrunk down to this, then wrapped
# VAT breakdown, left of the totals box.
VAT_LABEL_WIDTH = 145.0
VAT_BASE_RIGHT, VAT_TAX_RIGHT = 262.0, 334.0
TOTALS_X = 360.0
FOOTER_SIZE, FOOTER_LEADING, FOOTER_LAST, FOOTER_TOP = 6.5, 8.0, 28.0, 40.0
MM = 72 / 25.4
# Marks. Texts around a code are at least as large as the invoice's data (Verifactu §3: "iguales o
# superiores a los del resto de datos de la factura"): 9 pt, the largest size of the figures.
MARK_SIZE, MARK_LEADING = 9.0, 11.0
# DejaVu Sans's ascent and descent (hhea: 0.928 and 0.236 em): the quiet zone starts past them.
MARK_ASCENT, MARK_DESCENT = 0.93 * MARK_SIZE, 0.24 * MARK_SIZE
MARKS_TOP = 818.0  # top of the band of codes, 24 pt (8.5 mm) under the page's edge
MIN_QUIET = 2 * MM  # Verifactu §3: at least 2 mm of blank paper on all four sides
CODE_GAP = 24.0  # between two codes side by side
CAPTION_WIDTH = 200.0  # a caption wider than its code (a KSeF number) wraps at this width
EVERY_PAGE_GAP = 12.0  # from the every-page line's baseline down to the footer's first baseline


@dataclass(frozen=True, slots=True)
class PrintedCode:
    """A QR code to print: *payload* encoded as is, *size_mm* the side of the symbol (without quiet zone).

    *heading* is printed just above the code ("QR tributario:" for Verifactu §3, the ATCUD for
    Portugal), *caption* just under it (the KSeF number or OFFLINE under KOD I).
    """

    payload: str
    caption: str = ""
    size_mm: float = 30.0
    heading: str = ""
    error: ErrorLevel = "M"


@dataclass(frozen=True, slots=True)
class Marks:
    """What a national format adds to the printed invoice; see the module docstring for where it goes.

    *legend* is printed right under the first code (Verifactu §3: "justo debajo del código QR"),
    *every_page* above the footer of every page (the ATCUD, Portaria n.º 195/2020).
    """

    codes: tuple[PrintedCode, ...] = ()
    every_page: str | None = None
    legend: str | None = None
    # False where the PDF is the invoice although the record names a channel (VERI*FACTU records, a
    # certified Portuguese deployment, the French Factur-X e-invoice itself): no "copy for information".
    channel_notice: bool = True

    def __post_init__(self) -> None:
        if self.legend and not self.codes:
            raise ValueError("a legend is printed under a code: give at least one code")
        for code in self.codes:
            if not 10 <= code.size_mm <= 100:
                raise ValueError(f"QR size out of range: {code.size_mm!r} mm")


def nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def render_pdf(doc: Document, xml: bytes, *, marks: Marks | None = None) -> bytes:
    locale = i18n.page_locale(doc.language, doc.country)
    lb = i18n.labels(locale)
    title = lb["invoice"] if doc.kind == "invoice" else lb["credit_note"]
    pdf = PdfWriter(
        title=nfc(f"{title} {doc.number}"),
        author=nfc(doc.seller.name),
        subject=nfc(f"{title} {doc.number} — {doc.buyer.name}"),
        lang=i18n.pdf_lang(locale),
        created=doc.issued_at,
    )
    layout = _Layout(pdf, doc, title, locale, marks or Marks())
    layout.channel_notice()
    layout.buyer_and_delivery()
    layout.lines_table()
    layout.totals()
    layout.exchange()
    layout.mentions()
    layout.footers()
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


def discount_note(line: DocumentLine, label: str, language: str = "fr") -> str | None:
    """What is printed under a discounted line: "Remise : <reason>", or "Remise" alone.

    The rules join several reasons with ", " and use the word "Remise" itself when the
    seller gave none (a line discount, or an order voucher's default reason); printing it
    after the label would read "Remise : Remise".
    """
    if not line.allowance:
        return None
    parts: list[str] = []
    for part in (line.allowance_reason or "").split(", "):
        part = part.strip()
        if part and part.casefold() != label.casefold() and part not in parts:
            parts.append(part)
    return f"{i18n.colon(label, language)} {', '.join(parts)}" if parts else label


class _Layout:
    """A cursor going down the pages; :meth:`room` opens a new page when a block does not fit."""

    def __init__(self, pdf: PdfWriter, doc: Document, title: str, locale: str, marks: Marks) -> None:
        self.pdf, self.doc, self.title = pdf, doc, title
        self.lang = locale  # what the i18n functions take: the page locale
        self.lb = i18n.labels(locale)
        self.marks = marks
        self.pages: list[Page] = []
        self.footer_lines = self._footer_lines()
        self.every_page = self.wrap(marks.every_page, RIGHT - LEFT, MARK_SIZE, "bold") if marks.every_page else []
        # Content stops above the footer, however many lines the issuer's details take.
        self.bottom = self._footer_top() + FOOTER_SIZE + 14
        if self.every_page:
            self.bottom = self._every_page_y() + MARK_LEADING * (len(self.every_page) - 1) + MARK_SIZE + 12
        self.top = TOP  # the first page's header moves down under the codes
        self.in_table = False
        self.page, self.y = self._new_page()

    # -- pages ---------------------------------------------------------------------------

    def _new_page(self) -> tuple[Page, float]:
        page = self.pdf.add_page()
        self.pages.append(page)
        self.page = page
        if len(self.pages) == 1:
            if self.marks.codes:
                self.top = min(TOP, self._codes() - 22)
            self.y = self._header()
        else:
            self.y = self._continuation_header()
        if self.in_table:
            self._table_header()
        return page, self.y

    def room(self, height: float) -> None:
        """Make sure *height* points fit below the cursor, else continue on a new page."""
        if self.y - height < self.bottom:
            self._new_page()

    def money(self, value: Decimal) -> str:
        return i18n.money(value, self.doc.currency, self.lang)

    def wrap(self, text: str, width: float, size: float, style: FontStyle = "regular") -> list[str]:
        return self.pdf.wrap(nfc(text), width, size, style)

    def colon(self, label: str) -> str:
        return i18n.colon(label, self.lang)

    def address_lines(self, address: Address) -> list[str]:
        """The postal lines, and the country by name when it is not the document's own country."""
        lines = address.lines()
        if address.country != self.doc.country:
            lines.append(i18n.country(address.country, self.lang))
        return lines

    # -- marks -----------------------------------------------------------------------------

    def _codes(self) -> float:
        """Draw the codes side by side, centred, at the top of the first page; returns the band's bottom.

        Each code keeps a quiet zone of four modules (ISO/IEC 18004 §9.1), and at least 2 mm
        (Verifactu §3), free of its heading and caption.
        """
        slots: list[tuple[PrintedCode, float, float, list[str], list[tuple[str, FontStyle]], float]] = []
        for i, code in enumerate(self.marks.codes):
            side = code.size_mm * MM
            quiet = max(QUIET_MODULES * side / qr_modules(code.payload, code.error), MIN_QUIET)
            room = max(side + 2 * quiet, CAPTION_WIDTH)
            heading = self.wrap(code.heading, room, MARK_SIZE, "bold") if code.heading else []
            under: list[tuple[str, FontStyle]] = []
            if i == 0 and self.marks.legend:
                under += [(t, "bold") for t in self.wrap(self.marks.legend, room, MARK_SIZE, "bold")]
            if code.caption:
                under += [(t, "regular") for t in self.wrap(code.caption, room, MARK_SIZE)]
            texts = [self.pdf.text_width(t, MARK_SIZE, "bold") for t in heading]
            texts += [self.pdf.text_width(t, MARK_SIZE, style) for t, style in under]
            width = max([side + 2 * quiet, *texts])
            slots.append((code, side, quiet, heading, under, width))
        total = sum(slot[-1] for slot in slots) + CODE_GAP * (len(slots) - 1)
        x = (LEFT + RIGHT - total) / 2
        bottom = TOP
        for code, side, quiet, heading, under, width in slots:
            middle = x + width / 2
            y = MARKS_TOP - MARK_SIZE
            for part in heading:
                self._centred(middle, y, part, "bold")
                y -= MARK_LEADING
            # From the last heading baseline: its descenders, then the quiet zone.
            qr_top = (y + MARK_LEADING - MARK_DESCENT if heading else MARKS_TOP) - quiet
            self.page.vector(qr_path(code.payload, x=middle - side / 2, y=qr_top - side, size=side, error=code.error))
            y = qr_top - side - quiet - MARK_ASCENT
            for part, style in under:
                self._centred(middle, y, part, style)
                y -= MARK_LEADING
            bottom = min(bottom, y + MARK_LEADING - MARK_DESCENT if under else qr_top - side - quiet)
            x += width + CODE_GAP
        return bottom

    def _centred(self, middle: float, y: float, text: str, style: FontStyle) -> None:
        self.page.text(middle - self.pdf.text_width(text, MARK_SIZE, style) / 2, y, text, size=MARK_SIZE, style=style)

    # -- header ----------------------------------------------------------------------------

    def _header(self) -> float:
        doc, lb, lang, page = self.doc, self.lb, self.lang, self.page
        s = doc.seller
        y = self.top
        for text in self.wrap(s.name, SELLER_WIDTH, 13, "bold"):
            page.text(LEFT, y, text, size=13, style="bold")
            y -= 15.5
        y += 0.5
        seller_lines = self.address_lines(s.address)
        home_currency = doc.exchange.tax_currency if doc.exchange else doc.currency
        if s.siren:
            ident = f"{lb['siren']} {s.siren}"
            if s.siret:
                ident += f" · {lb['siret']} {s.siret}"
            seller_lines.append(ident)
        legal = " ".join(
            part
            for part in (
                s.legal_form or "",
                # The capital is in the seller country's currency, whatever the invoice's.
                f"{lb['capital']} {i18n.money(s.share_capital, home_currency, lang)}" if s.share_capital else "",
                f"· {s.registry}" if s.registry else "",
            )
            if part
        )
        if legal and not s.legal_info:  # a country pack's legal_info words form, capital and register itself
            seller_lines.append(legal)
        if s.vat_id:
            seller_lines.append(f"{lb['vat_id']} {s.vat_id}")
        # An id a country needs in two roles (e.g. a sole trader's NIF as register and tax number) prints once.
        seller_lines += list(dict.fromkeys(f"{i.label} {i.value}" for i in s.ids))
        if s.legal_info:
            seller_lines.append(s.legal_info)
        if s.email:
            seller_lines.append(s.email)
        for text in seller_lines:
            for wrapped in self.wrap(text, SELLER_WIDTH, 8):
                page.text(LEFT, y, wrapped, size=8)
                y -= 10

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
        ry = self._title_and_meta(meta, self.top)
        return min(y, ry) - 10

    def _title_and_meta(self, meta: list[tuple[str, str]], top: float = TOP) -> float:
        page = self.page
        page.text_right(RIGHT, top, self.title, size=18, style="bold")
        ry = top - 20
        for label, value in meta:
            head = self.colon(label)
            value = nfc(value)
            page.text(META_X, ry, head, size=8)
            # A value that does not fit beside its label goes under it, wrapped if need be.
            room = RIGHT - META_X - self.pdf.text_width(f"{head} ", 8)
            if self.pdf.text_width(value, 8, "bold") > room:
                ry -= 10
            parts = self.wrap(value, RIGHT - META_X, 8, "bold") or [""]
            for k, part in enumerate(parts):
                page.text_right(RIGHT, ry - 10 * k, part, size=8, style="bold")
            ry -= 10 * (len(parts) - 1) + 11
        return ry

    def _continuation_header(self) -> float:
        meta = [(self.lb["number"], f"{self.doc.number} ({self.lb['continued']})")]
        return self._title_and_meta(meta) - 10

    def buyer_and_delivery(self) -> None:
        doc, lb = self.doc, self.lb
        b = doc.buyer
        inner = RIGHT - BOX_X - 2 * BOX_PAD
        rows: list[tuple[str, float, FontStyle, float]] = [(lb["billed_to"], 7, "bold", 12)]
        rows += [(t, 9, "bold", 11) for t in self.wrap(b.name, inner, 9, "bold")]
        buyer_lines = self.address_lines(b.address)
        if b.vat_id:
            buyer_lines.append(f"{lb['vat_id']} {b.vat_id}")
        if b.siren:
            buyer_lines.append(f"{lb['siren']} {b.siren}")
        buyer_lines += [f"{i.label} {i.value}" for i in b.ids]
        for text in buyer_lines:
            rows += [(t, 8, "regular", 10) for t in self.wrap(text, inner, 8)]
        box_height = 8 + sum(step for *_, step in rows)  # the label's baseline is 12 pt under the top

        delivery: list[tuple[str, float, FontStyle, float]] = []
        if doc.delivery_address:
            delivery.append((lb["delivered_to"], 7, "bold", 12))
            for text in self.address_lines(doc.delivery_address):
                delivery += [(t, 8, "regular", 10) for t in self.wrap(text, BOX_X - LEFT - 12, 8)]
        self.room(max(box_height, sum(step for *_, step in delivery)) + 8)
        top = self.y + 8
        self.page.rect(BOX_X, top - box_height, RIGHT - BOX_X, box_height, fill_gray=GREY)
        for x, block in ((BOX_X + BOX_PAD, rows), (LEFT, delivery)):
            y = top - 12
            for text, size, style, step in block:
                color = TEXT_GREY if size == 7 else (0.0, 0.0, 0.0)
                self.page.text(x, y, text, size=size, style=style, color=color)
                y -= step
        delivery_bottom = top - 12 - sum(step for *_, step in delivery)
        self.y = min(top - box_height, delivery_bottom) - 18

    # -- lines -------------------------------------------------------------------------

    def _table_header(self) -> None:
        page, y = self.page, self.y
        # A heading wider than its column ("Precio unit.", "Eenheidsprijs") wraps, and the band grows.
        heads = [
            (left, right, align, self.wrap(self.lb[key], right - left - (2 if align == "l" else 0), 7.5, "bold"))
            for key, left, right, align in COLS
        ]
        grow = HEAD_LEADING * (max(len(parts) for *_, parts in heads) - 1)
        page.rect(LEFT, y - 4 - grow, RIGHT - LEFT, 14 + grow, fill_gray=GREY)
        for left, right, align, parts in heads:
            for k, part in enumerate(parts):
                if align == "l":
                    page.text(left + 2, y - HEAD_LEADING * k, part, size=7.5, style="bold")
                else:
                    page.text_right(right, y - HEAD_LEADING * k, part, size=7.5, style="bold")
        self.y = y - 16 - grow

    def fit(self, text: str, width: float, size: float, style: FontStyle = "regular") -> float:
        """*size*, or smaller for a figure wider than its room (totals are at most 99 999 999,99 in practice)."""
        natural = self.pdf.text_width(text, size, style)
        if natural <= width:
            return size
        return max(4.0, int(size * width / natural * 10) / 10)

    def _number_cell(self, text: str, width: float) -> tuple[list[str], float]:
        """A figure in its column: at 8 pt when it fits, shrunk when not, wrapped as a last resort."""
        natural = self.pdf.text_width(text, 8)
        if natural <= width:
            return [text], 8.0
        size = max(NUMBER_MIN_SIZE, int(8 * width / natural * 10) / 10)
        return self.wrap(text, width, size), size

    def lines_table(self) -> None:
        lang, lb = self.lang, self.lb
        self.room(16 + 2 * ROW)
        self.in_table = True
        self._table_header()
        # A line has no exemption code of its own: it shares its category's (E, K, G and AE have one breakdown each).
        codes = {b.category: b.exemption_code for b in self.doc.vat_breakdown if b.exemption_code}
        for line in self.doc.lines:
            cells: list[tuple[float, float, str, list[str], float, tuple[float, float, float]]] = []
            (_, rx0, rx1, _), (_, dx0, dx1, _) = COLS[0], COLS[1]
            cells.append((rx0, rx1, "l", self.wrap(line.sku, rx1 - rx0, 7), 7.0, (0.0, 0.0, 0.0)))
            desc = self.wrap(line.description, dx1 - dx0, 8)
            note = discount_note(line, lb["discount"], self.lang)
            cells.append((dx0, dx1, "l", desc, 8.0, (0.0, 0.0, 0.0)))
            if note:
                cells.append((dx0, dx1, "l", [""] * len(desc) + self.wrap(note, dx1 - dx0, 7), 7.0, TEXT_GREY))
            figures = [
                i18n.number(line.quantity, lang),
                i18n.unit_price(line.net_unit_price, lang),
                i18n.amount(line.allowance, lang) if line.allowance else "",
                i18n.amount(line.net_amount, lang),
            ]
            for (_, x0, x1, _), text in zip(COLS[2:6], figures, strict=True):
                parts, size = self._number_cell(text, x1 - x0)
                cells.append((x0, x1, "r", parts, size, (0.0, 0.0, 0.0)))
            _, vx0, vx1, _ = COLS[6]
            vat = i18n.vat_category(line.vat_category, line.vat_rate, lang, exemption_code=codes.get(line.vat_category))
            vat_size = 8.0 if line.vat_category == "S" else 7.0  # a bare rate, or a rate and a word
            cells.append((vx0, vx1, "r", self.wrap(vat, vx1 - vx0, vat_size), vat_size, (0.0, 0.0, 0.0)))
            slots = max(len(c[3]) for c in cells)
            # A row is kept whole on one page; only one taller than half a page is split across pages.
            self.room(ROW * (slots if slots <= WHOLE_ROW else 4))
            done = 0
            while done < slots:
                self.room(ROW)
                fit = min(slots - done, int((self.y - self.bottom) // ROW))
                # Cell by cell, so that a wrapped description stays one run of text for extraction.
                for x0, x1, align, parts, size, color in cells:
                    for k, part in enumerate(parts[done : done + fit]):
                        if not part:
                            continue
                        if align == "l":
                            self.page.text(x0, self.y - ROW * k, part, size=size, color=color)
                        else:
                            self.page.text_right(x1, self.y - ROW * k, part, size=size, color=color)
                self.y -= ROW * fit
                done += fit
            self.y -= 3
            self.page.line(LEFT, self.y + 6, RIGHT, self.y + 6, width=0.3, gray=0.8)
        self.in_table = False

    # -- totals and mentions -----------------------------------------------------------

    def totals(self) -> None:
        doc, lb, lang, page_money = self.doc, self.lb, self.lang, self.money
        breakdown: list[tuple[list[str], str, str]] = []
        for b in doc.vat_breakdown:
            label = i18n.vat_category(b.category, b.rate, lang, long=True, exemption_code=b.exemption_code)
            breakdown.append(
                (self.wrap(label, VAT_LABEL_WIDTH, 8), page_money(b.taxable_amount), page_money(b.tax_amount))
            )
        t = doc.totals
        rows: list[tuple[str, Decimal, bool]] = [
            (lb["total_net"], t.tax_exclusive, False),
            (lb["total_vat"], t.tax_total, False),
            (lb["total"], t.tax_inclusive, True),
        ]
        if doc.kind == "credit_note":
            # The refund is executed before the credit note is issued: what the buyer got back is the
            # figure that matters, not a "net à payer" of zero (BT-113 / BT-115 in the XML still balance).
            rows.append((lb["refunded"], t.prepaid, True))
            if t.payable:
                rows.append((lb["to_refund"], t.payable, True))
        else:
            rows += [(lb["paid"], t.prepaid, False), (lb["payable"], t.payable, True)]
        terms = (
            self.wrap(f"{self.colon(lb['terms'])} {doc.payment_terms}", RIGHT - TOTALS_X - 6, 7)
            if doc.payment_terms
            else []
        )
        left_height = 12 + sum(11 * len(words) for words, _, _ in breakdown)
        right_height = 15 * len(rows) + 9 * len(terms)
        self.y -= 8
        self.room(max(left_height, right_height) + 4)
        page, y = self.page, self.y
        page.text(LEFT, y, lb["rate"], size=7.5, style="bold")
        page.text_right(VAT_BASE_RIGHT, y, lb["base"], size=7.5, style="bold")
        page.text_right(VAT_TAX_RIGHT, y, lb["vat"], size=7.5, style="bold")
        vy = y - 12
        for words, base, tax in breakdown:
            for k, part in enumerate(words):
                page.text(LEFT, vy - 11 * k, part, size=8)
            base_width = VAT_BASE_RIGHT - LEFT - VAT_LABEL_WIDTH - 6
            page.text_right(VAT_BASE_RIGHT, vy, base, size=self.fit(base, base_width, 8))
            page.text_right(VAT_TAX_RIGHT, vy, tax, size=self.fit(tax, VAT_TAX_RIGHT - VAT_BASE_RIGHT - 6, 8))
            vy -= 11 * len(words)
        ty = y
        for label, value, bold in rows:
            size = 9.0 if bold else 8.0
            typed: FontStyle = "bold" if bold else "regular"
            if bold:
                page.rect(TOTALS_X, ty - 4, RIGHT - TOTALS_X, 14, fill_gray=GREY)
            page.text(TOTALS_X + 6, ty, label, size=size, style=typed)
            figure = page_money(value)
            room = RIGHT - 4 - TOTALS_X - 6 - self.pdf.text_width(label, size, typed) - 8
            page.text_right(RIGHT - 4, ty, figure, size=self.fit(figure, room, size, typed), style=typed)
            ty -= 15
        for part in terms:
            page.text(TOTALS_X + 6, ty, part, size=7)
            ty -= 9
        self.y = min(vy, ty) - 4

    def channel_notice(self) -> None:
        """Where the law makes the transmitted e-invoice the invoice (SdI, KSeF...), this PDF says it is a copy."""
        if not self.doc.legal_channel or not self.marks.channel_notice:
            return
        text = self.lb["legal_channel"].format(channel=self.doc.legal_channel)
        parts = self.wrap(text, RIGHT - LEFT - 2 * BOX_PAD, 8.5, "bold")
        height = 8 + 11 * len(parts)
        self.room(height + 8)
        top = self.y + 8
        self.page.rect(LEFT, top - height, RIGHT - LEFT, height, fill_gray=GREY)
        y = top - 12
        for part in parts:
            self.page.text(LEFT + BOX_PAD, y, part, size=8.5, style="bold")
            y -= 11
        self.y = top - height - 18

    def exchange(self) -> None:
        """The VAT in the taxing country's currency (BT-6 / BT-111), with the rate, its source and its date."""
        ex = self.doc.exchange
        if ex is None:
            return
        lb, lang, width = self.lb, self.lang, VAT_TAX_RIGHT - LEFT
        head = self.wrap(lb["exchange_title"].format(currency=ex.tax_currency), width, 7.5, "bold")
        source = [f"{lb['exchange_source']} {ex.source}"]
        if ex.reference:
            source.append(f"{lb['exchange_reference']} {ex.reference}")
        source.append(f"{lb['of']} {i18n.day(ex.day, lang)}")
        rate = (
            f"{self.colon(lb['exchange_rate'])} 1\u00a0{self.doc.currency} = "
            f"{i18n.number(ex.rate, lang)}\u00a0{ex.tax_currency} ({', '.join(source)})"
        )
        rate_lines = self.wrap(rate, width, 7)
        rows: list[tuple[list[str], str, FontStyle]] = [
            (
                self.wrap(i18n.vat_category(r.category, r.rate, lang), VAT_LABEL_WIDTH, 8),
                self._tax(r.tax_amount),
                "regular",
            )
            for r in ex.per_rate
        ]
        rows.append((self.wrap(lb["total_vat"], VAT_LABEL_WIDTH, 8, "bold"), self._tax(ex.tax_total), "bold"))
        self.y -= 6
        self.room(11 * len(head) + 9 * len(rate_lines) + sum(11 * len(words) for words, _, _ in rows) + 4)
        page = self.page
        for part in head:
            page.text(LEFT, self.y, part, size=7.5, style="bold")
            self.y -= 11
        for part in rate_lines:
            page.text(LEFT, self.y, part, size=7, color=TEXT_GREY)
            self.y -= 9
        self.y -= 2
        for words, figure, style in rows:
            for k, part in enumerate(words):
                page.text(LEFT, self.y - 11 * k, part, size=8, style=style)
            room = VAT_TAX_RIGHT - LEFT - VAT_LABEL_WIDTH - 6
            page.text_right(VAT_TAX_RIGHT, self.y, figure, size=self.fit(figure, room, 8, style), style=style)
            self.y -= 11 * len(words)
        self.y -= 4

    def _tax(self, value: Decimal) -> str:
        ex = self.doc.exchange
        assert ex is not None
        return i18n.money(value, ex.tax_currency, self.lang)

    def mention_blocks(self) -> list[list[str]]:
        """The credit note's reason and each mention, wrapped: one block of lines each."""
        out: list[list[str]] = []
        if self.doc.reason:
            out.append(self.wrap(f"{self.colon(self.lb['reason'])} {self.doc.reason}", RIGHT - LEFT, 7.5))
        out += [self.wrap(m.text, RIGHT - LEFT, 7.5) for m in self.doc.mentions]
        return [block for block in out if block]

    def mention_lines(self) -> list[str]:
        return [line for block in self.mention_blocks() for line in block]

    def mentions(self) -> None:
        blocks = self.mention_blocks()
        self.y -= 10
        self.room(16 + 10 * min(sum(len(b) for b in blocks), 3))
        self.page.line(LEFT, self.y + 6, RIGHT, self.y + 6, width=0.5, gray=0.6)
        self.y -= 6
        page_room = self._content_height()
        for block in blocks:
            # A mention is kept whole on one page (a reader must not piece a legal text together);
            # only one longer than a page continues line by line.
            if 10 * len(block) <= page_room:
                self.room(10 * len(block))
            for text in block:
                self.room(10)
                self.page.text(LEFT, self.y, text, size=7.5)
                self.y -= 10

    def _content_height(self) -> float:
        """Room for mentions on a continuation page: below its header, above the footer."""
        top = TOP - 20 - 11 - 10  # _continuation_header: the title, one meta line, the gap
        return top - self.bottom

    # -- footer --------------------------------------------------------------------------

    def _footer_lines(self) -> list[str]:
        i, lb = self.doc.issuer, self.lb
        text = (
            f"{self.colon(lb['issuer'])} {i.name}, {', '.join(self.address_lines(i.address))} — "
            f"{lb['siren']} {i.siren} — {lb['vat_id']} {i.vat_id}"
        )
        return self.wrap(text, RIGHT - LEFT - 60, FOOTER_SIZE)

    def _footer_top(self) -> float:
        """Baseline of the first footer line: 40 pt up, higher when the issuer's details need more lines."""
        return max(FOOTER_TOP, FOOTER_LAST + FOOTER_LEADING * (len(self.footer_lines) - 1))

    def _every_page_y(self) -> float:
        """Baseline of the every-page line (its last line when wrapped), just above the footer."""
        return self._footer_top() + FOOTER_SIZE + EVERY_PAGE_GAP

    def footers(self) -> None:
        total = len(self.pages)
        top = self._footer_top()
        for n, page in enumerate(self.pages, start=1):
            for k, part in enumerate(reversed(self.every_page)):
                page.text(LEFT, self._every_page_y() + MARK_LEADING * k, part, size=MARK_SIZE, style="bold")
            for k, part in enumerate(self.footer_lines):
                page.text(LEFT, top - FOOTER_LEADING * k, part, size=FOOTER_SIZE, color=(0.4, 0.4, 0.4))
            page.text_right(RIGHT, top, f"{self.lb['page']} {n}/{total}", size=FOOTER_SIZE, color=(0.4, 0.4, 0.4))
