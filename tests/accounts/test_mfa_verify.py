"""The second step: a right code from the app passes it and goes on to the page asked for; a
wrong one says so next to the field and passes nothing; tries after a failure wait, longer
each time; a recovery code works once."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa.services import WRONG_CODE, WRONG_RECOVERY_CODE
from tests.htmltools import parse

pytestmark = [pytest.mark.django_db, pytest.mark.mfa_unverified]

VERIFY = reverse("accounts:mfa_verify")


def code_of(device: TOTPDevice, *, ahead: int = 0) -> str:
    """The code the app shows now (or `ahead` steps later)."""
    return (
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead):06d}"
    )


def wrong_code(device: TOTPDevice) -> str:
    near = {code_of(device, ahead=n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222") if c not in near)


def field_error(response) -> str:
    element = parse(response.content).by_id("error_1_id_code")
    assert element is not None, response.content.decode()
    return element.text


@pytest.fixture
def app(bob):
    return TOTPDevice.objects.create(user=bob, name="Phone", confirmed=True)


@pytest.fixture
def patient_page(alice):
    return reverse("clinic:patient_detail", args=[alice.pk])


def test_a_right_code_passes_and_goes_on(client_for, bob, app, patient_page):
    client = client_for(bob)
    response = client.post(VERIFY, {"code": code_of(app), "next": patient_page})

    assert response.status_code == 302 and response["Location"] == patient_page
    assert client.session[DEVICE_ID_SESSION_KEY] == app.persistent_id
    assert client.get(patient_page).status_code == 200


def test_a_wrong_code_is_refused_next_to_the_field(client_for, bob, app, patient_page):
    client = client_for(bob)
    response = client.post(VERIFY, {"code": wrong_code(app), "next": patient_page})

    assert response.status_code == 200
    assert field_error(response) == WRONG_CODE
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(patient_page).status_code == 302


def test_an_empty_code_asks_for_one(client_for, bob, app):
    response = client_for(bob).post(VERIFY, {"code": ""})
    assert field_error(response) == "Enter the code from your authenticator app."


def test_tries_after_a_failure_wait_longer_each_time(client_for, bob, app):
    client = client_for(bob)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(VERIFY, {"code": wrong_code(app)})
        # Even the right code is refused while the wait lasts.
        response = client.post(VERIFY, {"code": code_of(app)})
        assert field_error(response) == "Too many attempts, wait 1 second and try again."
        assert DEVICE_ID_SESSION_KEY not in client.session
    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        client.post(VERIFY, {"code": wrong_code(app)})
        response = client.post(VERIFY, {"code": code_of(app)})
        assert field_error(response) == "Too many attempts, wait 2 seconds and try again."
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        response = client.post(VERIFY, {"code": code_of(app)})
        assert response.status_code == 302
        assert client.session[DEVICE_ID_SESSION_KEY] == app.persistent_id
    app.refresh_from_db()
    assert app.throttling_failure_count == 0


def test_a_code_is_not_accepted_twice(client_for, bob, app, client):
    code = code_of(app)
    assert client_for(bob).post(VERIFY, {"code": code}).status_code == 302
    other = type(client)()
    other.force_login(bob, backend="accounts.backends.ProfileBackend")
    assert field_error(other.post(VERIFY, {"code": code})) == WRONG_CODE


def test_another_sites_next_goes_home_instead(client_for, bob, app):
    response = client_for(bob).post(
        VERIFY, {"code": code_of(app), "next": "https://evil.example/steal"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_page_keeps_the_next_it_was_sent_with(client_for, bob, app, patient_page):
    page = client_for(bob).get(f"{VERIFY}?{urlencode({'next': patient_page})}")
    assert parse(page.content).find("input", name="next").attrs["value"] == patient_page


def test_a_recovery_code_works_once(client_for, bob, app, patient_page):
    codes = StaticDevice.objects.create(user=bob, name="Recovery codes", confirmed=True)
    codes.token_set.create(token="abcd2345")
    client = client_for(bob)

    response = client.post(VERIFY, {"code": "ABCD-2345", "next": patient_page})
    assert response.status_code == 302 and response["Location"] == patient_page
    assert client.get(patient_page).status_code == 200

    again = type(client)()
    again.force_login(bob, backend="accounts.backends.ProfileBackend")
    assert field_error(again.post(VERIFY, {"code": "abcd2345"})) == WRONG_RECOVERY_CODE
    assert again.get(patient_page).status_code == 302


def test_the_passkey_button_is_offered_only_with_a_passkey(client_for, bob, app):
    page = parse(client_for(bob).get(VERIFY).content)
    assert page.by_id("passkey-verification-placeholder") is None


def test_a_passkey_is_never_a_way_in_without_the_password(client):
    response = client.post(reverse("accounts:passkey_auth_begin"))
    assert response.status_code == 403
    assert response.json()["code"] == "passwordless_login_disabled"
