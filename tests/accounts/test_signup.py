"""Patient sign-up: a good form makes the account and logs in; bad input writes nothing
and shows its message under the field that caused it."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, PatientProfile, User
from tests.conftest import PASSWORD
from tests.htmltools import field_errors, fields_with_errors

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "Erin@Example.com",
    "display_name": "Erin Walsh",
    "time_zone": "Australia/Sydney",
    "mobile": "+61 412 345 678",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def _counts() -> tuple[int, int, int]:
    return User.objects.count(), PatientProfile.objects.count(), AuditEvent.objects.count()


def test_good_signup_creates_patient_profile_and_audit_event_and_logs_in(client):
    response = client.post(reverse("accounts:signup"), GOOD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get()
    assert user.email == "erin@example.com"
    assert user.role == "patient"
    assert user.check_password(PASSWORD)
    profile = user.patient_profile
    assert (profile.display_name, profile.time_zone) == ("Erin Walsh", "Australia/Sydney")
    assert profile.mobile == "+61412345678"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.patient) == ("patient.registered", user, user)
    home = client.get(reverse("home"))
    assert home.context["user"] == user
    assert "Hello, Erin Walsh" in home.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "erin.example.com"}, "email", "Enter a valid email address."),
        ({"password1": "Sh0rt-pw", "password2": "Sh0rt-pw"}, "password1", "too short"),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"password1": "8402751936", "password2": "8402751936"}, "password1", "entirely numeric"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Pick a time zone from the list"),
        ({"time_zone": "localtime"}, "time_zone", "Pick a time zone from the list"),
        ({"mobile": "07700 900123"}, "mobile", "international form"),
        ({"mobile": "+44 abc"}, "mobile", "international form"),
        ({"password2": PASSWORD + "x"}, "password2", "not the same"),
        ({"display_name": ""}, "display_name", "This field is required."),
    ],
    ids=[
        "bad-email",
        "short-password",
        "common-password",
        "numeric-password",
        "unknown-zone",
        "machine-local-zone",
        "national-phone",
        "letters-in-phone",
        "mismatched-passwords",
        "missing-name",
    ],
)
def test_bad_signup_shows_error_next_to_field_and_writes_nothing(client, changes, field, message):
    before = _counts()

    response = client.post(reverse("accounts:signup"), {**GOOD, **changes})

    assert response.status_code == 200
    assert _counts() == before
    assert fields_with_errors(response.content) == {field}
    errors = field_errors(response.content, field)
    assert any(message in error for error in errors), errors
    assert "Nothing was saved" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signup_with_an_existing_email_in_any_case_is_refused_next_to_email(client, alice):
    before = _counts()

    response = client.post(reverse("accounts:signup"), {**GOOD, "email": "ALICE@example.com"})

    assert response.status_code == 200
    assert _counts() == before
    assert fields_with_errors(response.content) == {"email"}
    assert "already exists" in field_errors(response.content, "email")[0]


def test_signup_page_keeps_what_was_typed_except_passwords(client):
    response = client.post(reverse("accounts:signup"), {**GOOD, "mobile": "12"})

    html = response.content.decode()
    assert 'value="Erin Walsh"' in html
    assert PASSWORD not in html


def test_logged_in_user_is_sent_home_from_signup(client_for, alice):
    response = client_for(alice).get(reverse("accounts:signup"))

    assert response.status_code == 302
    assert response.url == reverse("home")
