"""Voiding and correcting an injection: the original stays visible, a reason is needed, and
the plan follows what is left."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from schedules import services
from schedules.models import Injection
from tests.schedules.helpers import START, create, live_dues, log


@pytest.mark.django_db
def test_voided_injection_returns_its_dose_to_missed_and_stays_visible(alice):
    rx = create(alice)
    shot = log(rx, date(2025, 1, 6))
    services.injection_void(
        injection=shot, actor=alice, reason="Logged by mistake", today=date(2025, 1, 9)
    )
    shot.refresh_from_db()
    assert shot.status == Injection.Status.VOIDED and shot.reason == "Logged by mistake"
    first = rx.doses.get(due=START)
    assert first.injection_id is None and first.status == "missed"
    with pytest.raises(ValidationError):
        services.injection_void(injection=shot, actor=alice, reason="again")


@pytest.mark.django_db
def test_void_needs_a_reason_and_writes_nothing_without_one(alice):
    rx = create(alice)
    shot = log(rx, START)
    with pytest.raises(ValidationError) as error:
        services.injection_void(injection=shot, actor=alice, reason="  ")
    assert "reason" in error.value.message_dict
    shot.refresh_from_db()
    assert shot.status == "recorded"


@pytest.mark.django_db
def test_correction_keeps_the_original_and_the_plan_follows_the_new_date(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 31), today=date(2025, 1, 31))
    log(rx, date(2025, 1, 31))
    wrong = log(rx, date(2025, 2, 28), today=date(2025, 3, 5))
    fixed = services.injection_correct(
        injection=wrong,
        actor=alice,
        reason="It was on the 3rd",
        given_on=date(2025, 3, 3),
        today=date(2025, 3, 5),
    )
    wrong.refresh_from_db()
    assert wrong.status == "corrected" and fixed.replaces_id == wrong.pk
    assert live_dues(rx)[2] == date(2025, 4, 3)
