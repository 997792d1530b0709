"""The review sweep raises the flags that come from time passing, each once: maintenance
overdue by more than 7 days, two or more misses in 90 days, open-ended loading running 4
weeks without a review, and the 3-month review after the start (NICE NG239)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from accounts.models import AuditEvent
from core.models import SweepTick
from monitoring import actions
from monitoring.models import Flag
from monitoring.review import (
    flag_loading_reviews,
    flag_overdue_maintenance,
    flag_repeated_misses,
    flag_three_month_reviews,
    raise_review_flags,
)
from monitoring.services import plan_flag_digests
from monitoring.tasks import raise_review_flags as raise_review_flags_task
from reminders.dispatcher import dispatch_due
from schedules import services
from tests.clinic.helpers import log, settle
from tests.helpers import noon, prescribe, standard_prescription

pytestmark = pytest.mark.django_db


def kinds(kind: str) -> list[Flag]:
    return list(Flag.objects.filter(kind=kind).order_by("pk"))


# --- maintenance overdue ----------------------------------------------------------------------


@pytest.fixture
def two_to_three_monthly(alice):
    """bnf-no-neuro from Mon 6 Jan 2025, loading all on time: maintenance every 2–3 months,
    first due 17 Mar (window 10 Mar to 24 Apr)."""
    rx = prescribe(alice, regimen="bnf-no-neuro", start=date(2025, 1, 6))
    for day in (6, 8, 10, 13, 15, 17):
        log(rx, date(2025, 1, day))
    return rx


def test_overdue_by_more_than_7_days_is_flagged_once(two_to_three_monthly):
    assert flag_overdue_maintenance(now=noon(date(2025, 3, 24))) == 0  # 7 days: not yet

    assert flag_overdue_maintenance(now=noon(date(2025, 3, 25))) == 1
    assert flag_overdue_maintenance(now=noon(date(2025, 3, 26))) == 0

    [flag] = kinds("maintenance_overdue")
    assert flag.dose.due == date(2025, 3, 17)
    assert flag.status == "open" and flag.raised_at == noon(date(2025, 3, 25))


def test_overdue_is_counted_in_the_patients_own_zone(make_patient):
    """At 15:00 UTC on 24 Mar it is already 25 Mar in Sydney: 8 days there, 7 in London."""
    for email, zone in (
        ("lon@example.com", "Europe/London"),
        ("syd@example.com", "Australia/Sydney"),
    ):
        patient = make_patient(email, zone, zone)
        rx = prescribe(patient, regimen="bnf-no-neuro", start=date(2025, 1, 6))
        for day in (6, 8, 10, 13, 15, 17):
            log(rx, date(2025, 1, day))

    flag_overdue_maintenance(now=datetime(2025, 3, 24, 15, tzinfo=UTC))

    assert [f.patient.patient_profile.time_zone for f in kinds("maintenance_overdue")] == [
        "Australia/Sydney"
    ]


def test_a_given_dose_is_not_overdue(two_to_three_monthly):
    log(two_to_three_monthly, date(2025, 3, 20), today=date(2025, 3, 20))

    assert flag_overdue_maintenance(now=noon(date(2025, 3, 28))) == 0


def test_a_monthly_dose_past_its_window_is_missed_not_overdue(alice):
    """Monthly grace is 7 days: on day 8 the window has closed and the missed-dose flag says it."""
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 1, 31))
    log(rx, date(2025, 1, 31))

    assert flag_overdue_maintenance(now=noon(date(2025, 3, 8))) == 0


def test_a_loading_dose_is_never_maintenance_overdue(alice):
    prescribe(alice, regimen="bnf-neuro", start=date(2025, 1, 6))

    assert flag_overdue_maintenance(now=noon(date(2025, 1, 20))) == 0


# --- repeated misses --------------------------------------------------------------------------


@pytest.fixture
def monthly(alice):
    """Monthly from 31 Jan 2025: 28 Feb and 30 Apr missed (61 days apart), the rest given."""
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 1, 31))
    log(rx, date(2025, 1, 31))
    log(rx, date(2025, 3, 31))
    settle(rx, date(2025, 5, 10))
    return rx


def test_two_misses_in_90_days_are_flagged_once(monthly):
    assert flag_repeated_misses(now=noon(date(2025, 5, 10))) == 1
    assert flag_repeated_misses(now=noon(date(2025, 5, 11))) == 0

    [flag] = kinds("repeated_misses")
    assert flag.dose.due == date(2025, 4, 30)  # the miss that made it two


def test_a_third_miss_while_the_flag_is_open_adds_nothing(monthly):
    flag_repeated_misses(now=noon(date(2025, 5, 10)))
    settle(monthly, date(2025, 6, 10))  # 31 May missed too

    assert flag_repeated_misses(now=noon(date(2025, 6, 10))) == 0


def test_after_resolving_a_new_miss_raises_it_again(monthly, bob):
    flag_repeated_misses(now=noon(date(2025, 5, 10)))
    actions.flag_resolve(flag=kinds("repeated_misses")[0], actor=bob, note="Talked it through.")
    settle(monthly, date(2025, 6, 10))

    assert flag_repeated_misses(now=noon(date(2025, 6, 10))) == 1
    assert [f.dose.due for f in kinds("repeated_misses")] == [date(2025, 4, 30), date(2025, 5, 31)]


def test_misses_more_than_90_days_apart_are_not_repeated(alice):
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 1, 31))
    for day in (date(2025, 1, 31), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)):
        log(rx, day)
    settle(rx, date(2025, 7, 10))  # 28 Feb and 30 Jun missed: 122 days apart

    assert flag_repeated_misses(now=noon(date(2025, 7, 10))) == 0


# --- open-ended loading -----------------------------------------------------------------------


@pytest.fixture
def open_loading(alice):
    """bnf-neuro from 6 Jul 2025: every other day until a clinician ends it."""
    return prescribe(alice, regimen="bnf-neuro", start=date(2025, 7, 6))


def test_open_loading_for_4_weeks_is_flagged_once(open_loading):
    assert flag_loading_reviews(now=noon(date(2025, 8, 2))) == 0  # 27 days

    assert flag_loading_reviews(now=noon(date(2025, 8, 3))) == 1
    assert flag_loading_reviews(now=noon(date(2025, 8, 20))) == 0

    [flag] = kinds("loading_review")
    assert flag.key == f"phase:{open_loading.phases.get(order=0).pk}:loading-review"


def test_a_recent_clinician_review_holds_the_flag_back(open_loading, bob):
    with time_machine.travel(noon(date(2025, 7, 20)), tick=False):
        services.prescription_confirm(prescription=open_loading, clinician=bob)

    assert flag_loading_reviews(now=noon(date(2025, 8, 3))) == 0  # reviewed 14 days ago
    assert flag_loading_reviews(now=noon(date(2025, 8, 17))) == 1  # 28 days since the review


def test_ended_loading_is_not_flagged(open_loading, bob):
    with time_machine.travel(noon(date(2025, 7, 20)), tick=False):
        services.phase_close(
            phase=open_loading.phases.get(order=0), actor=bob, closed_on=date(2025, 7, 20)
        )

    assert flag_loading_reviews(now=noon(date(2025, 8, 10))) == 0


# --- the three-month review -------------------------------------------------------------------


def test_the_three_month_review_is_flagged_on_its_date_once(alice):
    # + 3 months: 30 Apr (clamped)
    prescribe(alice, regimen="seed-maintenance", start=date(2025, 1, 31))

    assert flag_three_month_reviews(now=noon(date(2025, 4, 29))) == 0
    assert flag_three_month_reviews(now=noon(date(2025, 4, 30))) == 1
    assert flag_three_month_reviews(now=noon(date(2025, 5, 1))) == 0

    [flag] = kinds("three_month_review")
    assert flag.dose is None and flag.key.endswith(":three-month-review")


def test_a_prescription_entered_long_after_it_started_gets_no_stale_review(alice):
    with time_machine.travel(noon(date(2025, 7, 20)), tick=False):
        standard_prescription(
            alice,
            regimen="seed-maintenance",
            start=date(2024, 1, 8),
        )

    assert flag_three_month_reviews(now=noon(date(2025, 7, 20))) == 0


# --- the sweep as a whole -----------------------------------------------------------------------


def test_the_sweep_twice_raises_nothing_new(two_to_three_monthly, make_patient):
    now = noon(date(2025, 4, 10))
    first = raise_review_flags(now=now)

    assert first.maintenance_overdue == 1 and first.three_month_review == 1
    assert raise_review_flags(now=now).total == 0
    assert Flag.objects.filter(kind__in=["maintenance_overdue", "three_month_review"]).count() == 2


def test_every_raised_flag_is_audited(two_to_three_monthly):
    raise_review_flags(now=noon(date(2025, 4, 10)))

    raised = AuditEvent.objects.filter(action="flag.raised", detail__kind="maintenance_overdue")
    assert raised.count() == 1


def test_the_task_runs_the_sweep_and_records_its_tick(open_loading):
    with time_machine.travel(noon(date(2025, 8, 3)), tick=False):
        assert raise_review_flags_task.delay().get() == 1
    assert SweepTick.objects.get(name="raise_review_flags").ticks == 1


def test_beat_runs_the_sweep():
    entry = settings.CELERY_BEAT_SCHEDULE["raise-review-flags"]

    assert entry["task"] == "monitoring.tasks.raise_review_flags"
    assert entry["schedule"] <= 3600


@override_settings(FLAG_DIGEST_HOUR=7)
def test_review_flags_reach_the_clinicians_digest_by_first_name_only(open_loading, bob):
    raise_review_flags(now=datetime(2025, 8, 3, 6, tzinfo=UTC))
    plan_flag_digests(now=datetime(2025, 8, 3, 7, 1, tzinfo=UTC))
    with time_machine.travel(datetime(2025, 8, 3, 7, 2, tzinfo=UTC), tick=False):
        dispatch_due()

    [message] = [m for m in mail.outbox if m.to == [bob.email]]
    assert "Alice: Open-ended loading for 4 weeks without a review" in message.body
    assert "Patel" not in message.body and "alice@example.com" not in message.body
    assert f"/clinic/patients/{open_loading.patient_id}/" in message.body
    assert timezone.now()  # the clock is real again
