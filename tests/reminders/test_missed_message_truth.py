"""The missed-dose message says the care team was told only when that is true now: a flag was
raised for that dose and the patient has an active clinician link."""

from datetime import date

import pytest
from django.utils import timezone

from accounts.models import CareLink
from monitoring.models import Flag
from reminders.messages import render
from reminders.models import Kind, Notification
from schedules import services
from schedules.models import Dose
from tests.helpers import prescribe
from tests.reminders.conftest import utc

pytestmark = pytest.mark.django_db

DUE = date(2026, 6, 11)
TOLD = "Your care team has been told"


@pytest.fixture
def dose(alice):
    rx = prescribe(alice, start=DUE, today=date(2026, 6, 10))
    return Dose.objects.get(prescription=rx, due=DUE)


def missed(dose: Dose, channel: str) -> str:
    row = Notification(
        recipient=dose.prescription.patient,
        dose=dose,
        kind=Kind.MISSED,
        channel=channel,
        scheduled_for=utc(2026, 6, 19, 8),
        next_attempt_at=utc(2026, 6, 19, 8),
    )
    return render(row).body


def flag(dose: Dose) -> Flag:
    return Flag.objects.create(
        patient=dose.prescription.patient,
        prescription=dose.prescription,
        dose=dose,
        kind=Flag.Kind.MISSED_MAINTENANCE,
    )


def test_a_patient_with_no_care_team_is_not_told_anyone_was_told(dose):
    flag(dose)

    body = missed(dose, "email")

    assert TOLD not in body and "care team" not in body
    assert "unless a clinician tells you to" in body


def test_a_flag_and_an_active_link_say_the_care_team_was_told(dose, bob):
    flag(dose)

    text = missed(dose, "sms")
    assert TOLD in missed(dose, "email")
    assert "Care team told" in text and len(text) <= 160 and text.isascii()


def test_an_active_link_without_a_flag_for_that_dose_says_nothing_of_it(dose, bob):
    assert TOLD not in missed(dose, "email")
    assert "told" not in missed(dose, "sms")


def test_a_revoked_link_no_longer_counts_as_a_care_team(dose, bob, alice):
    flag(dose)
    CareLink.objects.filter(patient=alice).update(
        status=CareLink.Status.REVOKED, ended_at=timezone.now()
    )

    assert TOLD not in missed(dose, "email")


def test_with_no_dose_to_come_the_message_names_no_next_dose(dose, alice):
    services.prescription_stop(
        prescription=dose.prescription, actor=alice, reason="Stopped", today=date(2026, 6, 20)
    )

    body, text = missed(dose, "email"), missed(dose, "sms")

    assert "from your next dose" not in body and "No further dose is planned" in body
    assert "Next dose" not in text and "no further dose is planned" in text
