"""Confirming a mobile number: a code texted by the worker, entered on the reminders page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from reminders.models import ReminderPreference
from tests.htmltools import field_errors, parse

pytestmark = pytest.mark.django_db
NUMBER = "+447700900123"
SEND = reverse("reminders:sms_send_code")
CHECK = reverse("reminders:sms_check_code")


@pytest.fixture
def texted(client_for, alice, sms_outbox, django_capture_on_commit_callbacks):
    """Alice asks for a code; the (eager) worker texts it. Returns the code."""
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SEND, {"mobile": "+44 7700 900123"})
    assert response.status_code == 302
    (message,) = sms_outbox
    assert message.to == NUMBER and message.body.isascii()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_a_code_is_texted_and_only_its_hash_is_stored(texted, alice):
    pref = ReminderPreference.objects.get(patient=alice)
    assert pref.sms_pending_number == NUMBER and not pref.sms_number and not pref.sms_enabled
    assert pref.sms_code_hash and texted not in pref.sms_code_hash


def test_the_right_code_confirms_the_number_and_turns_texts_on(client_for, alice, texted):
    response = client_for(alice).post(CHECK, {"code": texted})

    assert response.status_code == 302
    pref = ReminderPreference.objects.get(patient=alice)
    assert pref.sms_number == NUMBER and pref.sms_enabled and pref.sms_ready
    assert pref.sms_verified_at is not None and not pref.sms_code_hash
    page = client_for(alice).get(reverse("reminders:preferences")).content.decode()
    assert f"Texts go to <strong>{NUMBER}</strong>" in page


def test_a_wrong_code_is_refused_and_five_wrong_codes_lock_it(client_for, alice, texted):
    wrong = "000000" if texted != "000000" else "111111"
    client = client_for(alice)
    for tries_left in (4, 3, 2, 1, 0):
        response = client.post(CHECK, {"code": wrong})
        assert response.status_code == 400
        assert f"{tries_left} tr" in " ".join(field_errors(response.content, "code"))

    response = client.post(CHECK, {"code": texted})

    assert "Too many wrong codes" in " ".join(field_errors(response.content, "code"))
    assert not ReminderPreference.objects.get(patient=alice).sms_number


def test_an_expired_code_is_refused(client_for, alice, texted):
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = client_for(alice).post(CHECK, {"code": texted})

    assert response.status_code == 400
    assert "expired" in " ".join(field_errors(response.content, "code"))


def test_a_code_that_is_not_six_digits_is_explained(client_for, alice, texted):
    response = client_for(alice).post(CHECK, {"code": "12ab"})

    assert response.status_code == 400
    assert parse(response.content).by_id("error-summary") is not None
    assert field_errors(response.content, "code") == ["Enter the 6 digits from the text message."]


def test_a_bad_number_is_explained(client_for, alice):
    response = client_for(alice).post(SEND, {"mobile": "+44 abc"})

    assert response.status_code == 400
    assert "international form" in " ".join(field_errors(response.content, "mobile"))


def test_asking_again_within_a_minute_is_refused(client_for, alice, texted, sms_outbox):
    response = client_for(alice).post(SEND, {"mobile": NUMBER})

    assert response.status_code == 400
    assert "less than a minute ago" in " ".join(field_errors(response.content, "mobile"))
    assert len(sms_outbox) == 1


def test_a_number_the_provider_refuses_is_reported_on_the_page(
    client_for, alice, httpserver, django_capture_on_commit_callbacks
):
    sid = "AC" + "0" * 32
    httpserver.expect_request(f"/2010-04-01/Accounts/{sid}/Messages.json").respond_with_json(
        {"code": 21614, "message": "not a mobile number", "status": 400}, status=400
    )
    with (
        override_settings(
            SMS_BACKEND="twilio",
            TWILIO_ACCOUNT_SID=sid,
            TWILIO_AUTH_TOKEN="token",
            TWILIO_FROM_NUMBER="+15005550006",
            TWILIO_API_BASE=httpserver.url_for("/"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client_for(alice).post(SEND, {"mobile": NUMBER})

    page = client_for(alice).get(reverse("reminders:preferences")).content.decode()
    assert "We could not text a code to +447700900123" in page


def test_turning_texts_off(client_for, alice, texted):
    client = client_for(alice)
    client.post(CHECK, {"code": texted})

    response = client.post(reverse("reminders:sms_off"))

    assert response.status_code == 302
    pref = ReminderPreference.objects.get(patient=alice)
    assert not pref.sms_enabled and pref.sms_number == NUMBER
