"""Fixtures for the patient pages: a frozen clock on the worked-fixture week
(docs/schedule-semantics.md#worked-fixtures) and alice's bnf-no-neuro prescription
(Mon/Wed/Fri loading from Monday 2025-01-06)."""

import pytest
import time_machine

from tests.helpers import noon, standard_prescription
from tests.schedules.helpers import START


@pytest.fixture
def clock():
    """Frozen at noon on the fixture Monday; `clock.move_to(noon(day))` to move on."""
    with time_machine.travel(noon(START), tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice_rx(alice, clock):
    return standard_prescription(
        alice,
        regimen="bnf-no-neuro",
        start=START,
    )
