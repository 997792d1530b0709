"""Fixtures for the clinician pages: a frozen clock, alice's hand-computed history, her
open-ended loading with a missed dose, and a ward of three patients in need order."""

from datetime import date, timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta

from core.clock import local_today
from monitoring.models import Flag
from schedules import services
from tests.helpers import noon, prescribe

from .helpers import TODAY, link, log, settle


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
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 1, 31))
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


@pytest.fixture
def neuro(alice, clock):
    """bnf-neuro from Sun 6 Jul 2025: every other day until a clinician ends it; 10 Jul missed."""
    rx = prescribe(alice, regimen="bnf-neuro", start=date(2025, 7, 6))
    for day in (6, 8, 12, 14, 16, 18):
        log(rx, date(2025, 7, day))
    settle(rx, TODAY)
    return rx


@pytest.fixture
def flag(neuro):
    """The open flag for neuro's missed 10 Jul loading dose."""
    return Flag.objects.get(kind="missed_loading")


@pytest.fixture
def ward(bob, alice, make_patient):
    """alice has missed a loading dose (an open flag); erin is overdue on maintenance but
    has no open flag; aaron is up to date. Alphabetically aaron would come first."""
    today = local_today(alice)
    rx = prescribe(alice, regimen="bnf-neuro", start=today - timedelta(days=12))
    for n, day in enumerate(range(12, 0, -2)):
        if n != 2:
            log(rx, today - timedelta(days=day))
    settle(rx, today)
    erin = make_patient("erin@example.com", "Erin Overdue")
    link(bob, erin)
    start = today - relativedelta(months=1) - timedelta(days=3)
    rx = prescribe(erin, regimen="seed-maintenance", start=start)
    log(rx, start)
    settle(rx, today)  # the second dose was due 3 days ago: overdue, its window still open
    aaron = make_patient("aaron@example.com", "Aaron Adams")
    link(bob, aaron)
    rx = prescribe(aaron, regimen="seed-maintenance", start=today - timedelta(days=5))
    log(rx, today - timedelta(days=5))
    return {"alice": alice, "erin": erin, "aaron": aaron}
