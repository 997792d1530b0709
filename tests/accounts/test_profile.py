"""Profile editing: a patient changes name, zone, mobile and reminder time (audited); bad
values are shown next to their field and nothing changes. Clinicians edit name and practice."""

from datetime import time

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from tests.htmltools import field_errors, fields_with_errors

pytestmark = pytest.mark.django_db
URL = reverse("accounts:profile")
GOOD = {
    "display_name": "Alice P.",
    "time_zone": "Asia/Kolkata",
    "mobile": "+91 98765 43210",
    "reminder_time": "07:30",
}


def test_patient_saves_profile_and_the_change_is_audited(client_for, alice):
    response = client_for(alice).post(URL, GOOD)

    assert response.status_code == 302
    profile = alice.patient_profile
    profile.refresh_from_db()
    assert (profile.display_name, profile.time_zone, profile.mobile) == (
        "Alice P.",
        "Asia/Kolkata",
        "+919876543210",
    )
    assert profile.reminder_time == time(7, 30)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.patient) == ("profile.updated", alice, alice)
    assert event.detail["changed"]["time_zone"] == ["Europe/London", "Asia/Kolkata"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Atlantis/Capital"}, "time_zone"),
        ({"mobile": "555-0100"}, "mobile"),
        ({"reminder_time": "25:00"}, "reminder_time"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_bad_profile_values_are_shown_next_to_the_field(client_for, alice, changes, field):
    response = client_for(alice).post(URL, {**GOOD, **changes})

    assert response.status_code == 200
    assert fields_with_errors(response.content) == {field}
    assert field_errors(response.content, field)
    alice.patient_profile.refresh_from_db()
    assert alice.patient_profile.time_zone == "Europe/London"
    assert not AuditEvent.objects.exists()


def test_a_national_number_is_read_in_the_country_of_the_home_zone(client_for, alice):
    data = {**GOOD, "time_zone": "America/New_York", "mobile": "(212) 555-0100"}

    response = client_for(alice).post(URL, data)

    assert response.status_code == 302
    alice.patient_profile.refresh_from_db()
    assert alice.patient_profile.mobile == "+12125550100"


def test_the_mobile_field_is_a_telephone_field(client_for, alice):
    html = client_for(alice).get(URL).content.decode()

    assert 'type="tel"' in html
    assert 'autocomplete="tel"' in html


def test_clinician_saves_name_and_practice(client_for, charlie):
    response = client_for(charlie).post(
        URL, {"display_name": "Dr C. Brown", "practice": "Riverside Surgery"}
    )

    assert response.status_code == 302
    charlie.clinician_profile.refresh_from_db()
    assert charlie.clinician_profile.practice == "Riverside Surgery"


def test_profile_form_shows_current_values(client_for, alice):
    html = client_for(alice).get(URL).content.decode()

    assert 'value="Alice Patel"' in html
    assert '<option value="Europe/London" selected>' in html
