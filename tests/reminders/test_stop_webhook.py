"""The SMS provider's webhook: a STOP reply turns texts off, and the app says why.

It exists only with the twilio backend, and only requests signed by the provider count.
"""

from datetime import date

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from accounts.models import AuditEvent
from reminders.models import Notification, ReminderPreference
from reminders.selectors import channel_problems
from schedules.models import Dose
from tests.helpers import prescribe
from tests.reminders.conftest import utc

pytestmark = pytest.mark.django_db
URL = reverse("reminders:sms_inbound")
NUMBER = "+447700900123"
TOKEN = "webhook-secret"
SITE = "https://b12.example.org"


@pytest.fixture(autouse=True)
def provider(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = SITE


def signed_post(client, params):
    signature = RequestValidator(TOKEN).compute_signature(SITE + URL, params)
    return client.post(URL, params, HTTP_X_TWILIO_SIGNATURE=signature)


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
    response = signed_post(client, {"From": NUMBER, "Body": body})

    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    pref = ReminderPreference.objects.get(patient=alice)
    assert not pref.sms_enabled and "STOP" in pref.sms_disabled_reason
    assert Notification.objects.get(channel="sms").status == "cancelled"
    assert any("STOP" in problem for problem in channel_problems(patient=alice))
    assert AuditEvent.objects.filter(action="reminders.sms_stopped", patient=alice).exists()


def test_other_replies_change_nothing(client, alice, texting):
    signed_post(client, {"From": NUMBER, "Body": "thanks, done"})

    assert ReminderPreference.objects.get(patient=alice).sms_ready


def test_a_reply_from_an_unknown_number_changes_nothing(client, alice, texting):
    signed_post(client, {"From": "+15550001111", "Body": "STOP"})

    assert ReminderPreference.objects.get(patient=alice).sms_ready


def test_only_signed_requests_count(client, alice, texting):
    params = {"From": NUMBER, "Body": "STOP"}
    forged = client.post(URL, params, HTTP_X_TWILIO_SIGNATURE="bm90LXJlYWw=")
    unsigned = client.post(URL, params)
    assert forged.status_code == unsigned.status_code == 403
    assert ReminderPreference.objects.get(patient=alice).sms_ready

    signed = signed_post(client, params)

    assert signed.status_code == 200
    assert not ReminderPreference.objects.get(patient=alice).sms_enabled


def test_the_webhook_takes_posts_only(client):
    assert client.get(URL).status_code == 405


def test_without_a_provider_there_is_no_webhook(client, alice, texting, settings):
    settings.SMS_BACKEND = "file"
    response = client.post(URL, {"From": NUMBER, "Body": "STOP"})
    assert response.status_code == 404
    assert ReminderPreference.objects.get(patient=alice).sms_ready
