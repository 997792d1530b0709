"""Re-authentication: a sensitive action after REAUTH_MINUTES without a password check goes
through "Confirm it's you" first; a stale POST is never carried out; wrong passwords are
counted like failed log-ins."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

EXPORT = "/me/export/fhir.json"
MAKE_TOKEN = "/accounts/api-tokens/new/"
CONFIRM = reverse("accounts:reauth")


def later(minutes: int):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def next_of(response) -> str:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == CONFIRM
    return parse_qs(location.query)["next"][0]


def test_a_fresh_log_in_goes_straight_through(alice, client):
    client.post(reverse("accounts:login"), {"username": alice.email, "password": PASSWORD})
    assert client.get(EXPORT).status_code == 200


def test_after_the_limit_a_download_asks_for_the_password_then_goes_on(alice, client_for):
    client = client_for(alice)
    with later(11):
        response = client.get(EXPORT)
        assert next_of(response) == EXPORT
        page = client.get(response["Location"])
        assert page.status_code == 200 and "Confirm it" in page.content.decode()
        done = client.post(CONFIRM, {"password": PASSWORD, "next": EXPORT})
        assert done.status_code == 302 and done["Location"] == EXPORT
        assert client.get(EXPORT).status_code == 200


def test_within_the_limit_nothing_is_asked(alice, client_for):
    client = client_for(alice)
    with later(9):
        assert client.get(EXPORT).status_code == 200


def test_a_stale_post_is_not_carried_out_and_comes_back_to_a_page(alice, client_for):
    client = client_for(alice)
    with later(30):
        response = client.post(
            MAKE_TOKEN,
            {"name": "sheet", "scope": "read", "expires_in_days": "90"},
            HTTP_REFERER="http://testserver/accounts/api-tokens/",
        )
        assert next_of(response) == "http://testserver/accounts/api-tokens/"
        assert not ApiToken.objects.exists()


def test_a_stale_post_without_a_referer_comes_back_home(alice, client_for):
    client = client_for(alice)
    with later(30):
        response = client.post(MAKE_TOKEN, {"name": "sheet", "scope": "read"})
        assert next_of(response) == reverse("home")
        assert not ApiToken.objects.exists()


def test_a_wrong_password_is_refused_beside_the_field_and_counted(alice, client_for):
    from axes.models import AccessAttempt

    client = client_for(alice)
    with later(11):
        response = client.post(CONFIRM, {"password": "not-it-at-all", "next": EXPORT})
        assert response.status_code == 400
        assert response.context["form"].errors["password"]
        assert client.get(EXPORT).status_code == 302
    attempt = AccessAttempt.objects.get(username=alice.email)
    assert attempt.failures_since_start == 1


def test_too_many_wrong_passwords_end_the_session(alice, client_for):
    client = client_for(alice)
    with later(11):
        for _ in range(6):
            response = client.post(CONFIRM, {"password": "not-it-at-all"})
        assert response.status_code in (302, 429)
        assert client.get(reverse("accounts:profile")).status_code == 302
        assert "_auth_user_id" not in client.session


def test_next_may_not_leave_the_site(alice, client_for):
    client = client_for(alice)
    response = client.post(CONFIRM, {"password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_an_empty_password_is_refused_beside_the_field(alice, client_for):
    response = client_for(alice).post(CONFIRM, {"password": ""})
    assert response.status_code == 400 and response.context["form"].errors["password"]


def test_the_confirm_page_is_for_signed_in_people(client):
    response = client.get(CONFIRM)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_stale_htmx_request_is_sent_to_the_page_by_htmx(alice, client_for):
    client = client_for(alice)
    with later(11):
        response = client.get(EXPORT, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(CONFIRM)


def test_the_clinician_export_asks_too(alice, bob, client_for):
    client = client_for(bob)
    url = f"/clinic/patients/{alice.pk}/fhir.json"
    assert client.get(url).status_code == 200
    with later(11):
        assert next_of(client.get(url)) == url
