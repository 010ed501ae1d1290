"""Italy: the invoice mentions, in Italian (the FatturaPA the SdI clears is Italian; no statute
found on the language of an invoice: UNSURE, conservative reading Italian).

Legal basis (docs/countries.md §5):

* Third-party issuer: DPR 633/1972 art. 21 c.1 allows the invoice to be issued by a third party on
  the seller's behalf; art. 21 c.2 lett. n requires "l'annotazione che la stessa è compilata ...
  per conto del cedente o prestatore, da un terzo". The text below follows the statute's words; no
  wording is prescribed (UNSURE). Never "autofattura", which is the buyer's self-invoice.
* Credit notes: note di variazione, art. 26 DPR 633/1972, naming the invoice they correct.
* Regime forfettario: L. 190/2014 art. 1 c.54-89; the customary wording is used (no statutory
  text); stamp duty of 2 € on invoices without VAT above 77,47 € (DPR 642/1972, Tariffa art. 13),
  paid yearly for electronic invoices with the annotation on each (DM 17-06-2014 art. 6 c.2).
* Reverse charge: art. 21 c.6 wants "inversione contabile" and the provision (art. 17 c.6 lett. a-ter).
* Cross-border (Directive 2006/112/EC art. 226(3), (4), (11), (11a)): intra-EU supply of goods
  "non imponibile" under D.L. 331/1993 art. 41 c.1 lett. a), the invoice naming the provision
  (art. 46 c.2; art. 138, EN 16931 category K); export "non imponibile" under DPR 633/1972 art. 8
  c.1 lett. a) (art. 21 c.6 lett. b; art. 146, category G); a service to a business established in
  another member state is supplied there (art. 7-ter, art. 44), the customer owes the tax (art. 196):
  "inversione contabile" (art. 21 c.6-bis lett. a). Art. 41 c.1 lett. a) read on Normattiva
  (text in force 2021-12-01); the letter inside art. 8 c.1 and the c.6-bis wording are UNSURE (IT-9).
* 10 % maintenance of dwellings: L. 488/1999 art. 7 c.1 lett. b; the invoice states the service and,
  separately, the value of the significant goods (L. 205/2017 art. 1 c.19; DM 29-12-1999).

>>> MENTIONS["it"][0].value["reverse_charge"].text
'Inversione contabile – art. 17, comma 6, lett. a-ter), DPR 633/1972'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from mandat.countries.base import Dated, Mention
from mandat.countries.jurisdiction import MentionTable

_MENTIONS_2016: MentionTable = {
    m.code: m
    for m in (
        Mention(
            "mandate",
            "Fattura compilata ed emessa per conto del cedente/prestatore {seller} da un terzo, {issuer} "
            "(art. 21, comma 2, lett. n), DPR 633/1972).",
        ),
        Mention(
            "mandate_credit",
            "Nota di credito compilata ed emessa per conto del cedente/prestatore {seller} da un terzo, {issuer} "
            "(art. 21, comma 2, lett. n), e art. 26, DPR 633/1972).",
        ),
        Mention("paid", "Fattura pagata il {date} mediante {method} (transazione {transaction})."),
        Mention("refunded", "Importo rimborsato il {date} mediante {method} (transazione {transaction})."),
        Mention("corrects", "Nota di credito relativa alla fattura n. {number} del {date} (art. 26 DPR 633/1972)."),
        Mention(
            "franchise",
            "Operazione effettuata ai sensi dell'art. 1, commi da 54 a 89, della Legge n. 190/2014 – "
            "Regime forfettario",
        ),
        Mention(
            "stamp_duty",
            "Imposta di bollo di 2,00 € assolta ai sensi dell'art. 6, comma 2, del DM 17 giugno 2014.",
        ),
        Mention("reverse_charge", "Inversione contabile – art. 17, comma 6, lett. a-ter), DPR 633/1972"),
        Mention(
            "home_renovation",
            "Prestazione di manutenzione ordinaria o straordinaria su edificio a prevalente destinazione abitativa "
            "privata: aliquota IVA 10 % (art. 7, comma 1, lett. b), L. 488/1999).",
        ),
        Mention(
            "significant_goods",
            "Beni significativi (DM 29 dicembre 1999) forniti nell'ambito della prestazione: valore {value} €; "
            "valore della prestazione al netto dei beni significativi {rest} €; aliquota 10 % su {capped} €, "
            "eccedenza di {excess} € all'aliquota ordinaria del 22 % (art. 7, comma 1, lett. b), L. 488/1999; "
            "art. 1, comma 19, L. 205/2017).",
        ),
        Mention(
            "sdi_copy",
            "Copia di cortesia: la fattura è il documento elettronico trasmesso tramite il Sistema di "
            "Interscambio (SdI) (art. 1, comma 3, D.Lgs. 127/2015).",
        ),
        Mention(
            "intra_eu_goods",
            "Operazione non imponibile, art. 41, comma 1, lett. a), D.L. 331/1993 (art. 138 Direttiva 2006/112/CE)",
        ),
        Mention(
            "export",
            "Operazione non imponibile, art. 8, comma 1, lett. a), DPR 633/1972 (art. 146 Direttiva 2006/112/CE)",
        ),
        Mention(
            "reverse_charge_services",
            "Inversione contabile – operazione non soggetta, art. 7-ter e art. 21, comma 6-bis, lett. a), "
            "DPR 633/1972 (art. 44 e 196 Direttiva 2006/112/CE)",
        ),
        Mention(
            "reverse_charge_works_abroad",
            "Inversione contabile ({basis}; art. 36, 47 e 194 Direttiva 2006/112/CE); luogo dei lavori: {country}",
        ),
        Mention("seller_vat", "Partita IVA del cedente/prestatore: {vat}"),
        Mention("buyer_vat", "Numero di identificazione IVA del cessionario/committente: {vat}"),
    )
}

MENTIONS: Mapping[str, Sequence[Dated[MentionTable]]] = {
    "it": (Dated(date(2016, 1, 1), _MENTIONS_2016, source="DPR 633/1972 art. 21, 26; L. 190/2014; L. 205/2017"),),
}
