"""Recording and correcting lab results: stored as printed and converted, audited, refused
field by field with nothing written, and read back latest-first per test."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import AuditEvent
from monitoring.labs import band, latest_results
from monitoring.labs.services import LabEntry, lab_result_record, lab_result_update
from monitoring.models import LabResult

pytestmark = pytest.mark.django_db

TODAY = date(2025, 7, 20)


def entry(**changes) -> LabEntry:
    values = {
        "test": "serum_b12",
        "value": Decimal(150),
        "unit": "pmol/L",
        "taken_on": date(2025, 7, 1),
    }
    return LabEntry(**(values | changes))


def record(patient, **changes) -> LabResult:
    return lab_result_record(patient=patient, actor=patient, entry=entry(**changes), today=TODAY)


def refused(patient, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        record(patient, **changes)
    assert not LabResult.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="lab_result").exists()
    return caught.value.message_dict


def test_a_result_is_stored_as_printed_and_in_the_canonical_unit(alice):
    result = record(alice, ref_low=Decimal(140), ref_high=Decimal(700), note="GP surgery")

    result.refresh_from_db()
    assert (result.value, result.unit) == (Decimal(150), "pmol/L")
    assert (result.canonical_value, result.canonical_unit) == (Decimal("203.25"), "ng/L")
    assert result.loinc == "2132-9" and result.entered_by == alice
    assert band(result) == "indeterminate"
    event = AuditEvent.objects.get(action="lab_result.recorded")
    assert event.patient == alice and event.detail["result"]["value"] == "150"


def test_active_b12_is_stored_without_a_loinc_code(alice):
    assert record(alice, test="active_b12", value=Decimal(30)).loinc == ""


def test_a_unit_of_another_test_is_refused_beside_the_unit(alice):
    problems = refused(alice, value=Decimal(250), unit="umol/L")

    assert problems == {"unit": ["µmol/L is not a unit for Serum B12: choose pg/mL, ng/L, pmol/L."]}


def test_a_unit_we_do_not_know_is_refused(alice):
    assert refused(alice, unit="furlongs") == {"unit": ["Choose a unit from the list."]}


def test_an_implausibly_high_b12_is_refused_with_its_conversion(alice):
    problems = refused(alice, value=Decimal(5000), unit="pmol/L")

    [message] = problems["value"]
    assert message.startswith("5000 pmol/L (6775 ng/L) is implausible for Serum B12")
    assert "Check the value and the unit" in message


@pytest.mark.parametrize(
    ("test", "unit", "value"),
    [
        ("serum_b12", "pg/mL", "5"),
        ("mma", "nmol/L", "0.3"),  # typed in µmol/L by mistake
        ("haemoglobin", "g/L", "13.5"),  # typed in g/dL by mistake
        ("haemoglobin", "g/dL", "135"),
        ("mcv", "fL", "9999"),
        ("ferritin", "ug/L", "999999"),
    ],
)
def test_absurd_values_are_refused(alice, test, unit, value):
    assert "implausible" in refused(alice, test=test, unit=unit, value=Decimal(value))["value"][0]


@pytest.mark.parametrize("value", ["0", "-5"])
def test_zero_or_negative_is_refused(alice, value):
    assert refused(alice, value=Decimal(value)) == {
        "value": ["Enter the result as a number above zero."]
    }


def test_a_sample_date_in_the_future_is_refused(alice):
    problems = refused(alice, taken_on=date(2025, 7, 21))

    assert problems == {
        "taken_on": ["The sample date is in the future: enter the day it was taken."]
    }


def test_a_sample_date_before_birth_is_refused(alice):
    alice.patient_profile.date_of_birth = date(1980, 5, 1)
    alice.patient_profile.save()

    assert refused(alice, taken_on=date(1980, 4, 30)) == {
        "taken_on": ["The sample date is before your date of birth."]
    }
    assert record(alice, taken_on=date(1980, 5, 1)).taken_on == date(1980, 5, 1)


def test_without_a_birth_date_dates_before_1900_are_refused(alice):
    assert refused(alice, taken_on=date(1899, 12, 31)) == {
        "taken_on": ["Enter a sample date from 1900 onwards."]
    }


def test_a_lab_range_upside_down_is_refused(alice):
    assert refused(alice, ref_low=Decimal(700), ref_high=Decimal(140)) == {
        "ref_high": ["The top of the lab's range is below its bottom: check both."]
    }


def test_several_problems_are_all_reported(alice):
    problems = refused(alice, value=Decimal(0), taken_on=date(2030, 1, 1))

    assert set(problems) == {"value", "taken_on"}


def test_the_database_refuses_a_unit_of_another_test(alice):
    result = record(alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        LabResult.objects.filter(pk=result.pk).update(unit="g/L")


def test_the_database_refuses_a_range_upside_down(alice):
    result = record(alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        LabResult.objects.filter(pk=result.pk).update(ref_low=Decimal(9), ref_high=Decimal(1))


def test_a_correction_keeps_before_and_after_in_the_audit_log(alice):
    result = record(alice)

    lab_result_update(
        result=result, actor=alice, entry=entry(value=Decimal(150), unit="pg/mL"), today=TODAY
    )

    result.refresh_from_db()
    assert (result.unit, result.canonical_value) == ("pg/mL", Decimal(150))
    assert band(result) == "deficient"
    assert result.changed_at is not None
    event = AuditEvent.objects.get(action="lab_result.corrected")
    assert event.detail == {"changed": {"unit": ["pmol/L", "pg/mL"]}}


def test_a_refused_correction_changes_nothing(alice):
    result = record(alice)

    with pytest.raises(ValidationError):
        lab_result_update(result=result, actor=alice, entry=entry(value=Decimal(-1)), today=TODAY)

    result.refresh_from_db()
    assert result.value == Decimal(150)
    assert not AuditEvent.objects.filter(action="lab_result.corrected").exists()


def test_latest_results_per_test_in_one_query(alice, dave, django_assert_num_queries):
    record(alice, taken_on=date(2025, 1, 1), value=Decimal(100))
    newest = record(alice, taken_on=date(2025, 6, 1), value=Decimal(300))
    record(alice, taken_on=date(2025, 3, 1), value=Decimal(200))
    folate = record(alice, test="folate", unit="ng/mL", value=Decimal(5))
    record(dave, taken_on=date(2025, 7, 1), value=Decimal(400))

    with django_assert_num_queries(1):
        latest = latest_results(alice)

    assert latest == {"serum_b12": newest, "folate": folate}


def test_timing_warnings_count_only_injections_that_stand(alice):
    from monitoring.labs.selectors import trend_rows
    from schedules import services
    from tests.clinic.helpers import log
    from tests.helpers import prescribe

    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 6, 1), today=TODAY)
    log(rx, date(2025, 6, 1), today=TODAY)
    voided = log(rx, date(2025, 6, 25), today=TODAY, confirm=True)
    services.injection_void(injection=voided, actor=alice, reason="Not given", today=TODAY)
    record(alice, taken_on=date(2025, 6, 28))  # 27 days after the one that stands
    record(alice, taken_on=date(2025, 6, 10))  # 9 days after it

    [early, late] = trend_rows(alice, "serum_b12")

    assert early.warnings == [
        "Taken 9 days after an injection: it reflects the injection, not your levels between doses."
    ]
    assert late.warnings == []
