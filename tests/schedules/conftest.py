"""Fixtures for the patient pages: a frozen clock on the DOMAIN.md fixture week and alice's
bnf-no-neuro prescription (Mon/Wed/Fri loading from Monday 2025-01-06)."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from schedules import services

START = date(2025, 1, 6)


def noon(day: date) -> datetime:
    """Midday UTC: the same calendar date in London and New York."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@pytest.fixture
def clock():
    """Frozen at noon on the fixture Monday; `clock.move_to(noon(day))` to move on."""
    with time_machine.travel(noon(START), tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice_rx(alice, clock):
    return services.prescription_create(
        patient=alice,
        actor=alice,
        product="hydroxocobalamin",
        strength_mcg_per_ml=1000,
        dose_mcg=1000,
        route="IM",
        start_date=START,
        regimen_slug="bnf-no-neuro",
    )


def log(rx, day: date, site: str = "deltoid_left", **extra):
    """An injection logged on its own day (the clock is not moved)."""
    return services.injection_log(
        prescription=rx, actor=rx.patient, given_on=day, site=site, today=day, **extra
    )
