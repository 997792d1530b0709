"""The SMS provider's webhook: a STOP reply turns texts off, and the app says why.

With TWILIO_AUTH_TOKEN set, only requests signed by the provider are believed.
"""

from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse
from twilio.request_validator import RequestValidator

from accounts.models import AuditEvent
from reminders.models import Notification, ReminderPreference
from reminders.selectors import channel_problems
from schedules.models import Dose
from tests.reminders.conftest import prescribe, utc

pytestmark = pytest.mark.django_db
URL = reverse("reminders:sms_inbound")
NUMBER = "+447700900123"


@pytest.fixture
def texting(alice):
    pref = ReminderPreference.objects.create(patient=alice, sms_enabled=True, sms_number=NUMBER)
    rx = prescribe(alice, start=date(2026, 6, 11), today=date(2026, 6, 10))
    Notification.objects.create(
        recipient=alice,
        dose=Dose.objects.get(prescription=rx, due=date(2026, 6, 11)),
        kind="due",
        channel="sms",
        scheduled_for=utc(2026, 6, 11, 8),
        next_attempt_at=utc(2026, 6, 11, 8),
    )
    return pref


@pytest.mark.parametrize("body", ["STOP", "stop", " Stop ", "UNSUBSCRIBE", "cancel"])
def test_stop_turns_texts_off_and_the_patient_is_told(client, alice, texting, body):
    response = client.post(URL, {"From": NUMBER, "Body": body})

    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    pref = ReminderPreference.objects.get(patient=alice)
    assert not pref.sms_enabled and "STOP" in pref.sms_disabled_reason
    assert Notification.objects.get(channel="sms").status == "cancelled"
    assert any("STOP" in problem for problem in channel_problems(patient=alice))
    assert AuditEvent.objects.filter(action="reminders.sms_stopped", patient=alice).exists()


def test_other_replies_change_nothing(client, alice, texting):
    client.post(URL, {"From": NUMBER, "Body": "thanks, done"})

    assert ReminderPreference.objects.get(patient=alice).sms_ready


def test_a_reply_from_an_unknown_number_changes_nothing(client, alice, texting):
    client.post(URL, {"From": "+15550001111", "Body": "STOP"})

    assert ReminderPreference.objects.get(patient=alice).sms_ready


@override_settings(TWILIO_AUTH_TOKEN="webhook-secret", SITE_URL="https://b12.example.org")
def test_with_a_token_only_signed_requests_count(client, alice, texting):
    params = {"From": NUMBER, "Body": "STOP"}
    forged = client.post(URL, params, HTTP_X_TWILIO_SIGNATURE="bm90LXJlYWw=")
    unsigned = client.post(URL, params)
    assert forged.status_code == unsigned.status_code == 403
    assert ReminderPreference.objects.get(patient=alice).sms_ready

    signature = RequestValidator("webhook-secret").compute_signature(
        "https://b12.example.org" + URL, params
    )
    signed = client.post(URL, params, HTTP_X_TWILIO_SIGNATURE=signature)

    assert signed.status_code == 200
    assert not ReminderPreference.objects.get(patient=alice).sms_enabled


def test_the_webhook_takes_posts_only(client):
    assert client.get(URL).status_code == 405
