"""Two-factor sign-in, enforced: a clinician or staff member without a method reaches only
the pages that add one; anyone with a method reaches only the second step until they pass
it; a patient without a method is left alone, at no extra query per page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa.session import NO_METHOD
from tests.conftest import PASSWORD
from tests.htmltools import parse

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:mfa_setup")
VERIFY = reverse("accounts:mfa_verify")
NEEDED = "Your role needs two-factor sign-in before you can see patients"


def sent_to(response, step: str) -> str:
    """The `next` of a redirect to `step`."""
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == step
    return parse_qs(location.query).get("next", [""])[0]


@pytest.mark.mfa_unverified
def test_a_clinician_without_a_method_reaches_no_patient_page(client_for, alice, bob):
    client = client_for(bob)
    pages = [
        reverse("clinic:patients"),
        reverse("clinic:patient_detail", args=[alice.pk]),
        reverse("clinic:flags"),
        reverse("home"),
        reverse("accounts:profile"),
    ]
    for page in pages:
        assert sent_to(client.get(page), SETUP) == page

    setup = client.get(SETUP)
    assert setup.status_code == 200
    assert parse(setup.content).by_id("mfa-required").text.startswith(NEEDED)
    assert client.get(reverse("accounts:mfa_totp_add")).status_code == 200
    assert client.get(reverse("accounts:mfa_passkeys")).status_code == 200


@pytest.mark.mfa_unverified
def test_staff_without_a_method_are_sent_to_add_one(client_for, staff):
    client = client_for(staff)
    status = reverse("reminders:status")
    assert sent_to(client.get(status), SETUP) == status


@pytest.mark.mfa_unverified
def test_a_form_sent_before_the_step_comes_back_to_no_page(client_for, bob):
    response = client_for(bob).post(reverse("accounts:profile"), {"display_name": "Mallory"})
    assert sent_to(response, SETUP) == ""


@pytest.mark.mfa_unverified
def test_log_out_stays_open_before_the_step(client_for, bob):
    client = client_for(bob)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


@pytest.mark.mfa_unverified
def test_a_clinician_with_an_app_passes_the_step_before_anything_else(client_for, alice, bob):
    TOTPDevice.objects.create(user=bob, name="Phone", confirmed=True)
    client = client_for(bob)
    detail = reverse("clinic:patient_detail", args=[alice.pk])

    assert sent_to(client.get(detail), VERIFY) == detail
    assert sent_to(client.get(SETUP), VERIFY) == SETUP  # no changes before the step either
    assert client.get(VERIFY).status_code == 200


def test_a_verified_clinician_sees_patients(client_for, alice, bob):
    response = client_for(bob).get(reverse("clinic:patient_detail", args=[alice.pk]))
    assert response.status_code == 200


def test_a_patient_without_a_method_is_left_alone(client_for, alice):
    assert client_for(alice).get(reverse("accounts:profile")).status_code == 200


@pytest.mark.mfa_unverified
def test_a_patients_first_page_remembers_there_is_no_method(client_for, alice):
    client = client_for(alice)
    assert NO_METHOD not in client.session
    client.get(reverse("accounts:profile"))
    assert client.session[NO_METHOD] == alice.pk


def test_a_patient_with_an_app_passes_the_step_too(client, alice):
    TOTPDevice.objects.create(user=alice, name="Phone", confirmed=True)
    client.post(reverse("accounts:login"), {"username": alice.email, "password": PASSWORD})
    home = reverse("home")
    assert sent_to(client.get(home), VERIFY) == home


@pytest.mark.mfa_unverified
def test_probes_and_the_service_worker_carry_no_step(client_for, bob):
    client = client_for(bob)
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("service_worker")).status_code == 200
    assert client.get(reverse("manifest")).status_code == 200
