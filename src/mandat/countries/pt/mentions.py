"""Portugal: the invoice mentions, in Portuguese (the language the AT expects; docs/countries.md §7.3).

Legal basis (read 2026-12-03, secondary sources named in docs/countries.md §7):

* Contents of an invoice: CIVA art. 36 n.º 5 — names, seat and NIF of supplier and acquirer, goods
  and services with the elements that determine the rate, net price, rates and tax, the reason why
  tax is not charged, date of supply.
* Reverse charge: CIVA art. 36 n.º 13, the invoice carries the words "IVA - autoliquidação"
  (construction services, art. 2 n.º 1 j)).
* Franchise: CIVA art. 53 (regime especial de isenção); the wording states the regime and its
  article (no statutory text found: UNSURE, conservative).
* Billing mandate: issuance by a third party in the supplier's name and on its behalf is allowed
  since DL 256/2003 (CIVA art. 36; the number of the paragraph is UNSURE); no statutory wording
  (PT-4, UNSURE). "Autofaturação" is for invoices issued by the acquirer and is never printed.
* Cross-border (Directive 2006/112/EC art. 226(3), (4), (11), (11a); CIVA art. 36 n.º 5 e) and
  n.º 13): intra-EU supply of goods exempt under RITI art. 14.º n.º 1 a) (art. 138, EN 16931
  category K; AT exemption reason M16 "Isento artigo 14.º do RITI"); export exempt under CIVA
  art. 14.º n.º 1 a) (art. 146, category G; M05 "Isento artigo 14.º do CIVA"); a service to a
  business established in another member state is supplied there (CIVA art. 6.º n.º 6 a), art. 44),
  the customer owes the tax (art. 196): "IVA - autoliquidação" (M40 "Artigo 6.º n.º 6 alínea a) do
  CIVA, a contrário"). AT codes and texts as listed by a public SAF-T (PT) enumeration
  (joaomfrebelo/ts-saft-pt-enumerations), not read in the Portaria itself (UNSURE PT-7: table version).
* Reduced rate: List I items 2.27 and 2.37 named on the invoice (art. 36 n.º 5 b): the elements
  that determine the rate); our wording.

>>> MENTIONS["pt"][0].value["reverse_charge"].text
'IVA - autoliquidação'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from mandat.countries.base import Dated, Mention
from mandat.countries.jurisdiction import MentionTable

_WORKS = (
    "Taxa reduzida de 6 % (verba 2.27 da Lista I anexa ao CIVA): empreitada de beneficiação, remodelação, "
    "renovação, restauro, reparação ou conservação de imóvel afeto à habitação"
)

_MENTIONS_2013: MentionTable = {
    m.code: m
    for m in (
        Mention(
            "mandate",
            "Fatura emitida por {issuer} em nome e por conta de {seller} (mandato de faturação).",
        ),
        Mention(
            "mandate_credit",
            "Nota de crédito emitida por {issuer} em nome e por conta de {seller} (mandato de faturação).",
        ),
        Mention("paid", "Fatura paga em {date} por {method} (transação {transaction})."),
        Mention("refunded", "Nota de crédito reembolsada em {date} por {method} (transação {transaction})."),
        Mention("corrects", "Nota de crédito referente à fatura n.º {number} de {date}."),
        Mention("franchise", "IVA - regime de isenção (artigo 53.º do CIVA)"),
        Mention("reverse_charge", "IVA - autoliquidação"),
        Mention("works_all", _WORKS + "; materiais incorporados até 20 % do valor global da prestação."),
        Mention(
            "works_labour",
            _WORKS + "; os materiais incorporados, acima de 20 % do valor global da prestação, "
            "ficam sujeitos à taxa normal.",
        ),
        Mention(
            "energy_equipment",
            "Taxa reduzida de 6 % (verba 2.37 da Lista I anexa ao CIVA): aparelhos, máquinas e outros equipamentos "
            "destinados à captação e aproveitamento de energia solar, eólica, geotérmica e outras formas "
            "alternativas de energia.",
        ),
        Mention("intra_eu_goods", "Isento artigo 14.º do RITI (artigo 138.º da Diretiva 2006/112/CE)"),
        Mention("export", "Isento artigo 14.º do CIVA (artigo 146.º da Diretiva 2006/112/CE)"),
        Mention(
            "reverse_charge_services",
            "IVA - autoliquidação (artigo 6.º, n.º 6, alínea a) do CIVA, a contrário; artigos 44.º e 196.º "
            "da Diretiva 2006/112/CE)",
        ),
        Mention(
            "reverse_charge_works_abroad",
            "IVA - autoliquidação ({basis}; artigos 36.º, 47.º e 194.º da Diretiva 2006/112/CE); "
            "local dos trabalhos: {country}",
        ),
        Mention("seller_vat", "N.º de identificação IVA do fornecedor: {vat}"),
        Mention("buyer_vat", "N.º de identificação IVA do adquirente: {vat}"),
    )
}

MENTIONS: Mapping[str, Sequence[Dated[MentionTable]]] = {
    # From 2013-01-01 (DL 197/2012: the invoice contents of art. 36 n.º 5 as they stand).
    "pt": (Dated(date(2013, 1, 1), _MENTIONS_2013, source="CIVA art. 36 (DL 197/2012), art. 53"),),
}
