"""Adjustment triggers: symptoms back 14 days or more before the next dose in 2 of the last 3
cycles, pins and needles new or worse, a deficient serum B12 on maintenance. Each is flagged
once per episode with its evidence, again only after the evidence went away and came back,
and a new maintenance interval (from the flag's page) ends the flag."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from monitoring import actions, triggers
from monitoring.checkins import checkin_save
from monitoring.labs.services import LabEntry, lab_result_record
from monitoring.models import Flag, TriggerState
from monitoring.symptom_return import Cycle, DayScore, ReturnSummary
from tests.clinic.helpers import log
from tests.helpers import noon, prescribe

pytestmark = pytest.mark.django_db

START = date(2025, 1, 6)


def cycle(return_day: int | None, interval: int = 90) -> Cycle:
    injected = date(2025, 1, 1)
    return Cycle(
        injected_on=injected,
        interval_days=interval,
        next_injected_on=injected + timedelta(days=interval),
        baseline=1,
        return_day=return_day,
        days=(DayScore(on=injected + timedelta(days=2), total=1, tingling=0),),
    )


def summary(*return_days: int | None, around: float | None = None) -> ReturnSummary:
    """Cycles given oldest first; the summary holds them newest first, as the selector does."""
    counted = tuple(cycle(day) for day in reversed(return_days))
    return ReturnSummary(
        cycles=counted, counted=counted, median_return_day=around, interval_days=90
    )


def test_early_in_two_of_the_last_three_cycles_is_evidence_with_the_days():
    found = triggers.early_return(summary(58, 61, 63, around=61))

    assert found is not None
    assert found.summary == "Symptoms return around day 61 of 90 (cycles: 58, 61, 63)"


@pytest.mark.parametrize(
    "days",
    [
        (58, 80, 85),  # one early: 80 and 85 are within 14 days of day 90
        (76, 77, 88),  # exactly 14 days early counts: 76 is, 77 is not
        (58, None, None),  # symptoms held in two cycles
    ],
)
def test_fewer_than_two_early_cycles_is_no_evidence(days):
    assert triggers.early_return(summary(*days, around=80)) is None


def test_only_the_last_three_cycles_count():
    # Early long ago, on time in the last three.
    assert triggers.early_return(summary(40, 40, 40, 80, 85, 88, around=60)) is None
    assert triggers.early_return(summary(76, 76, 88, around=76)) is not None


# --- On real data ------------------------------------------------------------------------------


def check_in(patient, on: date, **scores: int) -> None:
    checkin_save(patient=patient, actor=patient, on=on, values=scores, today=on)


def monthly_cycles(alice, count: int, *, return_day: int = 12, tingling: int = 0):
    """seed-maintenance from START, each dose given on its day; in each cycle a good day 2 and
    symptoms back on `return_day`."""
    rx = prescribe(alice, regimen="seed-maintenance", start=START)
    dues = [date(2025, month, 6) for month in range(1, count + 2)]
    for n, due in enumerate(dues):
        log(rx, due)
        if n < count:
            check_in(alice, due + timedelta(days=2), tiredness=1)
            check_in(
                alice, due + timedelta(days=return_day), tiredness=3, mood=2, tingling=tingling
            )
    return rx


def test_symptoms_back_early_are_flagged_once_with_the_evidence(alice, bob):
    rx = monthly_cycles(alice, 3)

    [flag] = Flag.objects.filter(kind="symptoms_return_early")
    assert flag.prescription == rx and flag.status == "open"
    assert flag.summary.startswith("Symptoms return around day 12 of ")
    assert "(cycles: 12, 12" in flag.summary
    assert triggers.run_triggers(prescription=rx) == 0  # the same episode: nothing new


def test_cycles_on_an_interval_since_changed_do_not_raise_it_again(client_for, alice, bob):
    rx = monthly_cycles(alice, 3)
    flag = Flag.objects.get(kind="symptoms_return_early")
    with time_machine.travel(noon(date(2025, 4, 7)), tick=False):
        response = client_for(bob).post(
            reverse("clinic:interval_change", args=[alice.pk]),
            {"every": "4", "unit": "week", "reason": "Symptoms back by day 12"},
        )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "resolved"

    # One cycle on the new interval, symptoms back only 2 days before the dose: with the
    # two early cycles on the old interval it would be "2 of the last 3", but those no
    # longer speak for the interval prescribed now.
    log(rx, date(2025, 5, 4))
    check_in(alice, date(2025, 5, 6), tiredness=1)
    check_in(alice, date(2025, 5, 30), tiredness=3, mood=2)
    log(rx, date(2025, 6, 1))

    assert triggers.run_triggers(prescription=rx) == 0
    assert Flag.objects.filter(kind="symptoms_return_early").count() == 1


def test_no_flag_without_a_clinician(alice):
    monthly_cycles(alice, 3)

    assert not Flag.objects.filter(kind="symptoms_return_early").exists()


def test_symptoms_back_near_the_dose_are_not_flagged(alice, bob):
    monthly_cycles(alice, 3, return_day=20)  # 8 to 11 days before the next dose

    assert not Flag.objects.filter(kind="symptoms_return_early").exists()


def test_tingling_worse_than_the_previous_cycle_is_flagged(alice, bob):
    rx = monthly_cycles(alice, 2)
    check_in(alice, date(2025, 3, 10), tingling=2)

    [flag] = Flag.objects.filter(kind="tingling_worse", prescription=rx)
    assert flag.summary == "Pins and needles new or worse in the check-in of 10 Mar 2025"


def b12(alice, value: str, taken_on: date, unit: str = "pmol/L"):
    entry = LabEntry(test="serum_b12", value=Decimal(value), unit=unit, taken_on=taken_on)
    return lab_result_record(patient=alice, actor=alice, entry=entry, today=taken_on)


def test_a_deficient_b12_on_maintenance_is_flagged_with_its_value(alice, bob):
    prescribe(alice, regimen="seed-maintenance", start=START)

    b12(alice, "100", date(2025, 2, 20))  # 135.5 ng/L: deficient

    [flag] = Flag.objects.filter(kind="low_b12_on_maintenance")
    assert flag.summary == "Serum B12 100 pmol/L on 20 Feb 2025, in the deficient range"


def test_an_indeterminate_b12_or_one_during_loading_is_not_flagged(alice, bob):
    prescribe(alice, regimen="bnf-neuro", start=START)  # open-ended loading
    b12(alice, "100", date(2025, 1, 20))
    b12(alice, "250", date(2025, 1, 27), unit="ng/L")

    assert not Flag.objects.filter(kind="low_b12_on_maintenance").exists()


def test_one_flag_per_episode_and_a_new_one_when_the_evidence_comes_back(alice, bob):
    rx = prescribe(alice, regimen="seed-maintenance", start=START)
    b12(alice, "100", date(2025, 2, 20))
    [first] = Flag.objects.filter(kind="low_b12_on_maintenance")
    triggers.run_triggers(prescription=rx)  # the same evidence again: nothing new
    actions.flag_resolve(flag=first, actor=bob, note="Asked for a repeat test")
    triggers.run_triggers(prescription=rx)  # answered, and nothing new since: stays answered
    assert Flag.objects.filter(kind="low_b12_on_maintenance").count() == 1

    # Still deficient on the repeat test after the clinician answered: they hear of it again.
    b12(alice, "110", date(2025, 3, 20))
    assert Flag.objects.filter(kind="low_b12_on_maintenance", status="open").count() == 1

    b12(alice, "400", date(2025, 4, 20), unit="ng/L")  # the evidence goes away
    assert not TriggerState.objects.get(kind="low_b12_on_maintenance").active
    b12(alice, "100", date(2025, 5, 20))  # and comes back: a new episode

    flags = list(Flag.objects.filter(kind="low_b12_on_maintenance").order_by("pk"))
    assert [flag.key.rsplit(":", 1)[1] for flag in flags] == ["1", "2", "3"]
    assert flags[2].status == "open"


def test_the_flag_links_to_the_interval_form_and_a_new_interval_ends_it(client_for, alice, bob):
    rx = prescribe(alice, regimen="seed-maintenance", start=START)
    b12(alice, "100", date(2025, 2, 20))
    client = client_for(bob)

    page = client.get(reverse("clinic:patient_detail", args=[alice.pk])).content.decode()
    link = f"{reverse('clinic:patient_detail', args=[alice.pk])}#interval-heading"
    assert f'href="{link}"' in page
    assert 'id="interval-heading"' in page

    response = client.post(
        reverse("clinic:interval_change", args=[alice.pk]),
        {"every": "4", "unit": "week", "reason": "B12 low on monthly"},
    )

    assert response.status_code == 302
    flag = Flag.objects.get(kind="low_b12_on_maintenance", prescription=rx)
    assert flag.status == "resolved" and flag.acted_by == bob
    assert "Ended: " in flag.note


def test_a_flag_still_waiting_shows_the_evidence_as_it_stands(alice, bob):
    prescribe(alice, regimen="seed-maintenance", start=START)
    b12(alice, "100", date(2025, 2, 20))
    b12(alice, "90", date(2025, 3, 20))

    [flag] = Flag.objects.filter(kind="low_b12_on_maintenance")
    assert flag.summary == "Serum B12 90 pmol/L on 20 Mar 2025, in the deficient range"
