"""France: the invoice mentions, in French (loi 94-665: French is the language of invoices).

Legal basis (status 2026-11-21, see shared/domain/invoicing-rules.md §1):

* Mentions: CGI annexe II art. 242 nonies A; commercial mentions: Code de commerce
  L441-9; from 2026-09-01 VAT law lives in book II of the CIBS ("constant law"),
  and mentions citing CGI articles are tolerated until 2027-12-31. The CIBS
  wording is UNSURE, so the conservative reading keeps the CGI references that
  are explicitly tolerated, and the table is dated so the switch is one entry.
* Billing mandate: CGI 289 I-2; the statement "Facture émise par … au nom et pour
  le compte de …" is the recommended wording (no statutory text found: UNSURE).
* Late payment: L441-10 (ECB rate + 10 points by default), D441-5 (40 € indemnity).
* Franchise en base: CGI 293 B ("TVA non applicable, art. 293 B du CGI").
* Cross-border (Directive 2006/112/EC art. 226(4), (11), (11a)): intra-EU supply of goods exempt
  under CGI 262 ter I (art. 138, EN 16931 category K); export exempt under CGI 262 I (art. 146,
  category G); B2B services to a business established in another member state are supplied where
  the customer is established (CGI 259-1°, art. 44) and the customer owes the tax (art. 196):
  "Autoliquidation" (CGI ann. II 242 nonies A I 13°, as amended by the decree of 24 April 2013;
  art. 226(11a)).
  Not CGI 283-2, which makes a French customer liable for services bought from a supplier not
  established in France, not the French seller's case: the text cites 259-1° and the Directive
  (UNSURE FR-6: which French article the administration expects; the Directive reference alone
  meets art. 226).
  Both VAT numbers are printed (``seller_vat``, ``buyer_vat``; art. 226(3), (4)).
* Reduced rates for home works: since 2025-02-16 the quote or invoice carries the
  client's certification that the conditions are met (LF 2025; wording
  BOI-LETTRE-000280). The exact wording below is our conservative paraphrase: UNSURE.

>>> MENTIONS["fr"][0].value["franchise"].text
'TVA non applicable, art. 293 B du CGI'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from mandat.countries.base import Dated, Mention
from mandat.countries.jurisdiction import MentionTable

_CERTIFICATION = (
    "Le client certifie que les travaux portent sur des locaux à usage d'habitation achevés depuis plus "
    "de deux ans et remplissent les conditions d'application du taux réduit de TVA ({article}). "
    "Le client est solidairement tenu au paiement du complément de TVA si ces conditions ne sont pas remplies."
)

_MENTIONS_2025: MentionTable = {
    m.code: m
    for m in (
        Mention(
            "mandate",
            "Facture émise par {issuer} au nom et pour le compte de {seller} (mandat de facturation).",
        ),
        Mention(
            "mandate_credit",
            "Avoir émis par {issuer} au nom et pour le compte de {seller} (mandat de facturation).",
        ),
        Mention("franchise", "TVA non applicable, art. 293 B du CGI"),
        Mention(
            "deemed_supplier",
            "{issuer} est réputé avoir acquis et livré lui-même ces biens, vendus par {seller} ({country}) "
            "via son interface électronique ({basis}).",
        ),
        Mention("intra_eu_goods", "Exonération de TVA, art. 262 ter I du CGI"),
        Mention("export", "Exonération de TVA, art. 262 I du CGI"),
        Mention(
            "reverse_charge_services",
            "Autoliquidation : TVA due par le preneur (art. 259-1° du CGI ; art. 44 et 196 de la directive "
            "2006/112/CE)",
        ),
        Mention(
            "reverse_charge_works_abroad",
            "Autoliquidation : TVA due par le preneur ({basis} ; art. 36, 47 et 194 de la directive 2006/112/CE) "
            "; lieu des travaux : {country}",
        ),
        Mention(
            "late_penalty",
            "Pénalités de retard : taux d'intérêt appliqué par la BCE à son opération de refinancement "
            "la plus récente majoré de 10 points (art. L441-10 du Code de commerce).",
            "PMD",
        ),
        Mention(
            "recovery_indemnity",
            "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € "
            "(art. D441-5 du Code de commerce).",
            "PMT",
        ),
        Mention("no_discount", "Escompte pour paiement anticipé : néant.", "AAB"),
        Mention("paid", "Facture acquittée le {date} par {method} (transaction {transaction})."),
        Mention("refunded", "Avoir remboursé le {date} par {method} (transaction {transaction})."),
        Mention("corrects", "Avoir se rapportant à la facture n° {number} du {date}."),
        Mention("category_goods", "Catégorie de l'opération : livraison de biens"),
        Mention("category_services", "Catégorie de l'opération : prestation de services"),
        Mention("category_mixed", "Catégorie de l'opération : livraison de biens et prestation de services"),
        Mention("vat_on_debits", "Option pour le paiement de la taxe d'après les débits"),
        Mention("certification_10", _CERTIFICATION.replace("{article}", "art. 279-0 bis du CGI")),
        Mention("certification_5_5", _CERTIFICATION.replace("{article}", "art. 278-0 bis A du CGI")),
        Mention(
            "insurance",
            "Assurance professionnelle obligatoire : {insurer}, contrat {policy}, couverture {coverage}.",
        ),
        Mention("buyer_siren", "SIREN de l'acheteur : {siren}"),
        Mention("seller_vat", "N° TVA du vendeur : {vat}"),
        Mention("buyer_vat", "N° TVA de l'acheteur : {vat}"),
    )
}

MENTIONS: Mapping[str, Sequence[Dated[MentionTable]]] = {
    "fr": (Dated(date(2025, 2, 16), _MENTIONS_2025, source="CGI ann. II 242 nonies A; LF 2025 (attestation)"),),
}
