"""The review that runs when a prescription's data changes: review flags as soon as the data
shows them (not a sweep later), the record checks (a "no nerve symptoms" regimen with nerve
symptoms, an expired ampoule) once each and only for a patient a clinician follows, and flags
that end when their reason goes away."""

from datetime import date

import pytest
import time_machine

from accounts.models import AuditEvent
from monitoring.checks import (
    AMPOULE_GONE,
    MISMATCH_GONE,
    OVERDUE_GONE,
    plan_changed_reviewed,
    raise_all_record_flags,
)
from monitoring.models import Flag
from monitoring.review import flag_overdue_maintenance
from schedules import services
from tests.clinic.helpers import link, log, settle
from tests.helpers import noon, prescribe, standard_prescription

pytestmark = pytest.mark.django_db

START = date(2025, 1, 6)  # a Monday


def mismatched(patient, **extra):
    with time_machine.travel(noon(START), tick=False):
        return standard_prescription(
            patient, regimen="bnf-no-neuro", start=START, today=START, neuro=True, **extra
        )


# --- review flags when the data changes ---------------------------------------------------------


def test_repeated_misses_are_flagged_by_the_re_plan_that_marks_them(alice, bob):
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 1, 6))

    with time_machine.travel(noon(date(2025, 3, 20)), tick=False):
        settle(rx, date(2025, 3, 20))  # 6 Feb and 6 Mar missed; no sweep runs

    flag = Flag.objects.get(kind="repeated_misses")
    assert flag.dose.due == date(2025, 3, 6) and flag.status == "open"


def test_a_patient_at_the_start_with_nothing_missed_has_no_flag(alice, bob):
    rx = prescribe(alice, regimen="seed-maintenance", start=START)
    log(rx, START)

    assert not Flag.objects.exists()


# --- regimen mismatch ---------------------------------------------------------------------------


def test_nerve_symptoms_on_a_no_nerve_symptoms_regimen_are_flagged_once(alice, bob):
    rx = mismatched(alice)
    with time_machine.travel(noon(START), tick=False):
        log(rx, START)  # another re-plan: still one flag

    flag = Flag.objects.get(kind="regimen_mismatch")
    assert flag.get_kind_display() == (
        "Check the regimen: nerve symptoms reported on a schedule for no nerve symptoms"
    )
    assert flag.prescription == rx and flag.status == "open"
    assert AuditEvent.objects.filter(action="flag.raised", object_id=str(flag.pk)).count() == 1


def test_no_record_flags_without_an_active_clinician_link(dave):
    rx = mismatched(dave)
    with time_machine.travel(noon(START), tick=False):
        log(rx, START, expiry=date(2024, 12, 1))

    assert not Flag.objects.filter(kind__in=["regimen_mismatch", "expired_ampoule"]).exists()


def test_the_mismatch_flag_ends_when_the_record_no_longer_mismatches(alice, bob):
    rx = mismatched(alice)

    with time_machine.travel(noon(START), tick=False):
        services.prescription_update(
            prescription=rx, actor=bob, changes={"neuro": False}, reason="No tingling after all"
        )

    flag = Flag.objects.get(kind="regimen_mismatch")
    assert flag.status == "resolved" and flag.note == MISMATCH_GONE


def test_a_resolved_mismatch_is_not_raised_again(alice, bob):
    rx = mismatched(alice)
    Flag.objects.filter(kind="regimen_mismatch").update(status="resolved")

    with time_machine.travel(noon(START), tick=False):
        log(rx, START)

    assert Flag.objects.filter(kind="regimen_mismatch").count() == 1


# --- expired ampoule ----------------------------------------------------------------------------


def test_an_injection_with_an_expired_ampoule_is_flagged_with_both_dates(alice, bob):
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 12, 3))

    with time_machine.travel(noon(date(2025, 12, 3)), tick=False):
        log(rx, date(2025, 12, 3), expiry=date(2025, 11, 1))
        log(rx, date(2026, 1, 3), today=date(2026, 1, 3), expiry=date(2026, 1, 3))  # that day: fine

    flag = Flag.objects.get(kind="expired_ampoule")
    assert flag.summary == "Injection on 3 Dec used an ampoule that expired on 1 Nov"
    assert flag.status == "open"


def test_the_expired_ampoule_flag_ends_when_the_entry_is_corrected(alice, bob):
    rx = prescribe(alice, regimen="seed-maintenance", start=START)
    with time_machine.travel(noon(START), tick=False):
        injection = log(rx, START, expiry=date(2024, 11, 1))
        services.injection_correct(
            injection=injection,
            actor=alice,
            reason="Misread the box",
            expiry=date(2026, 11, 1),
            today=START,
        )

    flag = Flag.objects.get(kind="expired_ampoule")
    assert flag.summary == "Injection on 6 Jan 2025 used an ampoule that expired on 1 Nov 2024"
    assert flag.status == "resolved" and flag.note == AMPOULE_GONE


# --- overdue maintenance ends when the dose is logged -------------------------------------------


def test_the_overdue_flag_ends_when_the_dose_is_logged(alice, bob):
    rx = prescribe(alice, regimen="bnf-no-neuro", start=START)
    for day in (6, 8, 10, 13, 15, 17):
        log(rx, date(2025, 1, day))
    flag_overdue_maintenance(now=noon(date(2025, 3, 25)))  # 17 Mar, 8 days on

    with time_machine.travel(noon(date(2025, 3, 26)), tick=False):
        log(rx, date(2025, 3, 26))

    flag = Flag.objects.get(kind="maintenance_overdue")
    assert flag.status == "resolved" and flag.note == OVERDUE_GONE
    assert AuditEvent.objects.filter(action="flag.ended", object_id=str(flag.pk)).exists()


# --- the sweep's safety net ---------------------------------------------------------------------


def test_the_sweep_raises_record_flags_once_a_clinician_follows_the_patient(dave, bob):
    rx = mismatched(dave)
    with time_machine.travel(noon(START), tick=False):
        log(rx, START, expiry=date(2024, 12, 1))
    assert raise_all_record_flags(now=noon(START)) == 0  # nobody follows dave yet

    link(bob, dave)

    assert raise_all_record_flags(now=noon(START)) == 2
    assert raise_all_record_flags(now=noon(START)) == 0
    kinds = set(Flag.objects.filter(patient=dave).values_list("kind", flat=True))
    assert kinds == {"regimen_mismatch", "expired_ampoule"}


REVIEW_QUERIES = 11  # four review rules, the link, two record checks, three endings


@pytest.mark.parametrize("logged", [1, 6])
def test_the_review_of_one_prescription_takes_a_fixed_number_of_queries(
    alice, bob, django_assert_num_queries, logged
):
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 1, 6))
    for month in range(1, logged + 1):
        log(rx, date(2025, month, 6), expiry=date(2024, 1, 1))

    with django_assert_num_queries(REVIEW_QUERIES):
        plan_changed_reviewed(prescription=rx)
