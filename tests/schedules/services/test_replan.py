"""Re-planning: running it twice changes nothing, late and early injections re-anchor the
rest of the phase, and a missed dose extends a counted phase without a double dose."""

from datetime import date

import pytest

from schedules import services
from schedules.models import Dose
from tests.schedules.helpers import create, live_dues, log


@pytest.mark.django_db
def test_replanning_twice_changes_nothing(alice):
    rx = create(alice)
    log(rx, date(2025, 1, 7), today=date(2025, 1, 9))
    first = services.prescription_replan(prescription=rx, today=date(2025, 1, 9))
    before = list(Dose.objects.filter(prescription=rx).values())
    second = services.prescription_replan(prescription=rx, today=date(2025, 1, 9))
    assert not second.changed
    assert list(Dose.objects.filter(prescription=rx).values()) == before
    assert first.created == 0


@pytest.mark.django_db
def test_late_injection_reanchors_the_rest_of_the_phase(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 31), today=date(2025, 1, 31))
    log(rx, date(2025, 1, 31))
    log(rx, date(2025, 3, 3))
    dues = live_dues(rx)
    assert dues[:5] == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 4, 3),
        date(2025, 5, 3),
        date(2025, 6, 3),
    ]
    assert rx.doses.get(due=date(2025, 2, 28)).injection.given_on == date(2025, 3, 3)
    assert not rx.doses.filter(due=date(2025, 3, 31)).exclude(status="cancelled").exists()


@pytest.mark.django_db
def test_early_injection_reanchors_from_its_own_date(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 31), today=date(2025, 1, 31))
    log(rx, date(2025, 1, 31))
    log(rx, date(2025, 2, 25))
    assert live_dues(rx)[:3] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 25)]


@pytest.mark.django_db
def test_missed_dose_extends_a_counted_phase_and_is_never_doubled(alice):
    rx = create(alice)
    for day in (6, 10, 13, 15, 17):
        log(rx, date(2025, 1, day), today=date(2025, 1, 17))
    services.prescription_replan(prescription=rx, today=date(2025, 1, 18))
    assert rx.doses.get(due=date(2025, 1, 8)).status == "missed"
    dues = live_dues(rx)
    assert date(2025, 1, 20) in dues and date(2025, 3, 20) in dues
    assert date(2025, 3, 17) not in dues
    assert len(dues) == len(set(dues))
