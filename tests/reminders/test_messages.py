"""Message templates: one per kind and channel, short plain-ASCII texts, a link into the app,
and no medicine named unless the patient opted in to detailed messages."""

from datetime import date

import pytest
from django.conf import settings

from core.messages import render_sms, to_ascii
from monitoring.models import Flag
from reminders.messages import render
from reminders.models import Kind, Notification, ReminderPreference
from schedules.models import Dose
from tests.helpers import prescribe
from tests.reminders.conftest import utc

pytestmark = pytest.mark.django_db

DOSE_KINDS = [Kind.UPCOMING, Kind.DUE, Kind.NUDGE, Kind.MISSED, Kind.BOOKING]
DUE = date(2026, 6, 11)


@pytest.fixture
def dose(alice):
    rx = prescribe(alice, start=DUE, today=date(2026, 6, 10), given_by="nurse")
    return Dose.objects.get(prescription=rx, due=DUE)


def row(dose, kind: str, channel: str) -> Notification:
    return Notification(
        recipient=dose.prescription.patient,
        dose=dose,
        kind=kind,
        channel=channel,
        scheduled_for=utc(2026, 6, 10, 8),
        next_attempt_at=utc(2026, 6, 10, 8),
    )


@pytest.mark.parametrize("kind", DOSE_KINDS)
def test_texts_are_short_ascii_with_a_link_and_no_medicine(dose, kind):
    body = render(row(dose, kind, "sms")).body

    assert body.isascii() and len(body) <= 160, body
    assert body.startswith("B12 Tracker:")
    assert settings.SITE_URL in body
    assert "hydroxocobalamin" not in body.lower() and "1000" not in body


@pytest.mark.parametrize("kind", DOSE_KINDS)
def test_emails_name_no_medicine_unless_the_patient_opts_in(dose, alice, kind):
    plain = render(row(dose, kind, "email"))
    ReminderPreference.objects.create(patient=alice, detailed_messages=True)
    detailed = render(row(Dose.objects.get(pk=dose.pk), kind, "email"))

    assert plain.subject and settings.SITE_URL in plain.body
    assert "Hello Alice" in plain.body
    assert "hydroxocobalamin" not in (plain.subject + plain.body).lower()
    if kind != Kind.MISSED:
        assert "your hydroxocobalamin injection (1000 mcg, 1.00 mL)" in detailed.body


def test_the_missed_message_says_carry_on_without_doubling_up(dose):
    message = render(row(dose, Kind.MISSED, "email"))
    text = render(row(dose, Kind.MISSED, "sms")).body

    assert "Do not have two injections" in message.body
    assert "Saturday 11 July" in message.body  # the next dose, a month later
    assert "do not double up" in text and "Sat 11 Jul" in text


def test_the_booking_message_asks_to_book_the_nurse(dose):
    message = render(row(dose, Kind.BOOKING, "email"))

    assert "book the appointment" in message.body and "Thursday 11 June" in message.body


def test_the_flag_digest_lists_first_names_and_links_only(dose, bob, alice):
    flag = Flag.objects.create(
        patient=alice, prescription=dose.prescription, dose=dose, kind="missed_loading"
    )
    digest = Notification(
        recipient=bob,
        kind=Kind.FLAG_DIGEST,
        channel="email",
        dedupe_key="flag_digest:test",
        payload={"flag_ids": [flag.pk]},
        scheduled_for=utc(2026, 6, 10, 7),
        next_attempt_at=utc(2026, 6, 10, 7),
    )

    message = render(digest)

    assert message.subject == "1 new flag to review in B12 Tracker"
    assert "- Alice: Missed dose in a loading phase" in message.body
    assert f"/clinic/patients/{alice.pk}/" in message.body
    assert "Patel" not in message.body and "alice@example.com" not in message.body


def test_sms_rendering_replaces_typographic_characters():
    assert to_ascii(
        "It\u2019s due\u00a0today \u2014 \u201cthanks\u201d\u2026 caf\u00e9 5\u00b5g"
    ) == ('It\'s due today - "thanks"... cafe 5mcg')
    assert render_sms(kind="sms_code", context={"code": "123456", "minutes": 10}).isascii()
