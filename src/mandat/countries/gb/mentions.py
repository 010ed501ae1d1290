"""United Kingdom: the invoice mentions, in English.

Legal basis (docs/countries.md §9.3-9.4):

* Full VAT invoice: VAT Regulations 1995 (SI 1995/2518) reg. 14(1): number, time of supply,
  date of issue, supplier's name, address and VAT registration number, customer's name and
  address, description, quantity, unit price, rate and amount per line, totals, and the total
  VAT in sterling (reg. 14(1)(m)). Most are the document's own fields; the time of supply is a
  mention because it is not always the date of delivery (VATA 1994 s.6(4) and (5)).
* Billing mandate: an invoice issued by a third party in the supplier's name is the supplier's
  VAT invoice (HMRC Notice 700/21); no wording is prescribed, the text below is the recommended one
  (UNSURE UK-3). "Self-billing" is for invoices the customer issues and is never printed.
* Credit notes: the number and date of the invoice credited (HMRC Notice 700/21 §6).
* Domestic reverse charge for construction services (VATA 1994 s.55A; VAT Regulations reg.
  14(1)(o)): "reverse charge" reference, HMRC's wording (VATREVCON37100), and the VAT the
  customer accounts for stated apart from the VAT total.
* Cross-border: an export of goods is zero-rated (VATA 1994 s.30(6); category G, as the EU side's
  art. 146 exemption is coded); a service to a business customer belonging outside the UK is
  supplied where the customer belongs (s.7A(2)(a)), outside the scope of UK VAT, the customer
  accounting for any VAT in its own country (EN 16931: UNSURE, category O or AE is the rules'
  choice). No ``intra_eu_goods``: Great Britain is outside the EU (Northern Ireland is refused by
  the rules). Wording ours, HMRC prescribes none (UNSURE UK-10).
* Works rates: the relief and its basis are stated (Sch 8 Group 23, Sch 7A Groups 2, 6, 7).

>>> MENTIONS["en"][0].value["reverse_charge"].text
'Reverse charge: customer to account for VAT to HMRC (VAT Act 1994 section 55A).'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from mandat.countries.base import Dated, Mention
from mandat.countries.jurisdiction import MentionTable

_MENTIONS_2021: MentionTable = {
    m.code: m
    for m in (
        Mention("mandate", "Invoice issued by {issuer} in the name and on behalf of {seller} (billing mandate)."),
        Mention(
            "deemed_supplier",
            "{issuer}, the operator of the online marketplace, is treated as the supplier of these goods, sold by "
            "{seller} ({country}) through it ({basis}).",
        ),
        Mention(
            "mandate_credit",
            "Credit note issued by {issuer} in the name and on behalf of {seller} (billing mandate).",
        ),
        Mention("paid", "Paid on {date} by {method} (transaction {transaction})."),
        Mention("refunded", "Refunded on {date} by {method} (transaction {transaction})."),
        Mention("corrects", "Credit note for VAT invoice no. {number} of {date}."),
        Mention("time_of_supply", "Time of supply (tax point): {date} ({why})."),
        Mention("reverse_charge", "Reverse charge: customer to account for VAT to HMRC (VAT Act 1994 section 55A)."),
        Mention(
            "reverse_charge_vat",
            "VAT to be accounted for by the customer under the reverse charge, not included in the VAT total: "
            "{detail}.",
        ),
        Mention(
            "esm_zero",
            "Installation of energy-saving materials in residential accommodation: zero rate "
            "(VAT Act 1994 Schedule 8 Group 23).",
        ),
        Mention(
            "esm_reduced",
            "Installation of energy-saving materials in residential accommodation: reduced rate 5% "
            "(VAT Act 1994 Schedule 7A Group 2).",
        ),
        Mention(
            "renovation_empty",
            "Reduced rate 5%: renovation or alteration of a dwelling that was not lived in during the two years "
            "before the works began, as stated by the customer on {date} (VAT Act 1994 Schedule 7A Group 6).",
        ),
        Mention(
            "renovation_conversion",
            "Reduced rate 5%: residential conversion, as stated by the customer on {date} "
            "(VAT Act 1994 Schedule 7A Group 7).",
        ),
        Mention("export", "Zero-rated export of goods (VAT Act 1994 s.30(6))."),
        Mention(
            "outside_scope_services",
            "Outside the scope of UK VAT: services supplied to a business customer belonging outside the UK, "
            "the customer accounts for any VAT due in its own country (VAT Act 1994 s.7A(2)(a)).",
        ),
        Mention("seller_vat", "Supplier's VAT registration number: {vat}"),
        Mention("buyer_vat", "Customer's VAT number: {vat}"),
    )
}

# From 2021-03-01, when the construction reverse charge (s.55A) came into force: the one mention
# that did not exist before; older tax points are refused rather than printed with it.
MENTIONS: Mapping[str, Sequence[Dated[MentionTable]]] = {
    "en": (
        Dated(
            date(2021, 3, 1),
            _MENTIONS_2021,
            source="VAT Regulations 1995 reg. 14; VATA 1994 s.55A (SI 2019/892, in force 2021-03-01)",
        ),
    ),
}
