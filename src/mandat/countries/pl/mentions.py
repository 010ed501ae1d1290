"""Poland: the invoice mentions, in Polish (the Polish-language act of 7 October 1999, art. 7:
Polish in consumer transactions; the VAT act prescribes no language, so Polish is the conservative
choice for every mention; labels follow the buyer's language).

Legal basis (ustawa o VAT, status 2026-12-03; docs/countries.md §8.3-8.4):

* Third-party issuance: art. 106d ust. 2 (the taxpayer may authorise a third party to issue its
  invoices). No wording is prescribed: "Faktura wystawiona przez … w imieniu i na rzecz …" is our
  recommended text (UNSURE PL-6). It is NOT "samofakturowanie" (art. 106d ust. 1, buyer-issued).
* Corrections: art. 106j ust. 2 (the words "FAKTURA KORYGUJĄCA" or "KOREKTA", number and date of
  the corrected invoice): printed in Polish whatever the page's language.
* Small-enterprise exemption: art. 113 ust. 1 ("zwolnienie podmiotowe"); the legal basis of an
  exemption is printed (art. 106e ust. 1 pkt 19, applied by analogy: UNSURE wording).
* Split payment: art. 106e ust. 1 pkt 18a, "mechanizm podzielonej płatności" (the pack refuses
  instead while the event has no annex-15 flag, see ``treatment``).
* Cross-border (Directive 2006/112/EC art. 226(3), (4), (11), (11a); ustawa art. 106e ust. 1 pkt 5
  and 18): an intra-EU supply of goods (WDT) is taxed at 0 % (art. 42 ust. 1; still EN 16931
  category K, art. 138); export of goods at 0 % (art. 41 ust. 4, art. 146, category G); a service
  to a business established in another member state is supplied there (art. 28b, art. 44), the
  customer owes the tax (art. 196): the words "odwrotne obciążenie" (art. 106e ust. 1 pkt 18).
* 8 % housing works: art. 41 ust. 12-12c; no statement is prescribed, the basis and the area the
  rate rests on are printed so the buyer can check them (our text).

>>> MENTIONS["pl"][0].value["split_payment"].text
'mechanizm podzielonej płatności'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from mandat.countries.base import Dated, Mention
from mandat.countries.jurisdiction import MentionTable

_MENTIONS_2019: MentionTable = {
    m.code: m
    for m in (
        Mention(
            "mandate",
            "Faktura wystawiona przez {issuer} w imieniu i na rzecz {seller} "
            "(upoważnienie do wystawiania faktur, art. 106d ust. 2 ustawy o VAT).",
        ),
        Mention(
            "mandate_credit",
            "Faktura korygująca wystawiona przez {issuer} w imieniu i na rzecz {seller} "
            "(upoważnienie do wystawiania faktur, art. 106d ust. 2 ustawy o VAT).",
        ),
        Mention("paid", "Zapłacono dnia {date}: {method} (transakcja {transaction})."),
        Mention("refunded", "Zwrócono dnia {date}: {method} (transakcja {transaction})."),
        Mention("corrects", "FAKTURA KORYGUJĄCA do faktury nr {number} z dnia {date} (art. 106j ustawy o VAT)."),
        Mention("franchise", "Zwolnienie podmiotowe z VAT na podstawie art. 113 ust. 1 ustawy o VAT"),
        Mention("split_payment", "mechanizm podzielonej płatności"),
        Mention(
            "housing_works",
            "Stawka 8 % (art. 41 ust. 12 w związku z ust. 12a-12c ustawy o VAT): roboty w obiekcie budownictwa "
            "objętego społecznym programem mieszkaniowym ({building}, powierzchnia użytkowa {area} m²).",
        ),
        Mention(
            "housing_works_split",
            "Powierzchnia użytkowa {area} m² przekracza {limit} m² (art. 41 ust. 12b ustawy o VAT): stawka 8 % "
            "dotyczy części podstawy opodatkowania odpowiadającej {limit} m² z {area} m², pozostała część "
            "podlega stawce {standard} % (art. 41 ust. 12c).",
        ),
        Mention(
            "intra_eu_goods",
            "WDT – wewnątrzwspólnotowa dostawa towarów, stawka 0 % (art. 42 ust. 1 ustawy o VAT; "
            "art. 138 dyrektywy 2006/112/WE)",
        ),
        Mention(
            "export",
            "Eksport towarów – stawka 0 % (art. 41 ust. 4 ustawy o VAT; art. 146 dyrektywy 2006/112/WE)",
        ),
        Mention(
            "reverse_charge_services",
            "odwrotne obciążenie (art. 28b ustawy o VAT; art. 44 i 196 dyrektywy 2006/112/WE)",
        ),
        Mention(
            "reverse_charge_works_abroad",
            "odwrotne obciążenie ({basis}; art. 36, 47 i 194 dyrektywy 2006/112/WE); miejsce wykonania prac: {country}",
        ),
        Mention("seller_vat", "Numer identyfikacyjny VAT sprzedawcy: {vat}"),
        Mention("buyer_vat", "Numer identyfikacyjny VAT nabywcy: {vat}"),
    )
}

MENTIONS: Mapping[str, Sequence[Dated[MentionTable]]] = {
    # From 2019-11-01, when split payment became mandatory for annex-15 goods (art. 108a ust. 1a).
    "pl": (Dated(date(2019, 11, 1), _MENTIONS_2019, source="ustawa o VAT art. 106d, 106e, 106j, 108a, 113"),),
}

# How the building of housing works is named inside the mention.
BUILDINGS = {"house": "budynek mieszkalny jednorodzinny", "flat": "lokal mieszkalny"}
