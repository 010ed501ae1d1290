"""Installation and works on a property in another member state (issue 14, "Installation").

Directive 2006/112/EC: a service connected with immovable property is supplied where the property is
(art. 47); goods supplied and installed by or for the supplier are supplied where they are installed
(art. 36). Both are taxable in the property's member state, not the seller's, and neither is an
OSS-eligible distance sale before 2028-07-01 (ViDA). The seller must then register there, unless that
state makes the customer liable for supplies by suppliers not established there (art. 194). In that
case the invoice follows the SUPPLIER's rules (art. 219a(1)): category AE (VATEX-EU-AE), both VAT ids,
a mention naming the property state's provision (pack code ``reverse_charge_works_abroad``, placeholders
``{basis}`` and ``{country}``). Goods installed and installation services are treated alike here.

The seller registry holds no foreign VAT registration yet: where no local reverse charge applies
(consumers, countries outside the table, the natures a country does not reverse-charge, UNSURE rows),
the sale is refused, saying that the seller must be registered there.

Works rate keys are the seller's country's reduced rates for works on its own dwellings: they never apply
to a property abroad (the works are not supplied in the seller's country). The pack never sees them on
such a sale (``without_works_keys``), so its domestic works checks and statements do not run.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from mandat.domain.events import OrderPaid
from mandat.domain.refusals import Rejected


@dataclass(frozen=True)
class LocalReverseCharge:
    """A member state's transposition of art. 194 for a supplier not established there.

    ``article`` is printed in the mention (the state's own citation); ``goods`` and ``services`` say
    which natures it covers (goods supplied and installed, services on the property); ``established``:
    the customer must be established there (its address in that state), not only identified;
    ``unsure``: not confirmed in the sources at hand, refused until it is.
    """

    article: str
    goods: bool
    services: bool
    established: bool
    source: str
    unsure: str | None = None


# The ONE table of the property states' reverse charge for non-established suppliers. A property
# country needs a row here, not a pack: the invoice is the seller's (art. 219a(1)).
LOCAL_REVERSE_CHARGE: dict[str, LocalReverseCharge] = {
    "FR": LocalReverseCharge(
        "CGI art. 283-1, 2e al.",
        goods=True,
        services=True,
        established=False,  # "preneur qui dispose d'un numéro d'identification à la TVA en France"
        source="CGI art. 283-1 al. 2; shared/domain/invoicing-rules.md §2.5 (FR CGI 283-1)",
    ),
    "DE": LocalReverseCharge(
        "§ 13b Abs. 2 Nr. 1, Abs. 5 Satz 1 UStG",
        goods=True,  # Werklieferungen im Ausland ansässiger Unternehmer
        services=True,  # sonstige Leistungen, § 3a Abs. 3 Nr. 1 (Grundstück) included
        established=False,  # the recipient is an Unternehmer or a juristische Person
        source="UStG §13b(2) Nr. 1, (5) S. 1 (Haufe commentary Rz. 41; UStR 182a(2) Nr. 1-2)",
    ),
    "AT": LocalReverseCharge(
        "§ 19 Abs. 1 UStG 1994",
        goods=True,  # Werklieferungen
        services=True,  # sonstige Leistungen, letting of immovable property excluded (not works)
        established=False,  # the recipient is an Unternehmer (§ 3a Abs. 5 Z 1, 2)
        source="UStG 1994 §19(1), consolidated text as at 2026-08-05 (RIS), quoted in a stored reference",
    ),
    "BE": LocalReverseCharge(
        "art. 51, § 2, al. 1er, 5° du Code TVA",
        goods=True,
        services=True,
        established=False,  # the cocontractant is a taxable person identified in Belgium (art. 50)
        source="Code TVA art. 51 §2 1°, 2°, 5°, 6° (cocontractant liable, AR n° 1 art. 5 §1 9°); AR n° 31 art. 5",
    ),
    "ES": LocalReverseCharge(
        "art. 84.Uno.2º.a) LIVA",
        goods=True,
        services=True,
        # a'): not for services to a recipient not established in Spain (except art. 69.Uno.1º services).
        established=True,
        source="Ley 37/1992 art. 84.Uno.2º.a) and its exceptions a')-e') (text in force since 2023-01-01)",
    ),
    "IT": LocalReverseCharge(
        "art. 17, c. 2, DPR 633/1972",
        goods=True,
        services=True,
        established=True,  # "soggetti passivi stabiliti nel territorio dello Stato"
        source="DPR 633/1972 art. 17 c.2 (cessioni e prestazioni di soggetti non residenti)",
    ),
    "PL": LocalReverseCharge(
        "art. 17 ust. 1 pkt 4 ustawy o VAT",
        goods=False,
        services=True,
        established=True,  # the recipient has its seat or fixed establishment in Poland
        source="ustawa o VAT art. 17 ust. 1 pkt 4 (services); goods (pkt 5, conditions of ust. 1a) not confirmed",
    ),
    "PT": LocalReverseCharge(
        "CIVA art. 2.º, n.º 1, g)",
        goods=True,
        services=True,
        established=True,
        source="CIVA art. 2 n.º 1 g)",
        unsure="the wording and conditions of CIVA art. 2 n.º 1 g) (a supplier registered in Portugal?) "
        "could not be confirmed in the sources at hand",
    ),
    "NL": LocalReverseCharge(
        "art. 12, lid 3, Wet OB 1968",
        goods=True,
        services=True,
        established=False,
        source="Wet OB 1968 art. 12 lid 3",
        unsure="the text of Wet OB 1968 art. 12 lid 3 could not be confirmed in the sources at hand",
    ),
}

DIRECTIVE_WORKS = "Directive 2006/112/EC art. 47 (services on immovable property), art. 36 (goods installed)"


def register_there(country: str, why: str) -> Rejected:
    return Rejected(
        "unsupported_case",
        f"installation/works on a property in {country}: supplied there ({DIRECTIVE_WORKS}); {why}, so the "
        f"seller must be registered for VAT in {country}, and the seller registry holds no foreign registration yet",
    )


def local_reverse_charge(
    country: str,
    natures: Collection[str],
    business: bool,
    buyer_vat_country: str | None,
    buyer_country: str,
) -> LocalReverseCharge:
    """The row under which the customer accounts for the VAT of works in ``country``, or Rejected."""
    if not business:
        raise register_there(country, "a consumer does not account for the VAT (no reverse charge)")
    row = LOCAL_REVERSE_CHARGE.get(country)
    if row is None:
        raise register_there(country, f"no reverse charge of {country} for non-established suppliers is known here")
    if row.unsure is not None:
        raise register_there(country, f"the reverse charge of {country} ({row.article}) is UNSURE: {row.unsure}")
    uncovered = sorted(n for n in natures if not (row.goods if n == "goods" else row.services))
    if uncovered:
        what = "goods supplied and installed" if uncovered == ["goods"] else "these services"
        raise register_there(country, f"the reverse charge of {row.article} is not confirmed for {what} (UNSURE)")
    if buyer_vat_country != country:
        held = "no VAT id" if buyer_vat_country is None else f"a VAT id of {buyer_vat_country}"
        raise register_there(
            country, f"the buyer has {held}, and the reverse charge of {row.article} needs a customer identified there"
        )
    if row.established and buyer_country != country:
        raise register_there(
            country,
            f"the buyer's address is in {buyer_country}, and the reverse charge of {row.article} needs a customer "
            f"established in {country}",
        )
    return row


def country_name(country: str, language: str) -> str:
    """The property country's name in the mention's language (CLDR, as the rendered addresses)."""
    # Imported here: Babel costs ~7 ms at import, which every worker and Lambda cold start would pay
    # for the rare works abroad.
    from babel import Locale

    return str(Locale.parse(language).territories.get(country, country))


def without_works_keys(event: OrderPaid, works_keys: Collection[str]) -> OrderPaid:
    """The event as the pack sees a works sale abroad: its lines without the seller's works rate keys."""
    lines = [
        ln.model_copy(update={"tax_category": None}) if ln.tax_category in works_keys else ln for ln in event.lines
    ]
    return event.model_copy(update={"lines": lines})
