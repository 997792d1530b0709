"""Every description of the regimen comes from the phases as they are now and the doses'
states: after a clinician's change the pages say the new interval, home, schedule and
prescription pages name the same current phase, and a counted phase that grew because doses
were missed says why."""

from datetime import date

import pytest
from django.urls import reverse

from schedules import services
from schedules.selectors.prescription import describe_regimen, phases_with_counts
from tests.helpers import noon
from tests.htmltools import parse
from tests.schedules.helpers import START, log

pytestmark = pytest.mark.django_db

LOADING = [date(2025, 1, 6), date(2025, 1, 8), date(2025, 1, 10), date(2025, 1, 13)]


def page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return parse(response.content)


def test_the_prescription_page_says_the_interval_a_clinician_set(client_for, alice, bob, alice_rx):
    services.maintenance_interval_change(
        prescription=alice_rx, actor=bob, unit="month", every=3, today=START
    )

    text = page(client_for(alice), "schedules:prescription").text

    assert "two to three months" not in text and "2–3 months" not in text
    summary = page(client_for(alice), "schedules:prescription").by_id("regimen-summary").text
    assert "Then Maintenance: every 3 months, ongoing" in summary


def test_home_schedule_and_prescription_agree_on_the_current_phase(
    client_for, alice, alice_rx, clock
):
    # The loading's last dose (Fri 17 Jan) given on Thu 16 Jan, inside its window: loading is
    # over although its last date is tomorrow, and the next dose is maintenance.
    for day in [*LOADING, date(2025, 1, 15), date(2025, 1, 16)]:
        log(alice_rx, day, today=date(2025, 1, 16))
    clock.move_to(noon(date(2025, 1, 16)))
    client = client_for(alice)

    prescription = page(client, "schedules:prescription")
    home = page(client, "home")
    schedule = page(client, "schedules:schedule")

    current = prescription.by_id("current-phase")
    assert current is not None and "Maintenance" in current.text
    assert home.by_id("phase-progress").text.startswith("Maintenance")
    assert "Now: Maintenance, every 2–3 months" in schedule.by_id("regimen-now").text
    assert "Now: Maintenance, every 2–3 months" in home.by_id("regimen-now").text
    appointment = page(client, "schedules:appointment").text
    assert "Current phase Maintenance: every 2–3 months" in appointment


def test_a_counted_phase_that_grew_says_why(client_for, alice, alice_rx, clock):
    # Wed 8 and Fri 10 Jan missed: six injections become eight dates.
    for day in (date(2025, 1, 6), date(2025, 1, 13)):
        log(alice_rx, day, today=date(2025, 1, 14))
    clock.move_to(noon(date(2025, 1, 14)))
    client = client_for(alice)

    why = "6 injections; 2 added at the end because 2 were missed"
    assert why in page(client, "schedules:prescription").find(cls="phase-list").text
    assert why in page(client, "schedules:schedule").find(cls="dose-list").text


def test_the_description_helper_names_one_current_phase(alice, alice_rx):
    phases = phases_with_counts(prescription=alice_rx, today=START)

    described = describe_regimen(phases=phases)

    assert described.current is not None and described.current.phase.kind == "repletion"
    assert [text.current for text in described.phases] == [True, False]
    assert described.summary == (
        "Repletion (loading): Mon, Wed, Fri, 6 injections. "
        "Then Maintenance: every 2–3 months, ongoing"
    )
    assert described.now == "Now: Repletion (loading), Mon, Wed, Fri"
