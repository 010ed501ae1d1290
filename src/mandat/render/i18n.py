"""Labels and number/date formats of the human-readable documents, per language.

Only French is complete (issue: French sellers first); other languages fall back
to French labels until their catalogs are written, never to a wrong format.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mandat.domain.money import normalize
from mandat.render import countries

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "invoice": "FACTURE",
        "credit_note": "AVOIR",
        "number": "N°",
        "issue_date": "Date d'émission",
        "delivery_date": "Date de livraison",
        "order": "Commande",
        "purchase_order": "Bon de commande",
        "due_date": "Échéance",
        "seller": "Vendeur",
        "billed_to": "Facturé à",
        "delivered_to": "Adresse de livraison",
        "siren": "SIREN",
        "siret": "SIRET",
        "vat_id": "N° TVA",
        "capital": "au capital de",
        "ref": "Réf.",
        "description": "Désignation",
        "qty": "Qté",
        "unit_price": "PU HT",
        "discount": "Remise",
        "net": "Total HT",
        "vat": "TVA",
        "rate": "Taux",
        "base": "Base HT",
        "total_net": "Total HT",
        "total_vat": "Total TVA",
        "total": "Total TTC",
        "paid": "Déjà payé",
        "payable": "Net à payer",
        "refunded": "Montant remboursé",
        "to_refund": "Reste à rembourser",
        "continued": "suite",
        "corrects": "Avoir sur la facture",
        "of": "du",
        "reason": "Motif",
        "issuer": "Émetteur (mandataire)",
        "page": "Page",
        "terms": "Conditions de paiement",
    }
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["fr"])


# What each EN 16931 VAT category (UNCL 5305) means, in words: the category letter alone
# tells a reader nothing. "short" fits the narrow VAT column of the lines table, "long" the
# VAT breakdown. The legal mention citing the article (e.g. 262 ter I du CGI) is a separate
# mention, printed with the others.
VAT_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {
        "S": ("", ""),
        "Z": ("", "taux zéro"),
        "E": ("exonéré", "exonéré"),
        "K": ("exonéré", "exonéré (livraison intracommunautaire)"),
        "G": ("exonéré", "exonéré (exportation)"),
        "AE": ("autoliquidation", "autoliquidation"),
        "O": ("hors champ", "hors champ de la TVA"),
    }
}
# An exemption code that says more than its category does.
VATEX_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    # A no-break space keeps "non applicable" whole when the narrow column puts it under the rate.
    "fr": {"VATEX-FR-FRANCHISE": ("non\u00a0applicable", "TVA non applicable (franchise en base)")}
}


def vat_category(
    category: str, rate: Decimal, language: str, long: bool = False, exemption_code: str | None = None
) -> str:
    """The VAT category and rate as words: "20 %", "0 % — exonéré (livraison intracommunautaire)".

    A category without words raises KeyError: printing a bare letter would say nothing.
    """
    both = VAT_WORDS.get(language, VAT_WORDS["fr"])[category]
    if exemption_code:
        both = VATEX_WORDS.get(language, VATEX_WORDS["fr"]).get(exemption_code, both)
    words = both[1 if long else 0]
    if category == "O":  # not subject to VAT: there is no rate to show (BR-O-05)
        return words
    rate_text = f"{number(rate, language)}\u00a0%"
    if not words:
        return rate_text
    return f"{rate_text} — {words}" if long else f"{rate_text} {words}"


def country(code: str, language: str) -> str:
    """The country's name for a postal address; an unknown code is printed as given rather than guessed."""
    del language  # French only until Babel/CLDR brings the other languages
    return countries.FR.get(code, code)


# Narrow no-break space as thousands separator, as French typography wants.
_GROUP = {
    "fr": "\u202f",
    "de": ".",
    "es": ".",
    "it": ".",
    "pt": "\u00a0",
    "pl": "\u00a0",
    "nl": ".",
    "en": ",",
}
_DECIMAL = {"fr": ",", "de": ",", "es": ",", "it": ",", "pt": ",", "pl": ",", "nl": ",", "en": "."}
_SYMBOL = {"EUR": "€", "GBP": "£", "PLN": "zł"}


def amount(value: Decimal, language: str, places: int = 2) -> str:
    sign = "-" if value < 0 else ""
    text = f"{abs(value):.{places}f}"
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = _GROUP.get(language, " ").join(groups)
    return f"{sign}{out}{_DECIMAL.get(language, '.') + frac if frac else ''}"


def money(value: Decimal, currency: str, language: str) -> str:
    symbol = _SYMBOL.get(currency, currency)
    if language == "en":
        return f"{symbol}{amount(value, language)}"
    return f"{amount(value, language)}\u00a0{symbol}"


def number(value: Decimal, language: str) -> str:
    """Quantities, unit prices and rates: as many decimals as they carry, no more."""
    n = normalize(value)
    exponent = n.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return amount(n, language, max(places, 0))


def unit_price(value: Decimal, language: str) -> str:
    n = normalize(value)
    exponent = n.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return amount(n, language, max(places, 2))


def day(value: date, language: str) -> str:
    if language == "en":
        return value.isoformat()
    return value.strftime("%d/%m/%Y" if language in ("fr", "es", "it", "pt", "nl") else "%d.%m.%Y")
