"""Germany: the invoice mentions, in German.

German law prescribes no invoice language; the tax office may ask for a German translation
(docs/countries.md §6.3), so the mentions are German whatever the labels' language.

Legal basis (status 2026-12-03, docs/countries.md §6):

* Mandatory contents: UStG §14(4) Satz 1 Nr. 1-10. Most are the page itself (names and addresses,
  Steuernummer or USt-IdNr, dates, number, quantities, net per rate, rate and tax); the texts here
  are those the law asks to be *said*:
  - Nr. 8: the note of an exemption, here the Kleinunternehmer exemption (§19(1) UStG; since
    2025-01-01 a tax exemption whose invoice must say so, §34a Satz 1 Nr. 5 UStDV; before, "no tax
    charged" under the old §19(1)). The table is dated so that the switch is one entry.
  - Nr. 9: for a taxable work or service connected with land supplied to a private person, the note
    that the recipient must keep the invoice for two years (§14b(1) Satz 5). Wording recommended,
    not prescribed (UNSURE DE-4).
  - §14a(5): "Steuerschuldnerschaft des Leistungsempfängers" when the recipient owes the tax
    (§13b(2) Nr. 4 construction services to a Bauleister, §13b(5) Satz 2).
* Cross-border (Directive 2006/112/EC art. 226(3), (4), (11), (11a)):
  - intra-EU supply of goods: tax-free under § 4 Nr. 1 Buchst. b i. V. m. § 6a UStG (art. 138, EN 16931
    category K); the invoice carries both USt-IdNr (§ 14a Abs. 3 UStG) and the exemption note
    (§ 14 Abs. 4 Satz 1 Nr. 8);
  - export: tax-free under § 4 Nr. 1 Buchst. a i. V. m. § 6 UStG (art. 146, category G);
  - a service to a business in another member state is supplied where the recipient is (§ 3a
    Abs. 2 UStG, art. 44), the recipient owes the tax there (art. 196): the invoice says
    "Steuerschuldnerschaft des Leistungsempfängers" and carries both USt-IdNr (§ 14a Abs. 1 and 5).
  The wordings are the statute's terms; the exact phrases are recommended, not prescribed.
* Billing mandate: §14(2) UStG lets a third party issue the invoice "im Namen und für Rechnung" of
  the supplier, acting openly in its name; no wording is prescribed, this one is recommended
  (docs/countries.md §1.2, §6.3). "Gutschrift" is never said: it means an invoice issued by the
  recipient (§14(2) Satz 2, §14(4) Nr. 10), which these documents are not; a credit note is a
  "Rechnungskorrektur" (UNSURE DE-3).
* 0 % photovoltaic rate: no mention prescribed (§12(3) UStG); the recommended statement names the
  article and the buyer's declaration (UNSURE DE-1).

>>> MENTIONS["de"][-1].value["reverse_charge_construction"].text[:45]
'Steuerschuldnerschaft des Leistungsempfängers'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from mandat.countries.base import Dated, Mention
from mandat.countries.jurisdiction import MentionTable

_THIRD_PARTY = "(Rechnungsausstellung durch einen Dritten, § 14 Abs. 2 UStG)"

_COMMON = (
    Mention("mandate", f"Rechnung ausgestellt von {{issuer}} im Namen und für Rechnung von {{seller}} {_THIRD_PARTY}."),
    Mention(
        "mandate_credit",
        f"Rechnungskorrektur ausgestellt von {{issuer}} im Namen und für Rechnung von {{seller}} {_THIRD_PARTY}.",
    ),
    Mention("paid", "Rechnung bezahlt am {date}, Zahlungsart: {method}, Transaktion {transaction}."),
    Mention("refunded", "Betrag erstattet am {date}, Zahlungsart: {method}, Transaktion {transaction}."),
    Mention("corrects", "Rechnungskorrektur zur Rechnung Nr. {number} vom {date}."),
    Mention(
        "reverse_charge_construction",
        "Steuerschuldnerschaft des Leistungsempfängers (§ 13b Abs. 2 Nr. 4, Abs. 5 UStG)",
    ),
    Mention(
        "retention_2y",
        "Sie sind gesetzlich verpflichtet, diese Rechnung zwei Jahre lang aufzubewahren "
        "(§ 14 Abs. 4 Satz 1 Nr. 9, § 14b Abs. 1 Satz 5 UStG).",
    ),
    Mention(
        "pv_zero_rate",
        "Steuersatz 0 % gemäß § 12 Abs. 3 UStG: Photovoltaikanlage {site}; der Leistungsempfänger hat am "
        "{date} erklärt, Betreiber der Anlage zu sein.",
    ),
    # Fragments of pv_zero_rate's {site}: which condition of §12(3) Nr. 1 the facts meet.
    Mention("pv_site_kwp", "mit einer installierten Bruttoleistung von {kwp} kW (peak), höchstens 30 kW (peak)"),
    Mention("pv_site_dwelling", "auf oder in der Nähe eines Wohngebäudes"),
    Mention(
        "intra_eu_goods",
        "Steuerfreie innergemeinschaftliche Lieferung (§ 4 Nr. 1 Buchst. b i. V. m. § 6a UStG; "
        "Art. 138 Richtlinie 2006/112/EG)",
    ),
    Mention(
        "export",
        "Steuerfreie Ausfuhrlieferung (§ 4 Nr. 1 Buchst. a i. V. m. § 6 UStG; Art. 146 Richtlinie 2006/112/EG)",
    ),
    Mention(
        "reverse_charge_services",
        "Steuerschuldnerschaft des Leistungsempfängers (§ 3a Abs. 2, § 14a Abs. 1 und 5 UStG; "
        "Art. 44 und 196 Richtlinie 2006/112/EG)",
    ),
    Mention(
        "reverse_charge_works_abroad",
        "Steuerschuldnerschaft des Leistungsempfängers ({basis}; Art. 36, 47 und 194 Richtlinie 2006/112/EG); "
        "Ort der Arbeiten: {country}",
    ),
    Mention("seller_vat", "USt-IdNr. des leistenden Unternehmers: {vat}"),
    Mention("buyer_vat", "USt-IdNr. des Leistungsempfängers: {vat}"),
)


def _table(*mentions: Mention) -> MentionTable:
    return {m.code: m for m in (*_COMMON, *mentions)}


_FRANCHISE_UNTIL_2024 = Mention(
    "franchise", "Gemäß § 19 Abs. 1 UStG wird keine Umsatzsteuer berechnet (Kleinunternehmerregelung)."
)
_FRANCHISE_2025 = Mention(
    "franchise",
    "Steuerbefreiung für Kleinunternehmer gemäß § 19 Abs. 1 UStG: es wird keine Umsatzsteuer berechnet.",
)

MENTIONS: Mapping[str, Sequence[Dated[MentionTable]]] = {
    "de": (
        Dated(date(2020, 1, 1), _table(_FRANCHISE_UNTIL_2024), date(2025, 1, 1), source="UStG §14(4), §14a, §19"),
        Dated(
            date(2025, 1, 1),
            _table(_FRANCHISE_2025),
            source="UStG §14(4), §14a, §19 (Jahressteuergesetz 2024), UStDV §34a",
        ),
    ),
}
