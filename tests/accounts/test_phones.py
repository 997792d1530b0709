"""Phone numbers as typed: international form kept, national form read in the country of the
home time zone, stored in E.164; what cannot be read is explained."""

import pytest
from django.core.exceptions import ValidationError

from accounts.phones import country_of_zone, to_e164


@pytest.mark.parametrize(
    ("typed", "zone", "stored"),
    [
        ("07700 900123", "Europe/London", "+447700900123"),
        ("07700-900-123", "Europe/Belfast", "+447700900123"),
        ("7700 900123", "Europe/London", "+447700900123"),
        ("(212) 555-0100", "America/New_York", "+12125550100"),
        ("1 212 555 0100", "America/Chicago", "+12125550100"),
        ("416.555.0100", "America/Toronto", "+14165550100"),
        ("0412 345 678", "Australia/Sydney", "+61412345678"),
        ("087 123 4567", "Europe/Dublin", "+353871234567"),
        ("06 12 34 56 78", "Europe/Paris", "+33612345678"),
        ("312 345 6789", "Europe/Rome", "+393123456789"),
        ("098765 43210", "Asia/Kolkata", "+919876543210"),
        ("+44 7700 900123", "America/New_York", "+447700900123"),
        ("0044 7700 900123", "Europe/Paris", "+447700900123"),
        ("+1 (212) 555-0100", "Etc/UTC", "+12125550100"),
        ("", "Europe/London", ""),
    ],
)
def test_numbers_are_stored_in_international_form(typed, zone, stored):
    assert to_e164(typed, time_zone=zone) == stored


@pytest.mark.parametrize(
    ("typed", "zone", "message"),
    [
        ("07700 900123", "Etc/UTC", "cannot tell your country"),
        ("07700 900123", "Antarctica/Troll", "cannot tell your country"),
        ("07700 900123", None, "cannot tell your country"),
        ("555 0100", "America/New_York", "ten digits"),
        ("555-0100", "Asia/Kolkata", "too short"),
        ("+44 abc", "Europe/London", "international form"),
        ("0770O 900123", "Europe/London", "international form"),
        ("+0 7700 900123", "Europe/London", "international form"),
    ],
)
def test_numbers_that_cannot_be_read_are_explained(typed, zone, message):
    with pytest.raises(ValidationError) as refused:
        to_e164(typed, time_zone=zone)

    assert message in refused.value.messages[0]


def test_zone_links_have_their_targets_country():
    assert country_of_zone("US/Eastern") == "US"
    assert country_of_zone("Europe/London") == "GB"
    assert country_of_zone("UTC") is None
