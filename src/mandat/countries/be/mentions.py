"""Belgium: the invoice mentions, in French, Dutch and German (the three legal languages).

Legal basis (docs/countries.md §3.3, status 2026-12-03):

* Mentions of an invoice: Code TVA art. 53 § 2; AR n° 1 art. 5 § 1 (the document carries the
  numbers, dates, parties and amounts; this table holds the texts).
* Billing mandate: Code TVA art. 53 § 2 allows an invoice issued by a third party in the supplier's
  name (UNSURE article, docs/countries.md §3.3); no statute words the statement: the texts below
  are recommended ones, never a self-billing wording ("autofacturation").
* 6 % renovation of dwellings (``renovation_6``): the standard statement that replaces the client's
  certificate since 2022-01-01 (law of 27 December 2021, AR n° 20 as amended). French and Dutch
  texts as reported identically by several secondary sources (docs/countries.md §3.2); the German
  text was not found (UNSURE BE-1): there is no ``de`` entry, so a German-language document is
  refused ``mention_text_missing`` rather than printed with a home-made translation.
* Cocontractant reverse charge for immovable works (``reverse_charge_works``): AR n° 1 art. 20 § 3
  al. 1 as amended by the AR of 26 October 2022 (from 2023-01-01): "Autoliquidation" /
  "Verlegging van heffing" and the statement on the customer's periodic returns. fr and nl from
  consistent secondary sources; no German text (UNSURE BE-3, refused like BE-1).
* Franchise (``franchise``): "Régime particulier de franchise des petites entreprises" (AR n° 19;
  Code TVA art. 56bis); the Dutch wording is UNSURE (BE-6); no German text.
* Credit notes (``corrects``): a corrective document names the invoice it corrects (Code TVA art. 53
  § 2 al. 3; AR n° 1 art. 12) and carries "TVA à reverser à l'État dans la mesure où elle a été
  initialement déduite" (AR n° 4 art. 4, § 1: paragraph UNSURE); the German rendering of that
  sentence is ours (UNSURE).

* Cross-border (Directive 2006/112/EC art. 226(3), (4), (11), (11a)): intra-EU supply of goods
  exempt under Code TVA art. 39bis, al. 1er, 1° (art. 138, EN 16931 category K); export exempt
  under art. 39, § 1er, 1° (art. 146, category G); B2B services to a business established in
  another member state are supplied there (Code TVA art. 21, § 2; art. 44) and the customer owes
  the tax (art. 196): "Autoliquidation" / "Btw verlegd" (the administration's list of invoice
  particulars, circulaire AFZ 02/2013, names "Btw verlegd" for intra-EU services; the Dutch text
  adds "verlegging van heffing", the words of the pack's domestic reverse charge).
  The paragraph numbers inside 39, 39bis and 21 are UNSURE; each text also cites the Directive
  article, which alone meets art. 226(11). German: the Directive's German words
  ("Steuerschuldnerschaft des Leistungsempfängers", "steuerfreie innergemeinschaftliche
  Lieferung") with the Directive article, and the Code by the name its German translation by the
  Service central de traduction allemande (Malmedy) gives it, "Mehrwertsteuergesetzbuch"; the
  German numbering of the paragraphs is ours (UNSURE BE-12). Unlike BE-1/3/6 no Belgian statute
  prescribes these words, so there is no prescribed German text to miss.

The table starts on 2023-01-01, the date of the current cocontractant statement: an issue day before
it has no table (``date_unsupported``) instead of the superseded wording.

>>> MENTIONS["nl"][0].value["reverse_charge_works"].text.startswith("Verlegging van heffing.")
True
>>> "renovation_6" in MENTIONS["de"][0].value
False
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from mandat.countries.base import Dated, Mention
from mandat.countries.jurisdiction import MentionTable

RENOVATION_FR = (
    "Taux de TVA : En l'absence de contestation par écrit, dans un délai d'un mois à compter de la réception "
    "de la facture, le client est présumé reconnaître que (1) les travaux sont effectués à un bâtiment "
    "d'habitation dont la première occupation a eu lieu au cours d'une année civile qui précède d'au moins "
    "dix ans la date de la première facture relative à ces travaux, (2) qu'après l'exécution de ces travaux, "
    "l'habitation est utilisée, soit exclusivement soit à titre principal comme logement privé et (3) que ces "
    "travaux sont fournis et facturés à un consommateur final. Si au moins une de ces conditions n'est pas "
    "remplie, le taux normal de TVA de 21 p.c. sera applicable et le client endossera, par rapport à ces "
    "conditions, la responsabilité quant au paiement de la taxe, des intérêts et des amendes dus."
)
RENOVATION_NL = (
    "Btw-tarief: Bij gebrek aan schriftelijke betwisting binnen een termijn van één maand vanaf de ontvangst "
    "van de factuur, wordt de klant geacht te erkennen dat (1) de werken worden verricht aan een woning "
    "waarvan de eerste ingebruikneming heeft plaatsgevonden in een kalenderjaar dat ten minste tien jaar "
    "voorafgaat aan de datum van de eerste factuur met betrekking tot die werken, (2) de woning, na "
    "uitvoering van die werken, uitsluitend of hoofdzakelijk als privéwoning wordt gebruikt en (3) de werken "
    "worden verstrekt en gefactureerd aan een eindverbruiker. Wanneer minstens één van die voorwaarden niet "
    "is voldaan, zal het normale btw-tarief van 21 pct. van toepassing zijn en is de afnemer ten aanzien van "
    "die voorwaarden aansprakelijk voor de betaling van de verschuldigde belasting, interesten en geldboeten."
)
REVERSE_CHARGE_FR = (
    "Autoliquidation : En l'absence de contestation par écrit, dans un délai d'un mois à compter de la "
    "réception de la facture, le client est présumé reconnaître qu'il est un assujetti tenu au dépôt de "
    "déclarations périodiques. Si cette condition n'est pas remplie, le client endossera, par rapport à cette "
    "condition, la responsabilité quant au paiement de la taxe, des intérêts et des amendes dus. "
    "(Art. 20 de l'arrêté royal n° 1 TVA)"
)
REVERSE_CHARGE_NL = (
    "Verlegging van heffing. Bij gebrek aan schriftelijke betwisting binnen een termijn van één maand na de "
    "ontvangst van de factuur, wordt de afnemer geacht te erkennen dat hij een belastingplichtige is gehouden "
    "tot de indiening van periodieke aangiften. Als die voorwaarde niet vervuld is, is de afnemer ten aanzien "
    "van die voorwaarde aansprakelijk voor de betaling van de verschuldigde belasting, interesten en "
    "geldboeten. (Art. 20 van het koninklijk besluit nr. 1 btw)"
)

_FR: MentionTable = {
    m.code: m
    for m in (
        Mention("mandate", "Facture émise par {issuer} au nom et pour le compte de {seller} (mandat de facturation)."),
        Mention(
            "mandate_credit",
            "Note de crédit émise par {issuer} au nom et pour le compte de {seller} (mandat de facturation).",
        ),
        Mention("paid", "Facture acquittée le {date} par {method} (transaction {transaction})."),
        Mention("refunded", "Note de crédit remboursée le {date} par {method} (transaction {transaction})."),
        Mention(
            "corrects",
            "Note de crédit se rapportant à la facture n° {number} du {date}. "
            "TVA à reverser à l'État dans la mesure où elle a été initialement déduite.",
        ),
        Mention("franchise", "Régime particulier de franchise des petites entreprises"),
        Mention("renovation_6", RENOVATION_FR),
        Mention("reverse_charge_works", REVERSE_CHARGE_FR),
        Mention(
            "intra_eu_goods", "Exemption TVA, art. 39bis, al. 1er, 1° du Code TVA (art. 138 directive 2006/112/CE)"
        ),
        Mention(
            "export", "Exemption TVA, exportation, art. 39, § 1er, 1° du Code TVA (art. 146 directive 2006/112/CE)"
        ),
        Mention(
            "reverse_charge_services",
            "Autoliquidation : TVA due par le preneur (art. 21, § 2 du Code TVA ; art. 44 et 196 directive "
            "2006/112/CE)",
        ),
        Mention(
            "reverse_charge_works_abroad",
            "Autoliquidation : TVA due par le preneur ({basis} ; art. 36, 47 et 194 directive 2006/112/CE) "
            "; lieu des travaux : {country}",
        ),
        Mention("seller_vat", "N° TVA du fournisseur : {vat}"),
        Mention("buyer_vat", "N° TVA du client : {vat}"),
    )
}

_NL: MentionTable = {
    m.code: m
    for m in (
        Mention(
            "mandate", "Factuur uitgereikt door {issuer} in naam en voor rekening van {seller} (facturatiemandaat)."
        ),
        Mention(
            "mandate_credit",
            "Creditnota uitgereikt door {issuer} in naam en voor rekening van {seller} (facturatiemandaat).",
        ),
        Mention("paid", "Factuur betaald op {date} met {method} (transactie {transaction})."),
        Mention("refunded", "Creditnota terugbetaald op {date} met {method} (transactie {transaction})."),
        Mention(
            "corrects",
            "Creditnota met betrekking tot factuur nr. {number} van {date}. "
            "Btw terug te storten aan de Staat in de mate waarin ze oorspronkelijk in aftrek werd gebracht.",
        ),
        Mention("franchise", "Bijzondere vrijstellingsregeling kleine ondernemingen"),
        Mention("renovation_6", RENOVATION_NL),
        Mention("reverse_charge_works", REVERSE_CHARGE_NL),
        Mention(
            "intra_eu_goods", "Vrijstelling van btw, art. 39bis, eerste lid, 1° W.btw (art. 138 richtlijn 2006/112/EG)"
        ),
        Mention("export", "Vrijstelling van btw, uitvoer, art. 39, § 1, 1° W.btw (art. 146 richtlijn 2006/112/EG)"),
        Mention(
            "reverse_charge_services",
            "Btw verlegd – verlegging van heffing naar de afnemer (art. 21, § 2 W.btw; art. 44 en 196 "
            "richtlijn 2006/112/EG)",
        ),
        Mention(
            "reverse_charge_works_abroad",
            "Btw verlegd – verlegging van heffing naar de afnemer ({basis}; art. 36, 47 en 194 richtlijn 2006/112/EG); "
            "plaats van de werken: {country}",
        ),
        Mention("seller_vat", "Btw-nummer van de leverancier: {vat}"),
        Mention("buyer_vat", "Btw-nummer van de afnemer: {vat}"),
    )
}

# German: only the texts no Belgian statute words (UNSURE BE-1, BE-3, BE-6: the statutory ones are missing);
# the cross-border ones rest on the Directive's German version (UNSURE BE-12).
_DE: MentionTable = {
    m.code: m
    for m in (
        Mention(
            "mandate",
            "Rechnung ausgestellt von {issuer} im Namen und für Rechnung von {seller} (Fakturierungsauftrag).",
        ),
        Mention(
            "mandate_credit",
            "Rechnungskorrektur ausgestellt von {issuer} im Namen und für Rechnung von {seller} "
            "(Fakturierungsauftrag).",
        ),
        Mention("paid", "Rechnung bezahlt am {date} per {method} (Transaktion {transaction})."),
        Mention("refunded", "Betrag erstattet am {date} per {method} (Transaktion {transaction})."),
        Mention(
            "corrects",
            "Rechnungskorrektur zur Rechnung Nr. {number} vom {date}. "
            "An den Staat zurückzuzahlende MwSt., soweit sie ursprünglich abgezogen wurde.",
        ),
        # Cross-border: the Directive's German words and article (UNSURE BE-12, see the docstring).
        Mention(
            "intra_eu_goods",
            "Steuerfreie innergemeinschaftliche Lieferung, Art. 39bis Abs. 1 Nr. 1 des "
            "Mehrwertsteuergesetzbuches (Art. 138 Richtlinie 2006/112/EG)",
        ),
        Mention(
            "export",
            "Steuerfreie Ausfuhr, Art. 39 § 1 Nr. 1 des Mehrwertsteuergesetzbuches (Art. 146 Richtlinie 2006/112/EG)",
        ),
        Mention(
            "reverse_charge_services",
            "Steuerschuldnerschaft des Leistungsempfängers (Art. 21 § 2 des Mehrwertsteuergesetzbuches; "
            "Art. 44 und 196 Richtlinie 2006/112/EG)",
        ),
        Mention(
            "reverse_charge_works_abroad",
            "Steuerschuldnerschaft des Leistungsempfängers ({basis}; Art. 36, 47 und 194 Richtlinie 2006/112/EG); "
            "Ort der Arbeiten: {country}",
        ),
        Mention("seller_vat", "MwSt.-Nummer des Lieferanten: {vat}"),
        Mention("buyer_vat", "MwSt.-Nummer des Kunden: {vat}"),
    )
}

_SOURCE = "Code TVA art. 53 § 2; AR n° 1 art. 5 and 20 § 3 (from 2023-01-01); AR n° 20 (statement since 2022)"
MENTIONS: Mapping[str, Sequence[Dated[MentionTable]]] = {
    "fr": (Dated(date(2023, 1, 1), _FR, source=_SOURCE),),
    "nl": (Dated(date(2023, 1, 1), _NL, source=_SOURCE),),
    "de": (Dated(date(2023, 1, 1), _DE, source=_SOURCE),),
}
