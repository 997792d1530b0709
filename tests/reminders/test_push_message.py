"""What a phone notification says: the text message's words without any link or reply line,
rendered from the template with the push flag (never cut out of the text), whatever the
wording of the answer line; the links go only in the notification's buttons and its tap."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from core.messages import render_sms
from reminders import dispatcher
from reminders.models import Notification, ReminderPreference
from schedules.models import Dose
from tests.helpers import prescribe

pytestmark = pytest.mark.django_db

DUE = date(2026, 6, 11)
DOSE_KINDS = ["upcoming", "due", "nudge", "snoozed", "booking", "missed"]
SMS_TEMPLATES = sorted(
    path.stem
    for path in (Path(django_settings.BASE_DIR) / "templates" / "sms").glob("*.txt")
    if not path.stem.startswith("_")
)


def push_row(patient, kind: str) -> Notification:
    rx = prescribe(patient, start=DUE, today=DUE - timedelta(days=1), given_by="nurse")
    dose = rx.doses.order_by("due").first()
    if kind == "missed":
        Dose.objects.filter(pk=dose.pk).update(status=Dose.Status.MISSED)
        dose.refresh_from_db()
    now = timezone.now()
    return Notification.objects.create(
        recipient=patient,
        dose=dose,
        kind=kind,
        channel="push",
        scheduled_for=now,
        next_attempt_at=now,
    )


@pytest.mark.parametrize("sms_backend", ["locmem", "twilio"])
@pytest.mark.parametrize("kind", DOSE_KINDS)
def test_no_dose_notification_shows_a_link_or_a_reply_line(alice, settings, kind, sms_backend):
    settings.SMS_BACKEND = sms_backend  # with twilio, texts say "Reply DONE ..."
    row = push_row(alice, kind)

    outgoing = dispatcher.push_outgoing(row, ReminderPreference.of(alice))

    body = outgoing.body
    assert body.startswith("B12 Tracker: ") and len(body) > 30, body
    for word in ("http", "/answer/", "Tap", "Reply", "Tell us when", "Log it when"):
        assert word not in body, body
    assert body.rstrip().endswith((".", "!")), body
    assert outgoing.data and "http" in outgoing.data  # the links ride along for the buttons


def test_the_booking_notification_has_its_answer_as_a_button(alice):
    row = push_row(alice, "booking")

    outgoing = dispatcher.push_outgoing(row, ReminderPreference.of(alice))

    assert outgoing.body == "B12 Tracker: book a nurse for your B12 injection due Thu 11 Jun."
    assert '"action": "booked"' in outgoing.data and "/answer/" in outgoing.data


def test_the_text_of_the_same_booking_reminder_keeps_its_link(alice):
    row = push_row(alice, "booking")
    row.channel = "sms"

    text = dispatcher.render(row).body

    assert "Booked? Tell us when: http" in text


@pytest.mark.parametrize("kind", SMS_TEMPLATES)
def test_no_text_template_shows_a_link_with_the_push_flag(kind):
    link = "https://b12.example.org/somewhere/"
    context = {
        "push": True,
        "link": link,
        "preferences_link": link,
        "links": {"taken": link, "later": link, "booked": link},
        "sms_replies": True,
        "due": DUE,
        "code": "123456",
        "minutes": 10,
        "covered": 1,
        "runs_out": DUE,
        "expiry": DUE,
        "clinician": "Dr Bob",
    }

    as_push = render_sms(kind=kind, context=context)
    as_text = render_sms(kind=kind, context={**context, "push": False, "sms_replies": False})

    assert "http" not in as_push and "Reply" not in as_push
    assert "http" in as_text or kind == "sms_code"  # the flag is what leaves the link out
