"""The answer links end to end with a real worker: it plans and sends the day's reminder by
email (through SMTP) and by text; the "I've had it" link read out of the email logs exactly one
injection on that dose, however often and from however many devices it is used, and a DONE
reply through the signed webhook changes nothing more."""

import re
from datetime import timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from accounts.models import PatientProfile
from reminders.models import Notification, ReminderAnswer, ReminderPreference
from schedules.models import Dose, Injection
from tests.reminders.conftest import daily
from tests.reminders.smtp import smtp_server
from tests.reminders.workers import log_tail, start_worker, stop_worker, wait_until

DEADLINE = 120
NUMBER = "+447700900123"
TOKEN = "webhook-secret"
SITE = "https://b12.example.org"


def zone_near_noon(now) -> str:
    """A fixed-offset zone where it is about noon now, far from any local midnight."""
    offset = 12 - now.hour
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


def due_now(make_patient, email: str, name: str, **preferences) -> Dose:
    """A patient on a daily course from today, in a zone near noon, whose day-of reminder time
    has just passed (other reminders off): today's dose, due for its reminder now."""
    now = timezone.now()
    zone = zone_near_noon(now)
    patient = make_patient(email, name, zone)
    local = now.astimezone(ZoneInfo(zone))
    PatientProfile.objects.filter(user=patient).update(
        reminder_time=(local - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    )
    ReminderPreference.objects.create(
        patient=patient,
        upcoming_enabled=False,
        nudge_enabled=False,
        sms_enabled=True,
        sms_number=NUMBER,
        **preferences,
    )
    rx = daily(patient, start=local.date())
    return Dose.objects.get(prescription=rx, due=local.date())


def sent_rows() -> int:
    return Notification.objects.filter(status="sent", kind="due").count()


def test_the_link_in_the_sent_email_logs_one_injection_on_its_dose(
    transactional_db, make_patient, tmp_path, worker_broker, settings
):
    dose = due_now(make_patient, "answers-worker@example.com", "Answer Worker")
    patient = dose.prescription.patient

    with smtp_server() as (server, port):
        worker = start_worker(
            tmp_path / "var", worker_broker, "answers", EMAIL_URL=f"smtp://127.0.0.1:{port}"
        )
        try:
            arrived = wait_until(lambda: server.messages, seconds=DEADLINE)
            both = wait_until(lambda: sent_rows() == 2, seconds=30)
        finally:
            stop_worker(worker)

    output = log_tail(tmp_path / "var")
    assert arrived and both, output
    (message,) = server.messages
    email_row = Notification.objects.get(channel="email", status="sent")
    assert email_row.dose == dose and message["Message-ID"].startswith(
        f"<notification-{email_row.pk}@"
    )
    body = message.get_payload(decode=True).decode()
    taken = re.search(r"https?://\S+/answer/taken/\S+", body)
    assert taken and re.search(r"/answer/later/\S+", body), body
    url = urlparse(taken.group(0)).path

    page = Client().get(url)
    assert page.status_code == 200 and "had it" in page.content.decode()
    phone, laptop = Client(), Client()
    form = {"given_on": dose.due.isoformat(), "site": "deltoid_left"}
    first = phone.post(url, form)
    second = phone.post(url, form)
    other_device = laptop.post(url, form)

    settings.SMS_BACKEND, settings.TWILIO_AUTH_TOKEN, settings.SITE_URL = "twilio", TOKEN, SITE
    params = {"From": NUMBER, "Body": "DONE", "MessageSid": "SM-worker-1"}
    signature = RequestValidator(TOKEN).compute_signature(
        SITE + reverse("reminders:sms_inbound"), params
    )
    replied = Client().post(
        reverse("reminders:sms_inbound"), params, HTTP_X_TWILIO_SIGNATURE=signature
    )

    assert first.status_code == 200 and "Logged" in first.content.decode()
    assert "Already answered" in second.content.decode()
    assert "Already answered" in other_device.content.decode()
    assert replied.status_code == 200 and "Logged" not in replied.content.decode()
    injection = Injection.objects.get()
    assert Dose.objects.get(pk=dose.pk).injection == injection
    assert injection.given_on == dose.due and injection.patient == patient
    assert list(ReminderAnswer.objects.values_list("nonce", flat=True)) == [
        f"n{email_row.pk}-taken"
    ]


def test_a_done_reply_to_the_sent_text_logs_one_injection_on_its_dose(
    transactional_db, make_patient, tmp_path, worker_broker, settings
):
    dose = due_now(make_patient, "answers-text@example.com", "Answer Text", email_enabled=False)

    worker = start_worker(tmp_path / "var", worker_broker, "answers-text")
    try:
        sent = wait_until(lambda: sent_rows() == 1, seconds=DEADLINE)
    finally:
        stop_worker(worker)
    assert sent, log_tail(tmp_path / "var")

    settings.SMS_BACKEND, settings.TWILIO_AUTH_TOKEN, settings.SITE_URL = "twilio", TOKEN, SITE
    url = reverse("reminders:sms_inbound")
    replies = []
    for sid in ("SM-text-1", "SM-text-1", "SM-text-2"):  # a retried delivery, then a 2nd DONE
        params = {"From": NUMBER, "Body": "done", "MessageSid": sid}
        signature = RequestValidator(TOKEN).compute_signature(SITE + url, params)
        response = Client().post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)
        replies.append(response.content.decode())

    assert "Logged: injection on" in replies[0] and replies[1] == replies[0]
    assert "no injection waiting" in replies[2]
    injection = Injection.objects.get()
    assert Dose.objects.get(pk=dose.pk).injection == injection
    assert ReminderAnswer.objects.get().via == "sms"
