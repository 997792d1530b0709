"""Validators for profile fields: IANA time zones and E.164 phone numbers.

They raise ValidationError with a message a person can act on.
"""

import re
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
# Link tokens are made by secrets.token_urlsafe: letters, digits, "-" and "_".
TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# "localtime" is whatever zone the server runs in, "Factory" and "posixrules" are not places:
# none of them is a home a patient can have.
KNOWN_TIME_ZONES = frozenset(available_timezones() - {"localtime", "Factory", "posixrules"})


def validate_time_zone(value: str) -> None:
    if value not in KNOWN_TIME_ZONES:
        raise ValidationError(
            "%(value)s is not a time zone we know. Pick one such as Europe/London.",
            params={"value": value},
            code="invalid_time_zone",
        )


def validate_e164(value: str) -> None:
    if not E164.match(value):
        raise ValidationError(
            "Enter the number in international form: a plus sign, the country code and the "
            "number, with no spaces (for example +447700900123).",
            code="invalid_phone",
        )


def looks_like_token(value: str) -> bool:
    """Whether a value from a link could be one of our tokens; anything else (a NUL byte, an
    overlong string) never reaches the database."""
    return bool(TOKEN.fullmatch(value))
