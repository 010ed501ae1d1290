"""KSeF FA(3) (schema ``FA (3)`` 1-0E of the Polish Ministry of Finance), built from a ``Document`` only.

The structured invoice of the Krajowy System e-Faktur (ustawa o VAT of 11 March 2004, art. 106a-106q,
with art. 106ga-106nh for KSeF). This slice covers a Polish-established seller's invoices and credit
notes taxed under Polish rules (``doc.country == "PL"``): domestic rates, 0 % domestic, intra-EU supply
of goods (WDT), export, exemption and the supplies where the buyer accounts for the tax.

How the record maps:

- ``Podmiot1`` is the seller (art. 106e ust. 1 pkt 3-4: name, address, NIP); ``PrefiksPodatnika`` "PL"
  when the buyer is identified by an EU VAT number (art. 97 ust. 10 pkt 2-3: the seller's VAT-UE number
  on an intra-EU supply).
- ``Podmiot2`` is the buyer (art. 106e ust. 1 pkt 5): its NIP; a buyer of another member state by
  ``KodUE`` + ``NrVatUE`` (art. 106e ust. 1 pkt 24); another tax id by ``KodKraju`` + ``NrID``; a
  consumer by ``BrakID``.
- The marketplace issues under the seller's billing mandate (art. 106d ust. 2: the taxpayer may
  authorise a person other than the buyer to issue its invoices in its name and on its behalf). FA(3)
  expresses that as ``Podmiot3`` with ``Rola`` 5 "Wystawca faktury" (the entity issuing the invoice on
  behalf of the taxpayer). It is never self-billing: ``P_17`` (art. 106d ust. 1, "samofakturowanie")
  stays 2.
- Amounts per rate ``P_13_x`` / ``P_14_x`` are in the invoice currency; in another currency than PLN the
  VAT per rate is also given in PLN (``P_14_xW``, art. 106e ust. 11 with art. 31a) from ``doc.exchange``,
  and the rate used on every line (``KursWaluty``).
- A credit note is ``RodzajFaktury`` KOR (art. 106j): ``DaneFaKorygowanej`` names the corrected invoice,
  and every amount is the difference it makes (art. 106j ust. 2 pkt 5), hence negative; its lines are
  the difference lines (negative quantities and values at the original unit prices).

The KSeF number of the corrected invoice is assigned by KSeF on receipt and is not in the record: pass it
as ``corrected_ksef_number`` when known. Without it the document says ``NrKSeFN`` 1 (the schema's only
variant without a KSeF number, literally "corrected invoice issued outside KSeF"), which is true only for
an invoice that was indeed issued outside KSeF: the caller must supply the number for one issued in KSeF.

KSeF checks on receipt what the XSD cannot (sums, conversions); :func:`build` checks the sums itself and
refuses a record whose figures do not add up rather than send a document KSeF would reject.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from lxml import etree

from mandat.domain.documents import Document, DocumentLine, PartySnapshot, TaxCurrencyAmount
from mandat.domain.money import CENT, normalize
from mandat.domain.parties import Address
from mandat.domain.refusals import Rejected

NS = "http://crd.gov.pl/wzor/2025/06/25/13775/"
ETD = "http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/"
SYSTEM_INFO = "mandat"
WARSAW = ZoneInfo("Europe/Warsaw")
YES, NO = "1", "2"  # etd:TWybor1_2

# EU member states as KSeF codes them (TKodyKrajowUE: Greece is EL, Northern Ireland XI).
EU_CODES = frozenset(
    ["AT", "BE", "BG", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "EL", "HR", "HU", "IE", "IT", "LV", "LT",
     "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "XI"]
)  # fmt: skip
_NIP = re.compile(r"[1-9]((\d[1-9])|([1-9]\d))\d{7}")  # etd:TNrNIP
_NR_VAT_UE = re.compile(r"(\d|[A-Z]|\+|\*){1,12}")  # TNrVatUE
_KRS = re.compile(r"\d{10}")

# Standard-rated amounts go to the field of their rate (art. 41 ust. 1 / 2 / 2a with art. 146ef).
STANDARD_FIELDS: dict[Decimal, str] = {Decimal(23): "1", Decimal(8): "2", Decimal(5): "3"}
# Zero-VAT categories: (P_13 field, P_12 code). AE depends on the buyer's country (see _group).
ZERO_FIELDS: dict[str, tuple[str, str]] = {
    "Z": ("P_13_6_1", "0 KR"),  # 0 % at home, art. 83 (not WDT, not export)
    "K": ("P_13_6_2", "0 WDT"),  # intra-EU supply of goods, art. 42
    "G": ("P_13_6_3", "0 EX"),  # export of goods, art. 41 ust. 4
    "E": ("P_13_7", "zw"),  # exempt, art. 43 / art. 113
}
AMOUNT_ORDER = [
    "P_13_1", "P_14_1", "P_14_1W", "P_13_2", "P_14_2", "P_14_2W", "P_13_3", "P_14_3", "P_14_3W",
    "P_13_6_1", "P_13_6_2", "P_13_6_3", "P_13_7", "P_13_8", "P_13_9", "P_13_10", "P_13_11",
]  # fmt: skip
# UN/ECE rec. 20 unit codes as a Polish invoice names them (P_8A is free text).
UNITS: dict[str, str] = {
    "C62": "szt.", "H87": "szt.", "EA": "szt.", "XPP": "szt.", "HUR": "godz.", "DAY": "dzień",
    "KGM": "kg", "MTR": "m", "MTK": "m2", "MTQ": "m3", "LTR": "l", "SET": "kpl.",
}  # fmt: skip
# TFormaPlatnosci: 2 karta, 6 przelew, 7 mobilna.
PAYMENT_FORMS: dict[str, str] = {"card": "2", "transfer": "6", "mobile": "7"}


def build(doc: Document, corrected_ksef_number: str | None = None) -> bytes:
    """The FA(3) XML of ``doc``: same record, same bytes. Raises ``Rejected`` for what FA(3) (or this
    slice of it) cannot carry."""
    _check_scope(doc)
    sign = Decimal(-1) if doc.kind == "credit_note" else Decimal(1)
    foreign = doc.currency != "PLN"
    root = etree.Element(f"{{{NS}}}Faktura", nsmap={None: NS, "etd": ETD})
    _header(root, doc)
    eu_buyer = _buyer_ids(doc.buyer)[0] == "KodUE"
    _podmiot1(root, doc, eu_buyer)
    _podmiot2(root, doc.buyer)
    _podmiot3(root, doc)
    fa = _sub(root, "Fa")
    _sub(fa, "KodWaluty", doc.currency)
    _sub(fa, "P_1", doc.issue_date.isoformat())
    _sub(fa, "P_2", doc.number)
    if doc.delivery_date != doc.issue_date:  # art. 106e ust. 1 pkt 6: only when it differs
        _sub(fa, "P_6", doc.delivery_date.isoformat())
    amounts, reverse = _amounts(doc, sign, foreign)
    for field in AMOUNT_ORDER:
        if field in amounts:
            _sub(fa, field, _money(amounts[field]))
    p15 = sign * doc.totals.tax_inclusive
    _check_sums(doc, amounts, p15)
    _sub(fa, "P_15", _money(p15))
    _adnotacje(fa, doc, reverse)
    if doc.kind == "credit_note":
        _correction(fa, doc, corrected_ksef_number)
    else:
        _sub(fa, "RodzajFaktury", "VAT")
    for n, line in enumerate(doc.lines, start=1):
        _line(fa, doc, n, line, sign, foreign)
    if doc.kind == "invoice":
        _payment(fa, doc)
    zam = _sub(_sub(fa, "WarunkiTransakcji"), "Zamowienia")
    _sub(zam, "NrZamowienia", doc.purchase_order or doc.order_id)
    _footer(root, doc)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


# --- scope -----------------------------------------------------------------------------------


def _check_scope(doc: Document) -> None:
    if doc.country != "PL":
        raise Rejected("ksef_not_polish", f"KSeF FA(3) carries invoices under Polish VAT rules, not {doc.country}'s")
    if doc.deemed_supply is not None:
        # Art. 14a: the marketplace supplies in its own name; its invoice is not the seller's under mandate.
        raise Rejected("ksef_deemed_supply", "a deemed supply is the marketplace's own invoice, outside this format")
    if doc.scheme is not None or doc.taxed_in not in (None, "PL"):
        raise Rejected(
            "ksef_foreign_vat",
            f"lines carry {doc.taxed_in or 'another state'}'s VAT under {doc.scheme or 'no scheme'}: "
            "FA(3) has no field for another member state's rates (art. 106e ust. 1 pkt 12)",
        )
    if doc.kind == "credit_note" and doc.corrects is None:
        raise Rejected("ksef_correction_without_invoice", "a KOR must name the invoice it corrects (art. 106j ust. 2)")
    if doc.currency != "PLN" and (doc.exchange is None or doc.exchange.tax_currency != "PLN"):
        raise Rejected(
            "ksef_pln_vat_missing",
            f"an invoice in {doc.currency} states its VAT in PLN (art. 106e ust. 11): the record has no PLN amounts",
        )


# --- parties ---------------------------------------------------------------------------------


def _header(root: etree._Element, doc: Document) -> None:
    head = _sub(root, "Naglowek")
    form = _sub(head, "KodFormularza", "FA")
    form.set("kodSystemowy", "FA (3)")
    form.set("wersjaSchemy", "1-0E")
    _sub(head, "WariantFormularza", "3")
    # The instant the number was taken: deterministic, and the moment the invoice came into being.
    _sub(head, "DataWytworzeniaFa", doc.issued_at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ"))
    _sub(head, "SystemInfo", SYSTEM_INFO)


def seller_nip(doc: Document) -> str:
    """The seller's NIP as Podmiot1 carries it (KOD I names it too)."""
    return _seller_nip(doc.seller)


def _seller_nip(seller: PartySnapshot) -> str:
    candidates = []
    if seller.vat_id and seller.vat_id.upper().startswith("PL"):
        candidates.append(seller.vat_id[2:])
    candidates += [i.value for i in seller.ids if i.label.upper() == "NIP" or i.role == "tax"]
    for value in candidates:
        digits = re.sub(r"[\s\-]", "", value)
        if _NIP.fullmatch(digits):
            return digits
    raise Rejected("ksef_seller_nip_missing", f"{seller.name} has no Polish NIP (art. 106e ust. 1 pkt 4)")


def _podmiot1(root: etree._Element, doc: Document, eu_buyer: bool) -> None:
    p1 = _sub(root, "Podmiot1")
    if eu_buyer:
        _sub(p1, "PrefiksPodatnika", "PL")
    ids = _sub(p1, "DaneIdentyfikacyjne")
    _sub(ids, "NIP", _seller_nip(doc.seller))
    _sub(ids, "Nazwa", doc.seller.name)
    _address(p1, "Adres", doc.seller.address)
    if doc.seller.email:
        _sub(_sub(p1, "DaneKontaktowe"), "Email", doc.seller.email)


def _buyer_ids(party: PartySnapshot) -> tuple[str, list[tuple[str, str]]]:
    """The identification choice of TPodmiot2 / TPodmiot3 for ``party``: (kind, elements)."""
    vat = re.sub(r"[\s.\-]", "", party.vat_id or "").upper()
    if vat.startswith("PL") and _NIP.fullmatch(vat[2:]):
        return "NIP", [("NIP", vat[2:])]
    for pid in party.ids:
        value = re.sub(r"[\s\-]", "", pid.value)
        if pid.label.upper() == "NIP" and _NIP.fullmatch(value):
            return "NIP", [("NIP", value)]
    if vat[:2] in EU_CODES and vat[:2] != "PL" and _NR_VAT_UE.fullmatch(vat[2:]):
        return "KodUE", [("KodUE", vat[:2]), ("NrVatUE", vat[2:])]
    if vat:
        country = vat[:2] if vat[:2].isalpha() else party.address.country
        return "NrID", [("KodKraju", country), ("NrID", vat)]
    tax = next((i.value for i in party.ids if i.role == "tax"), None)
    if tax:
        return "NrID", [("KodKraju", party.address.country), ("NrID", tax)]
    if party.is_business and party.address.country == "PL":
        raise Rejected(
            "ksef_buyer_nip_missing", f"{party.name} buys as a business without a NIP (art. 106e ust. 1 pkt 5)"
        )
    return "BrakID", [("BrakID", "1")]


def _podmiot2(root: etree._Element, buyer: PartySnapshot) -> None:
    p2 = _sub(root, "Podmiot2")
    ids = _sub(p2, "DaneIdentyfikacyjne")
    for name, value in _buyer_ids(buyer)[1]:
        _sub(ids, name, value)
    _sub(ids, "Nazwa", buyer.name)
    _address(p2, "Adres", buyer.address)
    if buyer.email:
        _sub(_sub(p2, "DaneKontaktowe"), "Email", buyer.email)
    _sub(p2, "JST", NO)  # not a subordinate unit of a local authority
    _sub(p2, "GV", NO)  # not a member of a VAT group


def _podmiot3(root: etree._Element, doc: Document) -> None:
    """The marketplace issuing under mandate: Rola 5 "Wystawca faktury" (art. 106d ust. 2)."""
    issuer = doc.issuer
    if re.sub(r"[\s.\-]", "", issuer.vat_id).upper() == re.sub(r"[\s.\-]", "", doc.seller.vat_id or "").upper():
        return  # the seller issues its own invoice: there is no third party
    p3 = _sub(root, "Podmiot3")
    ids = _sub(p3, "DaneIdentyfikacyjne")
    as_party = PartySnapshot(name=issuer.name, address=issuer.address, vat_id=issuer.vat_id, is_business=True)
    for name, value in _buyer_ids(as_party)[1]:
        _sub(ids, name, value)
    _sub(ids, "Nazwa", issuer.name)
    _address(p3, "Adres", issuer.address)
    _sub(p3, "Rola", "5")


def _address(parent: etree._Element, tag: str, address: Address) -> None:
    el = _sub(parent, tag)
    _sub(el, "KodKraju", address.country)
    _sub(el, "AdresL1", ", ".join(x for x in (address.line1, address.line2) if x))
    _sub(el, "AdresL2", f"{address.postcode} {address.city}")


# --- amounts ---------------------------------------------------------------------------------


def _group(doc: Document, category: str, rate: Decimal) -> tuple[str | None, str, str]:
    """(P_13 field, P_14 field or None, P_12 code) of a breakdown category and rate."""
    if category == "S":
        n = STANDARD_FIELDS.get(normalize(rate))
        if n is None:
            raise Rejected("ksef_rate_unknown", f"{rate} % is not a Polish rate FA(3) carries (P_13_1..P_13_3)")
        return f"P_14_{n}", f"P_13_{n}", normalize(rate).to_eng_string()
    if category in ZERO_FIELDS:
        field, code = ZERO_FIELDS[category]
        return None, field, code
    if category == "AE":
        # Buyer liable ("odwrotne obciążenie", P_18): a service to an EU taxpayer (art. 28b) is "np II" in
        # P_13_9; another supply taxed abroad "np I" in P_13_8; a domestic reverse charge (art. 17 ust. 1)
        # "oo" in P_13_10.
        country = "EL" if doc.buyer.address.country == "GR" else doc.buyer.address.country
        if country == "PL":
            return None, "P_13_10", "oo"
        ae = [ln for ln in doc.lines if ln.vat_category == "AE"]
        if country in EU_CODES and ae and all(ln.nature == "service" for ln in ae):
            return None, "P_13_9", "np II"  # art. 100 ust. 1 pkt 4: services to an EU taxpayer (art. 28b)
        if any(ln.nature == "service" for ln in ae) and country in EU_CODES:
            raise Rejected("ksef_mixed_reverse_charge", "goods and services under reverse charge to an EU buyer")
        return None, "P_13_8", "np I"  # supplies outside Poland other than art. 100 ust. 1 pkt 4
    raise Rejected(
        "ksef_category_unsupported",
        f"VAT category {category} has no unambiguous FA(3) field in this slice (np I / np II need the place of supply)",
    )


def _amounts(doc: Document, sign: Decimal, foreign: bool) -> tuple[dict[str, Decimal], bool]:
    out: dict[str, Decimal] = {}
    reverse = False
    for b in doc.vat_breakdown:
        vat_field, net_field, _ = _group(doc, b.category, b.rate)
        out[net_field] = out.get(net_field, Decimal(0)) + sign * b.taxable_amount
        reverse = reverse or b.category == "AE"
        if vat_field is None:
            continue
        out[vat_field] = out.get(vat_field, Decimal(0)) + sign * b.tax_amount
        if foreign:
            out[vat_field + "W"] = out.get(vat_field + "W", Decimal(0)) + sign * _pln(doc, b.category, b.rate)
    return out, reverse


def _pln(doc: Document, category: str, rate: Decimal) -> Decimal:
    assert doc.exchange is not None  # _check_scope
    found: list[TaxCurrencyAmount] = [
        r for r in doc.exchange.per_rate if r.category == category and normalize(r.rate) == normalize(rate)
    ]
    if len(found) != 1:
        raise Rejected("ksef_pln_vat_missing", f"no PLN VAT for {category} {rate} % in the record (art. 106e ust. 11)")
    return found[0].tax_amount


def _check_sums(doc: Document, amounts: dict[str, Decimal], p15: Decimal) -> None:
    """KSeF's own arithmetic, which no offline artefact checks: P_13_x + P_14_x = P_15."""
    total = sum((v for k, v in amounts.items() if not k.endswith("W")), Decimal(0))
    if total != p15:
        raise Rejected("ksef_totals_mismatch", f"P_13 + P_14 = {total} but P_15 = {p15} in {doc.number}")


def _adnotacje(fa: etree._Element, doc: Document, reverse: bool) -> None:
    ad = _sub(fa, "Adnotacje")
    _sub(ad, "P_16", NO)  # no cash accounting (art. 21): mandat does not record it, the seller is on accruals
    _sub(ad, "P_17", NO)  # never self-billing: the issuer acts for the seller, not the buyer (art. 106d ust. 2)
    _sub(ad, "P_18", YES if reverse else NO)
    split = any(m.code == "split_payment" for m in doc.mentions)  # art. 106e ust. 1 pkt 18a
    _sub(ad, "P_18A", YES if split else NO)
    zw = _sub(ad, "Zwolnienie")
    exempt = [b for b in doc.vat_breakdown if b.category == "E"]
    if exempt:
        _sub(zw, "P_19", "1")
        _sub(zw, "P_19A", exempt[0].exemption_reason or "art. 43 ust. 1 ustawy o VAT")
    else:
        _sub(zw, "P_19N", "1")
    _sub(_sub(ad, "NoweSrodkiTransportu"), "P_22N", "1")
    _sub(ad, "P_23", NO)  # not the simplified triangular procedure
    _sub(_sub(ad, "PMarzy"), "P_PMarzyN", "1")  # no margin scheme


def _correction(fa: etree._Element, doc: Document, ksef_number: str | None) -> None:
    assert doc.corrects is not None  # _check_scope
    _sub(fa, "RodzajFaktury", "KOR")
    if doc.reason:
        _sub(fa, "PrzyczynaKorekty", doc.reason[:256])
    data = _sub(fa, "DaneFaKorygowanej")
    _sub(data, "DataWystFaKorygowanej", doc.corrects.issue_date.isoformat())
    _sub(data, "NrFaKorygowanej", doc.corrects.number)
    if ksef_number:
        _sub(data, "NrKSeF", "1")
        _sub(data, "NrKSeFFaKorygowanej", ksef_number)
    else:
        _sub(data, "NrKSeFN", "1")


def _line(fa: etree._Element, doc: Document, n: int, line: DocumentLine, sign: Decimal, foreign: bool) -> None:
    row = _sub(fa, "FaWiersz")
    _sub(row, "NrWierszaFa", str(n))
    _sub(row, "P_7", line.description[:512])
    _sub(row, "Indeks", line.sku[:50])
    _sub(row, "P_8A", UNITS.get(line.unit, line.unit))
    _sub(row, "P_8B", _plain(sign * line.quantity))
    _sub(row, "P_9A", _plain(line.net_unit_price))
    if line.allowance:
        _sub(row, "P_10", _plain(sign * line.allowance))
    _sub(row, "P_11", _money(sign * line.net_amount))
    _sub(row, "P_12", _group(doc, line.vat_category, line.vat_rate)[2])
    if foreign:
        assert doc.exchange is not None
        _sub(row, "KursWaluty", _plain(doc.exchange.rate))


def _payment(fa: etree._Element, doc: Document) -> None:
    pay = _sub(fa, "Platnosc")
    _sub(pay, "Zaplacono", "1")  # paid through the marketplace before the invoice
    _sub(pay, "DataZaplaty", doc.payment.paid_at.astimezone(WARSAW).date().isoformat())
    form = PAYMENT_FORMS.get(doc.payment.method)
    if form:
        _sub(pay, "FormaPlatnosci", form)
    else:
        _sub(pay, "PlatnoscInna", "1")
        _sub(pay, "OpisPlatnosci", doc.payment.method[:256])


def _footer(root: etree._Element, doc: Document) -> None:
    texts = [m.text for m in doc.mentions]
    krs = next((i.value for i in doc.seller.ids if i.label.upper() == "KRS" and _KRS.fullmatch(i.value)), None)
    if not texts and not krs:
        return
    foot = _sub(root, "Stopka")
    chunks: list[str] = []
    for text in texts:  # up to three blocks of 3500 characters (etd:TTekstowy)
        if chunks and len(chunks[-1]) + 1 + len(text) <= 3500:
            chunks[-1] += "\n" + text
        else:
            chunks.append(text[:3500])
    if len(chunks) > 3:
        raise Rejected("ksef_mentions_too_long", "the legal mentions exceed the 3 x 3500 characters of Stopka")
    for chunk in chunks:
        _sub(_sub(foot, "Informacje"), "StopkaFaktury", chunk)
    if krs:
        _sub(_sub(foot, "Rejestry"), "KRS", krs)


# --- helpers ---------------------------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _money(value: Decimal) -> str:
    """TKwotowy: two decimals, no negative zero."""
    v = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return "0.00" if v == 0 else f"{v:f}"


def _plain(value: Decimal) -> str:
    v = normalize(value)
    return "0" if v == 0 else f"{v:f}"
