"""Session limits: a session ends after its role's idle time or twelve hours after sign-in,
and "sign out everywhere" ends every session of the account at its next request."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.session_limits import LAST_SEEN
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
LOGIN = reverse("accounts:login")
EVERYWHERE = reverse("accounts:sign_out_everywhere")


def at(start, minutes: float):
    return time_machine.travel(start + timedelta(minutes=minutes), tick=False)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_signed_out(response, client, words: str) -> None:
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN
    assert not signed_in(client)
    page = client.get(response["Location"])
    assert words in page.content.decode()


@pytest.fixture
def start():
    """A fixed sign-in time, so every step is a whole number of minutes after it."""
    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        yield moment


def test_a_patient_is_signed_out_after_an_hour_without_activity(alice, client_for, start):
    client = client_for(alice)
    with at(start, 61):
        response = client.get(PROFILE)
        assert_signed_out(response, client, "signed out after 60 minutes without activity")
        assert response["Location"].endswith("?next=" + PROFILE.replace("/", "%2F"))


def test_a_patient_is_not_signed_out_after_59_minutes(alice, client_for, start):
    client = client_for(alice)
    with at(start, 59):
        assert client.get(PROFILE).status_code == 200


def test_activity_keeps_a_session_going(alice, client_for, start):
    client = client_for(alice)
    for minutes in (50, 100, 150):
        with at(start, minutes):
            assert client.get(PROFILE).status_code == 200


def test_a_clinician_is_signed_out_after_15_minutes(bob, client_for, start):
    client = client_for(bob)
    with at(start, 14):
        assert client.get(PROFILE).status_code == 200
    with at(start, 30):
        response = client.get(PROFILE)
        assert_signed_out(response, client, "signed out after 15 minutes without activity")


def test_staff_are_signed_out_after_15_minutes(staff, client_for, start):
    client = client_for(staff)
    with at(start, 16):
        assert_signed_out(client.get(PROFILE), client, "15 minutes without activity")


def test_twelve_hours_after_sign_in_the_session_ends_however_busy(alice, client_for, start):
    client = client_for(alice)
    for minutes in range(50, 12 * 60, 50):
        with at(start, minutes):
            assert client.get(PROFILE).status_code == 200
    with at(start, 12 * 60 + 1):
        assert_signed_out(client.get(PROFILE), client, "more than 12 hours ago")


def test_last_seen_is_written_at_most_once_a_minute(alice, client_for, start):
    client = client_for(alice)
    first = client.session[LAST_SEEN]
    with at(start, 0.5):
        client.get(PROFILE)
        assert client.session[LAST_SEEN] == first
    with at(start, 1.5):
        client.get(PROFILE)
        assert client.session[LAST_SEEN] == first + 90


def test_an_expired_htmx_request_gets_401_and_a_redirect(alice, client_for, start):
    client = client_for(alice)
    with at(start, 61):
        response = client.get(PROFILE, HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert urlsplit(response["HX-Redirect"]).path == LOGIN
    assert not signed_in(client)


def test_an_expired_json_request_gets_a_401_problem(alice, client_for, start):
    client = client_for(alice)
    with at(start, 61):
        response = client.get(PROFILE, HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "60 minutes" in response.json()["detail"]


def test_a_token_request_is_not_a_session_and_never_idles(alice, start):
    from api.services import token_create

    token = token_create(user=alice, name="sheet", scope="read")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with at(start, 600):
        assert api.get("/api/v1/me/doses/").status_code == 200


def test_signing_out_everywhere_ends_the_other_devices_session(alice, dave, start):
    laptop, phone, other = Client(), Client(), Client()
    laptop.force_login(alice)
    phone.force_login(alice)
    other.force_login(dave)
    response = laptop.post(EVERYWHERE)
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not signed_in(laptop)
    after = phone.get(PROFILE)
    assert_signed_out(after, phone, "signed out everywhere")
    assert other.get(PROFILE).status_code == 200
    alice.refresh_from_db()
    assert alice.session_epoch == 1
    event = AuditEvent.objects.get(action="sessions.ended_everywhere")
    assert event.actor == alice


def test_a_new_sign_in_after_signing_out_everywhere_works(alice, client_for, start):
    client = client_for(alice)
    client.post(EVERYWHERE)
    client.post(LOGIN, {"username": alice.email, "password": PASSWORD})
    assert client.get(PROFILE).status_code == 200


def test_signing_out_everywhere_asks_for_the_password_when_stale(alice, client_for, start):
    client = client_for(alice)
    with at(start, 11):
        response = client.post(EVERYWHERE, HTTP_REFERER=f"http://testserver{PROFILE}")
        assert urlsplit(response["Location"]).path == reverse("accounts:reauth")
    alice.refresh_from_db()
    assert alice.session_epoch == 0 and signed_in(client)
    assert not AuditEvent.objects.filter(action="sessions.ended_everywhere").exists()


def test_signing_out_everywhere_is_post_only_and_for_signed_in_people(alice, client, client_for):
    assert client.post(EVERYWHERE).status_code == 302
    assert client_for(alice).get(EVERYWHERE).status_code == 405


def test_the_profile_offers_both(alice, client_for):
    page = client_for(alice).get(PROFILE).content.decode()
    assert reverse("accounts:email_change") in page and EVERYWHERE in page
    assert "Sign out everywhere" in page


def test_the_signed_out_message_is_shown_once(alice, client_for, start):
    client = client_for(alice)
    with at(start, 61):
        response = client.get(PROFILE, follow=True)
        assert "60 minutes without activity" in response.content.decode()
        again = client.get(LOGIN).content.decode()
        assert "without activity" not in again
