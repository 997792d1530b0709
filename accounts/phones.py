"""Phone numbers as people type them: international form as it is, national form read in the
country of the patient's home time zone, stored in E.164 (+447700900123).

The zone's country comes from the time-zone database's own zone.tab (shipped by tzdata); the
calling codes are a short table of the countries patients are likely to live in. A number from
elsewhere is asked for in international form.
"""

import re
from functools import cache
from importlib import resources

from django.core.exceptions import ValidationError

from .validators import E164

# Country (ISO 3166) -> (calling code, trunk prefix dialled before national numbers at home).
CALLING_CODES: dict[str, tuple[str, str]] = {
    "GB": ("44", "0"),
    "IM": ("44", "0"),
    "JE": ("44", "0"),
    "GG": ("44", "0"),
    "IE": ("353", "0"),
    "US": ("1", "1"),
    "CA": ("1", "1"),
    "PR": ("1", "1"),
    "AU": ("61", "0"),
    "NZ": ("64", "0"),
    "FR": ("33", "0"),
    "DE": ("49", "0"),
    "NL": ("31", "0"),
    "BE": ("32", "0"),
    "AT": ("43", "0"),
    "CH": ("41", "0"),
    "SE": ("46", "0"),
    "FI": ("358", "0"),
    "ES": ("34", ""),
    "IT": ("39", ""),
    "PT": ("351", ""),
    "DK": ("45", ""),
    "NO": ("47", ""),
    "PL": ("48", ""),
    "GR": ("30", ""),
    "IN": ("91", "0"),
    "PK": ("92", "0"),
    "ZA": ("27", "0"),
    "NG": ("234", "0"),
    "SG": ("65", ""),
    "HK": ("852", ""),
    "JP": ("81", "0"),
    "AE": ("971", "0"),
    "IL": ("972", "0"),
    "TR": ("90", "0"),
    "BR": ("55", "0"),
    "MX": ("52", ""),
}
# North American numbers are ten digits after the country code; no country in the table has
# mobile numbers shorter than eight.
NANP_DIGITS = 10
MIN_NATIONAL_DIGITS = 8
INTERNATIONAL = (
    "Enter the number in international form: a plus sign, the country code and the number "
    "(for example +447700900123)."
)
UNKNOWN_COUNTRY = (
    "We cannot tell your country from your home time zone, so enter the number in "
    "international form: a plus sign, the country code and the number (for example "
    "+447700900123)."
)


@cache
def place_zones() -> dict[str, str]:
    """The zones of zone.tab (one per place people live, no aliases), each with its country."""
    folder = resources.files("tzdata").joinpath("zoneinfo")
    countries: dict[str, str] = {}
    for line in folder.joinpath("zone.tab").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            country, _, zone = line.split("\t")[:3]
            countries[zone] = country
    return countries


@cache
def _zone_countries() -> dict[str, str]:
    """Each zone of zone.tab with its country, and each link (Europe/Belfast, US/Eastern)
    with its target's."""
    folder = resources.files("tzdata").joinpath("zoneinfo")
    countries = dict(place_zones())
    for line in folder.joinpath("tzdata.zi").read_text(encoding="utf-8").splitlines():
        if line.startswith("L "):
            _, target, link = line.split()
            if target in countries:
                countries.setdefault(link, countries[target])
    return countries


def country_of_zone(zone: str) -> str | None:
    return _zone_countries().get(zone)


def to_e164(typed: str, *, time_zone: str | None) -> str:
    """The number in E.164. Spaces, dashes, dots and brackets are dropped; "00" starts an
    international number as "+" does; anything else is national, in the zone's country."""
    number = re.sub(r"[\s\-().]", "", typed or "")
    if not number:
        return ""
    if number.startswith("00"):
        number = "+" + number[2:]
    if not number.startswith("+"):
        number = _national(number, time_zone)
    if not E164.match(number):
        raise ValidationError(INTERNATIONAL, code="invalid_phone")
    return number


def _national(number: str, time_zone: str | None) -> str:
    if not number.isdigit():
        raise ValidationError(INTERNATIONAL, code="invalid_phone")
    country = country_of_zone(time_zone) if time_zone else None
    if country not in CALLING_CODES:
        raise ValidationError(UNKNOWN_COUNTRY, code="unknown_country")
    code, trunk = CALLING_CODES[country]
    if trunk and number.startswith(trunk):
        number = number[len(trunk) :]
    if code == "1" and len(number) != NANP_DIGITS:
        raise ValidationError(
            "A North American number has ten digits, such as (212) 555-0100.",
            code="invalid_phone",
        )
    if len(number) < MIN_NATIONAL_DIGITS:
        raise ValidationError(
            "That number is too short: enter the whole number as you dial it at home, or in "
            "international form (for example +447700900123).",
            code="invalid_phone",
        )
    return f"+{code}{number}"
