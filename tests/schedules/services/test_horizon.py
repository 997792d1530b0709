"""The horizon sweep: twelve months of doses kept ahead of every active prescription,
without re-planning one that already has them."""

from datetime import date

import pytest

from schedules import services
from tests.schedules.helpers import create, live_dues


@pytest.mark.django_db
def test_extend_horizons_keeps_twelve_months_ahead_and_is_idempotent(alice):
    import datetime as dt

    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 31), today=date(2025, 1, 31))
    later = dt.datetime(2025, 9, 1, 12, tzinfo=dt.UTC)
    assert services.extend_horizons(now=later) == 1
    assert max(live_dues(rx)) >= date(2026, 8, 31)
    assert services.extend_horizons(now=later) == 0
