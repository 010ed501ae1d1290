"""Labels and number, date and currency formats of the human-readable documents.

A page has a language (``Document.language``: fr, nl, de, es, it, pt, pl, en) and a locale, that language
with the seller's country when CLDR knows the pair (``fr_BE``, ``de_BE``, ``pl_PL``, ``en_GB``...), else the
language's own default (:data:`DEFAULT_TERRITORY`): see :func:`page_locale`. The formatting functions
take either a locale id or a bare language, which stands for its default locale.

* Labels come from the gettext catalogues ``locales/<lang>/LC_MESSAGES/mandat.{po,mo}``, whose msgids
  are the keys the layout asks for (``labels(lang)["invoice"]``). A language mandat has no catalogue for
  falls back to French, never to a half-translated page.
* Numbers, amounts, currencies and percentages use the CLDR data Babel ships (symbols, grouping, the
  currency and percent patterns with their sign placement), applied by a small formatter: Babel's own
  ``format_currency`` costs 10-20 µs a call, a third of a 10-line invoice's render in all. A test checks
  the formatter against Babel for every page locale.
* Dates: Babel, with the locale's short pattern widened to a four-digit year.
* Country names: Babel (``Locale.territories``) in the page language; French keeps the table it always
  printed (:mod:`mandat.render.countries`) so re-rendered French records keep their bytes.

Nothing is downloaded: Babel carries its CLDR data, and the catalogues are package files.
"""

from __future__ import annotations

import functools
import gettext
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel import Locale, localedata
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from mandat.domain.money import normalize
from mandat.render import countries

LANGUAGES: tuple[str, ...] = ("fr", "nl", "de", "es", "it", "pt", "pl", "en")
FALLBACK = "fr"
# The locale of a page whose language is not spoken in the seller's country, by CLDR's reckoning
# (docs/countries.md §10.2). English defaults to en_GB, not CLDR's en_US: an EU invoice dated 12/3/26
# would be read as the 12th of March. Dutch defaults to Belgium, mandat's only Dutch-speaking market.
DEFAULT_TERRITORY: dict[str, str] = {
    "fr": "FR",
    "nl": "BE",
    "de": "DE",
    "es": "ES",
    "it": "IT",
    "pt": "PT",
    "pl": "PL",
    "en": "GB",
}
# Country codes of the records that are not ISO 3166 (VAT's "EL" for Greece, the UK market).
_ISO_TERRITORY = {"UK": "GB", "EL": "GR"}
LOCALE_DIR = Path(__file__).with_name("locales")
DOMAIN = "mandat"

# Catalogue keys: labels printed as they are.
LABEL_KEYS: tuple[str, ...] = (
    "invoice",
    "credit_note",
    "number",
    "issue_date",
    "delivery_date",
    "order",
    "purchase_order",
    "due_date",
    "seller",
    "billed_to",
    "delivered_to",
    "siren",
    "siret",
    "vat_id",
    "capital",
    "ref",
    "description",
    "qty",
    "unit_price",
    "discount",
    "net",
    "vat",
    "rate",
    "base",
    "total_net",
    "total_vat",
    "total",
    "paid",
    "payable",
    "refunded",
    "to_refund",
    "continued",
    "corrects",
    "of",
    "reason",
    "issuer",
    "page",
    "terms",
    "vat_abbr",  # the VAT's own abbreviation: TVA, BTW, USt., IVA, VAT
    "exchange_rate",
    "exchange_source",
    "exchange_reference",
    # Templates: {label}, {currency} and {channel} are filled in by the layout.
    "label_colon",  # "{label} :" in French typography, "{label}:" elsewhere
    "exchange_title",  # "VAT in {currency}"
    "legal_channel",  # "Copy for information: the invoice is the electronic invoice transmitted through {channel}"
)
# What each EN 16931 VAT category (UNCL 5305) means, in words: the category letter alone tells a reader
# nothing. "short" fits the narrow VAT column of the lines table, "long" the VAT breakdown. The legal
# mention citing the article (e.g. 262 ter I du CGI) is a separate mention, printed with the others.
# S says nothing beyond its rate, and Z only in the breakdown.
VAT_CATEGORIES: tuple[str, ...] = ("S", "Z", "E", "K", "G", "AE", "O")
_NO_SHORT_WORDS = frozenset({"S", "Z"})
_NO_LONG_WORDS = frozenset({"S"})
# An exemption code that says more than its category does.
VATEX_CODES: tuple[str, ...] = ("VATEX-FR-FRANCHISE",)


def catalogue_keys() -> list[str]:
    """Every msgid each language's catalogue must have."""
    keys = list(LABEL_KEYS)
    for category in VAT_CATEGORIES:
        if category not in _NO_SHORT_WORDS:
            keys.append(f"vat_short.{category}")
        if category not in _NO_LONG_WORDS:
            keys.append(f"vat_long.{category}")
    for code in VATEX_CODES:
        keys += [f"vatex_short.{code}", f"vatex_long.{code}"]
    return keys


# -- locales -------------------------------------------------------------------------------------


def language_of(locale: str) -> str:
    """The supported language of a locale id or language ("fr_BE" -> "fr"); French for any other."""
    language = locale.partition("_")[0]
    return language if language in LANGUAGES else FALLBACK


@functools.cache
def page_locale(language: str, country: str) -> str:
    """The locale of a page: ``<language>_<seller country>`` when CLDR has it, else the language's default."""
    language = language_of(language)
    territory = _ISO_TERRITORY.get(country, country)
    candidate = f"{language}_{territory}"
    if territory.isalpha() and localedata.exists(candidate):
        return candidate
    return f"{language}_{DEFAULT_TERRITORY[language]}"


@functools.cache
def _locale_id(locale: str) -> str:
    if "_" in locale and language_of(locale) == locale.partition("_")[0] and localedata.exists(locale):
        return locale
    language = language_of(locale)
    return f"{language}_{DEFAULT_TERRITORY[language]}"


def pdf_lang(locale: str) -> str:
    """The PDF's /Lang (BCP 47): "fr-FR", "nl-BE"."""
    return _locale_id(locale).replace("_", "-")


# -- labels --------------------------------------------------------------------------------------


@functools.cache
def _translations(language: str) -> gettext.GNUTranslations:
    # fallback=False: a missing catalogue is a packaging error, not a page in another language.
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language])


@functools.cache
def _catalogue(language: str) -> dict[str, str]:
    # Completeness is checked by the tests against the .po files ("of" is its own English translation).
    t = _translations(language_of(language))
    return {key: t.gettext(key) for key in catalogue_keys()}


def labels(language: str) -> dict[str, str]:
    """The page's labels by key (a shared dict: do not modify)."""
    return _catalogue(language_of(language))


def colon(label: str, language: str) -> str:
    """ "Motif :" in French, "Reason:" in the other languages."""
    return labels(language)["label_colon"].format(label=label)


def vat_category(
    category: str, rate: Decimal, language: str, long: bool = False, exemption_code: str | None = None
) -> str:
    """The VAT category and rate as words: "20 %", "0 % — exonéré (livraison intracommunautaire)".

    A category without words raises KeyError: printing a bare letter would say nothing.
    """
    if category not in VAT_CATEGORIES:
        raise KeyError(category)
    lb = labels(language)
    kind = "long" if long else "short"
    words = ""
    if exemption_code and f"vatex_{kind}.{exemption_code}" in lb:
        words = lb[f"vatex_{kind}.{exemption_code}"]
    elif category not in (_NO_LONG_WORDS if long else _NO_SHORT_WORDS):
        words = lb[f"vat_{kind}.{category}"]
    if category == "O":  # not subject to VAT: there is no rate to show (BR-O-05)
        return words
    rate_text = percent(rate, language)
    if not words:
        return rate_text
    return f"{rate_text} — {words}" if long else f"{rate_text} {words}"


def country(code: str, language: str) -> str:
    """The country's name for a postal address; an unknown code is printed as given rather than guessed."""
    if code not in countries.FR:  # the ISO 3166-1 codes: a user-assigned one (XK) is not guessed
        return code
    lang = language_of(language)
    if lang == "fr":
        return countries.FR[code]
    return _territories(lang).get(code, code)


@functools.cache
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


# -- numbers -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Format:
    """One locale's CLDR number data, read once: what Babel's NumberPattern.apply would use."""

    locale: Locale
    decimal: str
    group: str
    grouping: tuple[int, int]
    money_prefix: tuple[str, str]  # (positive, negative), "¤" standing for the currency symbol
    money_suffix: tuple[str, str]
    percent_prefix: tuple[str, str]
    percent_suffix: tuple[str, str]
    date_pattern: str


@functools.cache
def _format(locale: str) -> _Format:
    loc = Locale.parse(_locale_id(locale))
    decimal_pattern = babel_numbers.parse_pattern(loc.decimal_formats[None])
    money = babel_numbers.parse_pattern(loc.currency_formats["standard"])
    pct = babel_numbers.parse_pattern(loc.percent_formats[None])
    sign = loc.number_symbols[loc.default_numbering_system].get("percentSign", "%")
    # An invoice's date needs its century: CLDR's short patterns often have a two-digit year ("dd.MM.yy").
    short = loc.date_formats["short"].pattern
    date_pattern = short.replace("yyyy", "y").replace("yy", "y")
    return _Format(
        locale=loc,
        decimal=babel_numbers.get_decimal_symbol(loc),
        group=babel_numbers.get_group_symbol(loc),
        grouping=decimal_pattern.grouping,
        money_prefix=money.prefix,
        money_suffix=money.suffix,
        percent_prefix=(pct.prefix[0].replace("%", sign), pct.prefix[1].replace("%", sign)),
        percent_suffix=(pct.suffix[0].replace("%", sign), pct.suffix[1].replace("%", sign)),
        date_pattern=date_pattern,
    )


@functools.cache
def currency_symbol(currency: str, locale: str) -> str:
    """The currency's symbol on this page (CLDR): "€", "zł" in Polish, "PLN" in German, "£" in English."""
    return babel_numbers.get_currency_symbol(currency, _format(locale).locale)


def _digits(value: Decimal, places: int, fmt: _Format) -> str:
    text = f"{abs(value):.{places}f}"
    whole, _, frac = text.partition(".")
    size = fmt.grouping[0]
    out = ""
    while len(whole) > size:
        out = fmt.group + whole[-size:] + out
        whole = whole[:-size]
        size = fmt.grouping[1]
    out = whole + out
    return f"{out}{fmt.decimal}{frac}" if frac else out


def amount(value: Decimal, language: str, places: int = 2) -> str:
    """A figure with the locale's grouping and decimal signs, "-" before it when negative."""
    fmt = _format(language)
    return f"{'-' if value < 0 else ''}{_digits(value, places, fmt)}"


def money(value: Decimal, currency: str, language: str) -> str:
    """An amount with its currency as the locale places it: "1 234,50 €", "€ 1.234,50", "£1,234.50"."""
    fmt = _format(language)
    negative = int(value < 0)
    text = f"{fmt.money_prefix[negative]}{_digits(value, 2, fmt)}{fmt.money_suffix[negative]}"
    return text.replace("¤", currency_symbol(currency, language)) if "¤" in text else text


def _places(value: Decimal, minimum: int) -> int:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return max(places, minimum)


def number(value: Decimal, language: str) -> str:
    """Quantities, unit prices and rates: as many decimals as they carry, no more."""
    n = normalize(value)
    return amount(n, language, _places(n, 0))


def unit_price(value: Decimal, language: str) -> str:
    n = normalize(value)
    return amount(n, language, _places(n, 2))


def percent(rate: Decimal, language: str) -> str:
    """A VAT rate given in percent (20, 5.5) as the locale writes it: "5,5 %", "5.5%"."""
    fmt = _format(language)
    n = normalize(rate)
    negative = int(n < 0)
    return f"{fmt.percent_prefix[negative]}{_digits(n, _places(n, 0), fmt)}{fmt.percent_suffix[negative]}"


def day(value: date, language: str) -> str:
    """A date as the locale writes it in figures, with a four-digit year: 05/03/2026, 05.03.2026, 5.03.2026."""
    fmt = _format(language)
    return babel_dates.format_date(value, fmt.date_pattern, locale=fmt.locale)
