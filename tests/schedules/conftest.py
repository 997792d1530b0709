"""Fixtures for the patient pages: a frozen clock on the worked-fixture week
(docs/schedule-semantics.md#worked-fixtures) and alice's bnf-no-neuro prescription
(Mon/Wed/Fri loading from Monday 2025-01-06)."""

import pytest
import time_machine

from schedules import services
from tests.helpers import noon
from tests.schedules.helpers import START


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
