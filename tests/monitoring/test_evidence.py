"""The evidence shown before an appointment and on the clinician's printed report: when
symptoms come back (with each cycle in a table), the latest result of each test as printed,
converted and banded, and urgent check-in answers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from monitoring.checkins import checkin_save
from monitoring.labs.services import LabEntry, lab_result_record
from tests.clinic.helpers import log
from tests.helpers import noon, prescribe

pytestmark = pytest.mark.django_db

START = date(2025, 1, 6)
TODAY = date(2025, 5, 10)


@pytest.fixture
def record(alice):
    """Four monthly cycles, symptoms back on day 12 of each; a low B12; an urgent answer."""
    rx = prescribe(alice, regimen="seed-maintenance", start=START)
    for month in range(1, 6):
        due = date(2025, month, 6)
        log(rx, due)
        if month < 5:
            for day, scores in ((2, {"tiredness": 1}), (12, {"tiredness": 3, "mood": 2})):
                on = due + timedelta(days=day)
                checkin_save(patient=alice, actor=alice, on=on, values=scores, today=on)
    entry = LabEntry(
        test="serum_b12", value=Decimal("150"), unit="pmol/L", taken_on=date(2025, 4, 1)
    )
    lab_result_record(patient=alice, actor=alice, entry=entry, today=date(2025, 4, 2))
    on = date(2025, 5, 8)
    checkin_save(patient=alice, actor=alice, on=on, values={"walking": True}, today=on)
    return rx


def assert_evidence(page: str) -> None:
    assert "Symptoms return around day 12 of " in page
    table = page.split('id="return-cycles"')[1].split("</table>")[0]
    assert table.count("<td>12</td>") == 4  # each cycle's return day
    assert "150 pmol/L (203 ng/L)" in page
    assert "Indeterminate" in page and "1 Apr 2025" in page
    assert "8 May 2025: Difficulty walking" in page


def test_the_appointment_page_shows_the_evidence(client_for, alice, record):
    with time_machine.travel(noon(TODAY), tick=False):
        page = client_for(alice).get(reverse("schedules:appointment")).content.decode()

    assert "What your check-ins and tests show" in page
    assert_evidence(page)


def test_the_printed_report_shows_the_evidence(client_for, alice, bob, record):
    with time_machine.travel(noon(TODAY), tick=False):
        response = client_for(bob).get(reverse("clinic:patient_report", args=[alice.pk]))

    assert "Evidence for the interval" in response.content.decode()
    assert_evidence(response.content.decode())


def test_with_nothing_recorded_the_page_says_so(client_for, dave):
    prescribe(dave, regimen="seed-maintenance", start=START)

    page = client_for(dave).get(reverse("schedules:appointment")).content.decode()

    assert "No blood test results recorded" in page
    assert "None in the last 180 days." in page


def test_dave_sees_none_of_alices_evidence(client_for, alice, dave, record):
    prescribe(dave, regimen="seed-maintenance", start=START)

    page = client_for(dave).get(reverse("schedules:appointment")).content.decode()

    assert "203 ng/L" not in page and "Difficulty walking" not in page


def test_charlie_gets_404_on_alices_report(client_for, charlie, alice, record):
    assert (
        client_for(charlie).get(reverse("clinic:patient_report", args=[alice.pk])).status_code
        == 404
    )
