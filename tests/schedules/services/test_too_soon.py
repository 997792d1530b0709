"""Too soon: an injection too close to another needs confirming, and a confirmed one is
extra and never moves the plan."""

from datetime import date

import pytest

from schedules import services
from schedules.models import Dose, Injection
from tests.schedules.helpers import create, live_dues, log


@pytest.mark.django_db
def test_too_soon_injection_needs_confirmation_and_never_moves_the_plan(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 31), today=date(2025, 1, 31))
    log(rx, date(2025, 1, 31))
    before = live_dues(rx)
    with pytest.raises(services.TooSoonError):
        log(rx, date(2025, 2, 5))
    assert Injection.objects.filter(prescription=rx).count() == 1
    extra = log(rx, date(2025, 2, 5), confirm=True)
    assert extra.extra is True
    assert live_dues(rx) == before
    assert not Dose.objects.filter(injection=extra).exists()
