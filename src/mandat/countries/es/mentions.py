"""Spain: the invoice mentions, in Spanish.

Legal basis (docs/countries.md §4.3, status 2026-12-03):

* Content of an invoice: Reglamento de facturación (RD 1619/2012) art. 6 (full invoice), art. 7
  (simplified); corrective invoices (*facturas rectificativas*) art. 15: their own series, naming the
  invoice they correct.
* Issuance by a third party in the seller's name: RD 1619/2012 art. 5.1 (as amended by RD 596/2016); the
  law prescribes no wording (UNSURE ES-5), so the text below is a recommendation. "Facturación por el
  destinatario" is the wording of invoices issued by the *buyer* and is never printed here.
* Construction reverse charge: LIVA art. 84.Uno.2º.f; the invoice says "inversión del sujeto pasivo"
  (RD 1619/2012 art. 6.1.m).
* 10 % renovation and repair of dwellings: LIVA art. 91.Uno.2.10º. No statement is prescribed (UNSURE
  ES-1); the facts the rate rests on are printed so the buyer can object to them.
* Cross-border (Directive 2006/112/EC art. 226(3), (4), (11), (11a); RD 1619/2012 art. 6.1 d), j)
  and m)): intra-EU supply of goods exempt under LIVA art. 25 (art. 138, EN 16931 category K); export
  exempt under LIVA art. 21 (art. 146, category G); a service to a business established in another
  member state is supplied there (LIVA art. 69.Uno.1º, art. 44) and not subject to Spanish VAT, the
  customer owes the tax (art. 196): "Inversión del sujeto pasivo". The exemption texts cite the Ley and
  the Directive (art. 6.1 j) allows either); the letters inside art. 6.1 are UNSURE (ES-12).
* Language: Spanish; the law does not require it for the buyer (UNSURE), the pack's mentions are Spanish.

>>> MENTIONS["es"][0].value["reverse_charge_construction"].text.startswith("Inversión del sujeto pasivo")
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from mandat.countries.base import Dated, Mention
from mandat.countries.jurisdiction import MentionTable

_MENTIONS_2013: MentionTable = {
    m.code: m
    for m in (
        Mention(
            "mandate",
            "Factura expedida por {issuer} en nombre y por cuenta de {seller} "
            "(art. 5.1 del Reglamento de facturación, RD 1619/2012).",
        ),
        Mention(
            "mandate_credit",
            "Factura rectificativa expedida por {issuer} en nombre y por cuenta de {seller} "
            "(art. 5.1 del Reglamento de facturación, RD 1619/2012).",
        ),
        Mention("paid", "Factura pagada el {date} mediante {method} (transacción {transaction})."),
        Mention("refunded", "Importe reembolsado el {date} mediante {method} (transacción {transaction})."),
        Mention(
            "corrects",
            "Factura rectificativa de la factura n.º {number} de fecha {date} (art. 15 del RD 1619/2012).",
        ),
        Mention(
            "reverse_charge_construction",
            "Inversión del sujeto pasivo (art. 84.Uno.2º.f de la Ley 37/1992 del IVA): el destinatario, "
            "promotor o contratista de una obra de construcción o rehabilitación, es el sujeto pasivo del IVA.",
        ),
        Mention(
            "home_renovation",
            "IVA al 10 % (art. 91.Uno.2.10º de la Ley 37/1992): obras de renovación o reparación de una vivienda "
            "de uso particular del destinatario, terminada el {completed}, dos años o más antes del inicio de "
            "las obras ({started}); materiales aportados: {share} % de la base imponible (máximo 40 %).",
        ),
        Mention(
            "intra_eu_goods",
            "Entrega intracomunitaria exenta (art. 25 de la Ley 37/1992 del IVA; art. 138 de la Directiva 2006/112/CE)",
        ),
        Mention(
            "export",
            "Exportación exenta (art. 21 de la Ley 37/1992 del IVA; art. 146 de la Directiva 2006/112/CE)",
        ),
        Mention(
            "reverse_charge_services",
            "Inversión del sujeto pasivo: operación no sujeta al IVA español (art. 69.Uno.1º de la Ley 37/1992; "
            "art. 44 y 196 de la Directiva 2006/112/CE)",
        ),
        Mention(
            "reverse_charge_works_abroad",
            "Inversión del sujeto pasivo ({basis}; art. 36, 47 y 194 de la Directiva 2006/112/CE); "
            "lugar de las obras: {country}",
        ),
        Mention("seller_vat", "NIF-IVA del proveedor: {vat}"),
        Mention("buyer_vat", "NIF-IVA del destinatario: {vat}"),
    )
}

MENTIONS: Mapping[str, Sequence[Dated[MentionTable]]] = {
    "es": (Dated(date(2013, 1, 1), _MENTIONS_2013, source="RD 1619/2012 (in force 2013-01-01)"),),
}
