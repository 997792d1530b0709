"""Before your appointment: the regimen, adherence so far, late and missed doses, and
questions built from the record."""

from datetime import date

import pytest
from django.urls import reverse

from tests.helpers import noon, standard_prescription
from tests.htmltools import parse
from tests.schedules.helpers import START, log

pytestmark = pytest.mark.django_db
URL = reverse("schedules:appointment")


def page_for(client_for, user):
    response = client_for(user).get(URL)
    assert response.status_code == 200
    return parse(response.content)


def test_adherence_counts_late_and_missed_doses(client_for, alice, alice_rx, clock):
    log(alice_rx, START)
    log(alice_rx, date(2025, 1, 11))  # Friday's dose a day late
    clock.move_to(noon(date(2025, 1, 16)))  # Monday 13th missed

    page = page_for(client_for, alice)

    adherence = page.by_id("adherence").text
    assert "2 given of 4 (50%)" in adherence
    assert "On time 1" in adherence and "Late 1" in adherence and "Missed 2" in adherence
    listed = page.by_id("late-or-missed").text
    assert "Due 10 Jan 2025: given 11 Jan 2025, 1 day late" in listed
    assert "Due 8 Jan 2025: missed" in listed and "Due 13 Jan 2025: missed" in listed
    questions = page.by_id("questions").text
    assert "I missed 2 doses" in questions
    assert "Can you check and confirm my prescription" in questions
    assert "Which blood tests do I need" in questions


def test_open_ended_phase_prompts_a_question_about_when_it_stops(client_for, alice, clock):
    standard_prescription(
        alice,
        regimen="bnf-neuro",
        start=START,
        neuro=True,
        monitoring_plan="B12 at 3 months",
        adjustment_triggers="Tingling returns",
    )

    questions = page_for(client_for, alice).by_id("questions").text

    assert "phase has no end date" in questions
    assert "nerve symptoms" in questions
    assert "Which blood tests" not in questions


def test_nothing_late_says_so(client_for, alice, alice_rx):
    page = page_for(client_for, alice)

    assert (
        "None. Every dose so far was on time."
        in page.find("section", **{"aria-labelledby": "late-heading"}).text
    )


def test_injection_outside_every_dose_window_counts_as_extra(client_for, alice, clock):
    rx = standard_prescription(
        alice,
        regimen="seed-maintenance",
        start=START,
    )
    log(rx, START)
    log(rx, date(2025, 1, 22))  # between the windows of 6 Jan and 6 Feb: no dose takes it
    clock.move_to(noon(date(2025, 1, 22)))

    page = page_for(client_for, alice)

    adherence = page.by_id("adherence").text
    assert "Extra injections 1 (not counted as doses)" in adherence
    assert "1 given of 1" in adherence
    assert "1 extra injection that did not count as a planned dose" in page.by_id("questions").text
