"""Patient sign-up: a good form answers "check your email", the same whether or not the
address has an account; the emailed link makes the account and logs in, and the owner of an
existing account is told instead. Bad input writes nothing and shows every message at once
under the field that caused it; a mangled invitation token is ignored, never a 500."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, PatientProfile, PendingSignup, User
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


def _counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        PatientProfile.objects.count(),
        AuditEvent.objects.count(),
        PendingSignup.objects.count(),
    )


@pytest.fixture
def sign_up(client, django_capture_on_commit_callbacks):
    """Post the sign-up form; mail leaves after the commit."""

    def post(data: dict[str, str], url: str = reverse("accounts:signup")):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


def emailed_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_good_signup_asks_to_check_email_and_makes_nothing_yet(client, sign_up):
    response = sign_up(GOOD)

    assert response.status_code == 302
    assert response.url == reverse("accounts:signup_sent")
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "Check your email to continue" in page
    (message,) = mail.outbox
    assert message.to == ["erin@example.com"]
    assert PASSWORD not in message.body


def test_emailed_link_creates_patient_profile_and_audit_event_and_logs_in(client, sign_up):
    sign_up(GOOD)
    link = emailed_link(mail.outbox[0])

    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    assert "Create my account" in confirm_page.content.decode()
    assert not User.objects.exists()
    response = client.post(link)

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
    assert not PendingSignup.objects.exists()
    home = client.get(reverse("home"))
    assert home.context["user"] == user
    assert "Hello, Erin Walsh" in home.content.decode()


def test_emailed_link_works_once(client, sign_up):
    sign_up(GOOD)
    link = emailed_link(mail.outbox[0])
    client.post(link)
    client.logout()

    again = client.post(link)

    assert again.status_code == 404
    assert "expired or was already used" in again.content.decode()
    assert User.objects.count() == 1


def test_emailed_link_expires_after_a_day(client, sign_up):
    sign_up(GOOD)
    link = emailed_link(mail.outbox[0])

    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        page = client.get(link)
        response = client.post(link)

    assert page.status_code == response.status_code == 404
    assert not User.objects.exists()


def test_second_signup_link_for_one_address_stops_working_once_the_first_is_used(client, sign_up):
    sign_up(GOOD)
    sign_up({**GOOD, "display_name": "Someone Else"})
    first, second = (emailed_link(message) for message in mail.outbox)
    client.post(first)
    client.logout()

    assert client.post(second).status_code == 404
    assert User.objects.get().patient_profile.display_name == "Erin Walsh"


def test_made_up_signup_link_is_refused_and_writes_nothing(client, db):
    for token in ("not-a-real-token", "a%00b"):
        response = client.post(f"/accounts/signup/confirm/{token}/")
        assert response.status_code == 404
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "erin.example.com"}, "email", "Enter a valid email address."),
        ({"password1": "Sh0rt-pw", "password2": "Sh0rt-pw"}, "password1", "too short"),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"password1": "8402751936", "password2": "8402751936"}, "password1", "entirely numeric"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Pick a time zone from the list"),
        ({"time_zone": "localtime"}, "time_zone", "Pick a time zone from the list"),
        ({"mobile": "07700 900123", "time_zone": "Etc/UTC"}, "mobile", "international form"),
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


def test_short_and_mismatched_passwords_are_reported_together(client):
    response = client.post(
        reverse("accounts:signup"), {**GOOD, "password1": "Sh0rt-pw", "password2": "Sh0rt-pq"}
    )

    assert fields_with_errors(response.content) == {"password1", "password2"}
    assert any("too short" in e for e in field_errors(response.content, "password1"))
    assert any("not the same" in e for e in field_errors(response.content, "password2"))


def test_every_bad_field_is_reported_at_once(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            **GOOD,
            "email": "erin.example.com",
            "display_name": "",
            "time_zone": "Mars/Olympus_Mons",
            "password1": "password",
            "password2": "different",
        },
    )

    assert fields_with_errors(response.content) == {
        "email",
        "display_name",
        "time_zone",
        "password1",
        "password2",
    }


def page(client, url: str) -> str:
    """The page's text without its per-response nonce and CSRF token."""
    html = client.get(url).content.decode()
    return re.sub(r'(nonce="|"X-CSRFToken": ")[^"]*"', "", html)


def test_signup_with_an_existing_email_answers_the_same_and_tells_the_owner(client, sign_up, alice):
    before = _counts()

    existing = sign_up({**GOOD, "email": "ALICE@example.com"})
    fresh = sign_up(GOOD)

    assert (existing.status_code, existing.url) == (fresh.status_code, fresh.url)
    assert page(client, existing.url) == page(client, fresh.url)
    assert _counts()[:3] == before[:3]
    assert not PendingSignup.objects.filter(email="alice@example.com").exists()
    warning, _ = mail.outbox
    assert warning.to == ["alice@example.com"]
    assert "Someone tried to sign up" in warning.subject
    assert "/accounts/login/" in warning.body
    assert "/accounts/password/reset/" in warning.body
    assert "/accounts/signup/confirm/" not in warning.body
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_repeated_signups_with_an_existing_email_warn_the_owner_once_in_a_while(
    client, sign_up, alice
):
    for _ in range(5):
        response = sign_up({**GOOD, "email": "alice@example.com"})
        assert response.url == reverse("accounts:signup_sent")

    assert [message.to for message in mail.outbox] == [["alice@example.com"]]


def test_signup_page_says_nothing_about_existing_accounts(client, alice):
    response = client.post(reverse("accounts:signup"), {**GOOD, "email": "alice@example.com"})

    assert response.status_code == 302
    assert "already exists" not in client.get(response.url).content.decode()


@pytest.mark.parametrize("invite", ["a%00b", "a\x00b", "x" * 300, "%FF%FE", "../../etc"])
def test_mangled_invitation_token_shows_the_plain_form(client, invite):
    response = client.get(reverse("accounts:signup") + f"?invite={invite}")

    assert response.status_code == 200
    assert 'name="display_name"' in response.content.decode()
    assert "invited you" not in response.content.decode()


def test_mangled_invitation_token_in_the_form_is_ignored(client, sign_up):
    response = sign_up({**GOOD, "invite": "a\x00b"})

    assert response.status_code == 302
    assert PendingSignup.objects.get().invite_token == ""


def test_a_national_number_is_read_in_the_country_of_the_home_zone(sign_up):
    sign_up({**GOOD, "time_zone": "Europe/London", "mobile": "07700 900123"})

    assert PendingSignup.objects.get().mobile == "+447700900123"


def test_the_mobile_field_is_a_telephone_field(client):
    html = client.get(reverse("accounts:signup")).content.decode()

    field = re.search(r"<input[^>]*name=\"mobile\"[^>]*>", html).group(0)
    assert 'type="tel"' in field
    assert 'autocomplete="tel"' in field


def test_signup_page_keeps_what_was_typed_except_passwords(client):
    response = client.post(reverse("accounts:signup"), {**GOOD, "mobile": "12"})

    html = response.content.decode()
    assert 'value="Erin Walsh"' in html
    assert PASSWORD not in html


def test_logged_in_user_is_sent_home_from_signup(client_for, alice):
    response = client_for(alice).get(reverse("accounts:signup"))

    assert response.status_code == 302
    assert response.url == reverse("home")
