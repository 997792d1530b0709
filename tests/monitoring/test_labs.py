"""Lab arithmetic and words: each unit converts to its test's canonical unit, a value lands in
the band NICE NG239 (or the usual lab cut-off) names, and a B12 sample's timing is warned about."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from monitoring.labs import Band, band_for, band_words, canonical_unit, to_canonical
from monitoring.labs.catalogue import loinc, shown, unit_allowed, units_for
from monitoring.labs.timing import ROUTINE_RETEST, timing_warnings
from monitoring.models import LabTest


@pytest.mark.parametrize(
    ("test", "unit", "value", "expected"),
    [
        ("serum_b12", "pmol/L", "150", "203.250"),  # x 1.355
        ("serum_b12", "pmol/L", "148", "200.540"),
        ("serum_b12", "pg/mL", "250", "250.000"),
        ("serum_b12", "ng/L", "250", "250.000"),
        ("active_b12", "pmol/L", "42", "42.000"),
        ("mma", "nmol/L", "250", "0.250"),
        ("mma", "umol/L", "0.31", "0.310"),
        ("folate", "nmol/L", "10", "4.413"),  # / 2.266
        ("folate", "ng/mL", "5.2", "5.200"),
        ("ferritin", "ug/L", "40", "40.000"),
        ("ferritin", "ng/mL", "40", "40.000"),
        ("haemoglobin", "g/dL", "13.5", "135.000"),
        ("haemoglobin", "g/L", "135", "135.000"),
        ("mcv", "fL", "101", "101.000"),
    ],
)
def test_each_unit_converts_to_the_canonical_one(test, unit, value, expected):
    assert to_canonical(test, unit, Decimal(value)) == Decimal(expected)


def test_canonical_units_and_codes():
    assert [canonical_unit(t) for t in ("serum_b12", "mma", "haemoglobin", "folate")] == [
        "ng/L",
        "umol/L",
        "g/L",
        "ng/mL",
    ]
    assert loinc("serum_b12") == "2132-9" and loinc("mma") == "13964-2"
    assert loinc("active_b12") == ""  # no single code: stored blank
    assert units_for("serum_b12") == ("pg/mL", "ng/L", "pmol/L")
    assert not unit_allowed("serum_b12", "umol/L")
    assert all(canonical_unit(t) in units_for(t) for t in LabTest.values)


def test_b12_reads_as_a_whole_number():
    assert shown("serum_b12", Decimal("203.250")) == "203"
    assert shown("mma", Decimal("0.250")) == "0.25"


@pytest.mark.parametrize(
    ("test", "value", "expected"),
    [
        ("serum_b12", "179.999", Band.DEFICIENT),
        ("serum_b12", "180", Band.INDETERMINATE),
        ("serum_b12", "203.25", Band.INDETERMINATE),
        ("serum_b12", "350", Band.INDETERMINATE),
        ("serum_b12", "350.001", Band.NOT_DEFICIENT),
        ("active_b12", "24.9", Band.DEFICIENT),
        ("active_b12", "25", Band.INDETERMINATE),
        ("active_b12", "70", Band.INDETERMINATE),
        ("active_b12", "71", Band.NOT_DEFICIENT),
        ("mma", "0.40", Band.NOT_RAISED),
        ("mma", "0.41", Band.RAISED),
        ("folate", "3.9", Band.LOW),
        ("folate", "4.0", Band.NOT_LOW),
        ("ferritin", "5", Band.NONE),
        ("haemoglobin", "90", Band.NONE),
    ],
)
def test_bands_at_their_edges(test, value, expected):
    assert band_for(test, Decimal(value)) == expected


def test_a_band_is_a_plain_string():
    assert band_for("serum_b12", Decimal(150)) == "deficient"


def test_band_words_name_the_source_and_never_diagnose():
    words = band_words("serum_b12", Band.INDETERMINATE)
    assert words == "In the range NICE NG239 calls indeterminate (180 to 350 ng/L)."
    assert band_words("serum_b12", Band.DEFICIENT).startswith("In the range NICE NG239 calls")
    for test in LabTest.values:
        for found in Band:
            assert "you are" not in band_words(test, found).lower()
    assert band_words("ferritin", Band.NONE) == ""


# --- timing --------------------------------------------------------------------------------------

SAMPLE = date(2025, 6, 20)


@pytest.mark.parametrize(("days", "warned"), [(0, True), (5, True), (14, True), (15, False)])
def test_a_b12_in_the_two_weeks_after_an_injection_reflects_it(days, warned):
    warnings = timing_warnings(
        test="serum_b12", taken_on=SAMPLE, injection_dates=[SAMPLE - timedelta(days=days)]
    )

    assert any("reflects the injection" in w for w in warnings) == warned


def test_the_warning_says_how_many_days():
    [warning] = timing_warnings(
        test="active_b12", taken_on=SAMPLE, injection_dates=[SAMPLE - timedelta(days=5)]
    )
    assert warning.startswith("Taken 5 days after an injection")


def test_injections_after_the_sample_do_not_count():
    assert (
        timing_warnings(
            test="serum_b12", taken_on=SAMPLE, injection_dates=[SAMPLE + timedelta(days=1)]
        )
        == []
    )


def test_a_retest_when_established_on_injections_is_not_advised():
    monthly = [SAMPLE - timedelta(days=30 * k) for k in range(1, 6)]  # 5 months, last 30 d ago

    assert timing_warnings(test="serum_b12", taken_on=SAMPLE, injection_dates=monthly) == [
        ROUTINE_RETEST
    ]


def test_not_established_in_the_first_three_months_or_after_stopping():
    recent = [SAMPLE - timedelta(days=d) for d in (80, 50, 20)]
    stopped = [SAMPLE - timedelta(days=d) for d in (400, 300, 200)]

    assert timing_warnings(test="serum_b12", taken_on=SAMPLE, injection_dates=recent) == []
    assert timing_warnings(test="serum_b12", taken_on=SAMPLE, injection_dates=stopped) == []


def test_other_tests_get_no_timing_warning():
    dates = [SAMPLE - timedelta(days=d) for d in (200, 100, 2)]

    assert timing_warnings(test="folate", taken_on=SAMPLE, injection_dates=dates) == []
