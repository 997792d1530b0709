"""Fixtures for the clinician pages: a frozen clock and alice's hand-computed history."""

from datetime import date

import pytest
import time_machine

from schedules import services

from .helpers import log, noon, prescribe, settle

TODAY = date(2025, 7, 20)


@pytest.fixture
def clock():
    """Frozen at noon UTC on TODAY; `clock.move_to(noon(day))` to move."""
    with time_machine.travel(noon(TODAY), tick=False) as traveller:
        yield traveller


@pytest.fixture
def history(alice, clock):
    """alice on monthly maintenance from 31 Jan 2025, worked by hand (see test_metrics.py):

    01-31 on time; 02-28 given 03-03 (late, re-anchors: next 04-03); 04-03 first logged 04-01,
    corrected to 04-02 (on time, early; next 05-02); 05-02 logged then voided (missed);
    06-02 on time, plus an extra injection on 06-05; 07-02 given 07-04 (late; next 08-04).
    """
    rx = prescribe(alice, "seed-maintenance", date(2025, 1, 31))
    log(rx, date(2025, 1, 31))
    log(rx, date(2025, 3, 3))
    first = log(rx, date(2025, 4, 1))
    services.injection_correct(
        injection=first,
        actor=alice,
        reason="Wrong day typed",
        given_on=date(2025, 4, 2),
        today=date(2025, 4, 2),
    )
    wrong = log(rx, date(2025, 5, 2))
    services.injection_void(
        injection=wrong, actor=alice, reason="Not given after all", today=date(2025, 5, 2)
    )
    log(rx, date(2025, 6, 2))
    log(rx, date(2025, 6, 5), confirm=True)
    log(rx, date(2025, 7, 4))
    settle(rx, TODAY)
    return rx
