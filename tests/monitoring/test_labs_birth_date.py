"""The optional date of birth on the patient's profile, which lab sample dates are checked
against: saved and audited, cleared, refused in the future or before 1900, kept when a caller
does not mention it."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.services import patient_profile_update
from core.clock import local_today
from tests.htmltools import field_errors, fields_with_errors, parse

pytestmark = pytest.mark.django_db
URL = reverse("accounts:profile")
GOOD = {
    "display_name": "Alice Patel",
    "time_zone": "Europe/London",
    "mobile": "",
    "reminder_time": "09:00",
}


def born(patient) -> date | None:
    patient.patient_profile.refresh_from_db()
    return patient.patient_profile.date_of_birth


def test_a_birth_date_is_saved_shown_and_audited(client_for, alice):
    client = client_for(alice)

    assert client.post(URL, GOOD | {"date_of_birth": "1980-05-01"}).status_code == 302

    assert born(alice) == date(1980, 5, 1)
    event = AuditEvent.objects.get(action="profile.updated")
    assert event.detail["changed"] == {"date_of_birth": ["", "1980-05-01"]}
    field = parse(client.get(URL).content).by_id("id_date_of_birth")
    assert field.attrs["value"] == "1980-05-01"


def test_an_empty_birth_date_clears_it(client_for, alice):
    alice.patient_profile.date_of_birth = date(1980, 5, 1)
    alice.patient_profile.save()

    client_for(alice).post(URL, GOOD | {"date_of_birth": ""})

    assert born(alice) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("tomorrow", "Your date of birth cannot be in the future."),
        ("1899-12-31", "Enter a date of birth from 1900 onwards."),
        ("31/02/1980", "Enter a valid date."),
    ],
)
def test_a_bad_birth_date_is_refused_beside_the_field(client_for, alice, typed, message):
    if typed == "tomorrow":
        typed = (local_today(alice) + timedelta(days=1)).isoformat()

    response = client_for(alice).post(URL, GOOD | {"date_of_birth": typed})

    assert response.status_code == 200
    assert fields_with_errors(response.content) == {"date_of_birth"}
    assert field_errors(response.content, "date_of_birth") == [message]
    assert born(alice) is None
    assert not AuditEvent.objects.exists()


def test_a_caller_that_does_not_mention_it_keeps_it(alice):
    alice.patient_profile.date_of_birth = date(1980, 5, 1)
    alice.patient_profile.save()

    patient_profile_update(
        user=alice,
        display_name="Alice",
        time_zone="Europe/London",
        mobile="",
        reminder_time=time(8, 0),
    )

    assert born(alice) == date(1980, 5, 1)
