"""Text replies DONE and LATER through the provider's signed webhook: matched to the sender's
verified number and the latest text reminder whose dose is open, counted once per message id,
and answered with a short confirmation or explanation."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from accounts.models import AuditEvent
from reminders.answers.sms import reply_word
from reminders.models import Kind, Notification, ReminderAnswer, ReminderPreference
from schedules.models import Dose, Injection
from tests.helpers import prescribe

pytestmark = pytest.mark.django_db
URL = reverse("reminders:sms_inbound")
NUMBER = "+447700900123"
TOKEN = "webhook-secret"
SITE = "https://b12.example.org"
LONDON = ZoneInfo("Europe/London")
DUE = date(2026, 6, 11)  # window 4 to 18 June


@pytest.fixture(autouse=True)
def provider(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = SITE


@pytest.fixture(autouse=True)
def on_the_day():
    with time_machine.travel(datetime.combine(DUE, time(9), tzinfo=LONDON), tick=False):
        yield


def signed_post(client, params):
    signature = RequestValidator(TOKEN).compute_signature(SITE + URL, params)
    return client.post(URL, params, HTTP_X_TWILIO_SIGNATURE=signature)


def reply(client, body, sid="SM0001", number=NUMBER):
    response = signed_post(client, {"From": number, "Body": body, "MessageSid": sid})
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    return response.content.decode()


@pytest.fixture
def dose(alice):
    ReminderPreference.objects.create(patient=alice, sms_enabled=True, sms_number=NUMBER)
    rx = prescribe(alice, start=DUE, today=DUE - timedelta(days=1))
    return Dose.objects.get(prescription=rx, due=DUE)


def texted(dose, kind="due", sent_at=None) -> Notification:
    now = timezone.now()
    return Notification.objects.create(
        recipient=dose.prescription.patient,
        dose=dose,
        kind=kind,
        channel="sms",
        status="sent",
        sent_at=sent_at or now,
        scheduled_for=now,
        next_attempt_at=now,
    )


@pytest.mark.parametrize(
    "body, word",
    [
        ("DONE", "taken"),
        ("done", "taken"),
        (" Done. ", "taken"),
        ("taken", "taken"),
        ("LATER", "later"),
        ("later!", "later"),
        ("what?", ""),
    ],
)
def test_reply_words(body, word):
    assert reply_word(body) == word


def test_done_logs_one_injection_on_the_texted_dose(client, alice, dose):
    row = texted(dose)
    answer = reply(client, "Done")

    dose.refresh_from_db()
    injection = Injection.objects.get()
    assert dose.injection == injection and injection.given_on == DUE
    assert injection.site == "deltoid_left"  # the suggested site
    saved = ReminderAnswer.objects.get()
    assert (saved.via, saved.nonce, saved.notification) == ("sms", "sms-SM0001", row)
    assert "<Message>B12 Tracker: Logged: injection on Thu 11 Jun" in answer
    assert AuditEvent.objects.get(action="reminders.answer_taken").actor == alice


def test_the_same_message_delivered_twice_counts_once(client, dose):
    texted(dose)
    first = reply(client, "DONE", sid="SM0002")
    again = reply(client, "DONE", sid="SM0002")

    assert first == again and "Logged" in again
    assert Injection.objects.count() == 1 and ReminderAnswer.objects.count() == 1


def test_a_second_done_says_it_is_logged_and_changes_nothing(client, dose):
    texted(dose)
    reply(client, "DONE", sid="SM0003")
    second = reply(client, "DONE", sid="SM0004")

    assert "There is no injection waiting" in second
    assert Injection.objects.count() == 1 and ReminderAnswer.objects.count() == 1


def test_later_snoozes_on_every_channel_and_once(client, dose):
    texted(dose)
    first = reply(client, "LATER", sid="SM0005")
    second = reply(client, "later", sid="SM0006")

    assert "We will remind you again at 11:00" in first
    assert "already asked to be reminded later" in second
    snoozed = Notification.objects.filter(kind=Kind.SNOOZED)
    assert sorted(snoozed.values_list("channel", flat=True)) == ["email", "sms"]
    assert ReminderAnswer.objects.get().action == "later"
    assert Injection.objects.count() == 0


def test_the_latest_reminder_with_an_open_dose_is_answered(client, alice, dose):
    later_dose = Dose.objects.get(prescription=dose.prescription, due=date(2026, 7, 11))
    texted(dose, sent_at=timezone.now() - timedelta(hours=3))
    texted(later_dose, kind="upcoming", sent_at=timezone.now() - timedelta(hours=1))
    reply(client, "DONE", sid="SM0007")

    # The July dose's window has not opened, so its reminder cannot be answered yet: June's is.
    assert Dose.objects.get(pk=dose.pk).injection_id is not None
    assert Dose.objects.get(pk=later_dose.pk).injection_id is None


def test_an_unknown_number_is_told_and_nothing_is_written(client, dose):
    texted(dose)
    answer = reply(client, "DONE", number="+447700900999")

    assert "could not match this number" in answer
    assert Injection.objects.count() == 0 and ReminderAnswer.objects.count() == 0


def test_without_a_reminder_to_answer_the_reply_says_so(client, dose):
    answer = reply(client, "DONE")

    assert "There is no injection waiting" in answer and f"{SITE}/" in answer
    assert Injection.objects.count() == 0


def test_an_unsigned_reply_is_refused_and_writes_nothing(client, dose):
    texted(dose)
    params = {"From": NUMBER, "Body": "DONE", "MessageSid": "SM0008"}
    unsigned = client.post(URL, params)
    forged = client.post(URL, params, HTTP_X_TWILIO_SIGNATURE="bogus")

    assert unsigned.status_code == 403 and forged.status_code == 403
    assert Injection.objects.count() == 0 and ReminderAnswer.objects.count() == 0


def test_other_words_get_no_reply_and_change_nothing(client, dose):
    texted(dose)
    answer = reply(client, "thanks")

    assert "<Message>" not in answer and Injection.objects.count() == 0


def test_without_a_provider_there_is_no_webhook(client, dose, settings):
    settings.SMS_BACKEND = "file"
    texted(dose)

    assert client.post(URL, {"From": NUMBER, "Body": "DONE"}).status_code == 404
    assert Injection.objects.count() == 0


def test_yes_is_not_an_answer(client, dose):
    """A "Yes" may answer the day-before reminder's question; it must not log an injection."""
    texted(dose)
    answer = reply(client, "Yes")

    assert reply_word("YES") == "" and "<Message>" not in answer
    assert Injection.objects.count() == 0 and ReminderAnswer.objects.count() == 0


@pytest.fixture
def sibling(dave, dose):
    """A second patient (a parent's other child) whose texts go to the same number."""
    ReminderPreference.objects.create(patient=dave, sms_enabled=True, sms_number=NUMBER)
    rx = prescribe(dave, start=DUE, today=DUE - timedelta(days=1))
    return Dose.objects.get(prescription=rx, due=DUE)


@pytest.mark.parametrize("word", ["DONE", "LATER"])
def test_a_number_shared_by_two_patients_with_open_reminders_answers_neither(
    client, dose, sibling, word
):
    texted(dose, sent_at=timezone.now() - timedelta(hours=1))
    texted(sibling)
    answer = reply(client, word, sid="SM0100")

    assert "Several people get reminders at this number" in answer
    assert f"{SITE}/" in answer
    assert Injection.objects.count() == 0 and ReminderAnswer.objects.count() == 0
    assert not Notification.objects.filter(kind=Kind.SNOOZED).exists()


def test_a_shared_number_answers_the_one_patient_whose_reminder_is_open(
    client, alice, dose, sibling
):
    texted(dose, sent_at=timezone.now() - timedelta(hours=1))
    logged = texted(sibling)
    Dose.objects.filter(pk=sibling.pk).update(status=Dose.Status.CANCELLED)
    assert logged.dose_id == sibling.pk

    answer = reply(client, "DONE", sid="SM0101")

    assert "Logged" in answer
    assert Injection.objects.get().prescription.patient == alice


def test_later_by_text_when_no_reminder_could_come_in_time_says_so(client, alice, dose):
    """Texts only, 20:00 on the window's last day: the text would wait for 08:00, too late."""
    ReminderPreference.objects.filter(patient=alice).update(email_enabled=False)
    texted(dose)
    with time_machine.travel(datetime.combine(date(2026, 6, 18), time(20), tzinfo=LONDON)):
        answer = reply(client, "LATER", sid="SM0102")

    assert "too late to remind you again" in answer
    assert ReminderAnswer.objects.count() == 0
    assert not Notification.objects.filter(kind=Kind.SNOOZED).exists()
