"""Quiet hours are decided once, for texts and phone notifications alike: the plan sweep puts a
phone notification planned inside them at their end, exactly as it does a text, and the
dispatcher defers with the same function; email goes at once."""

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from reminders.models import Channel, ReminderPreference
from reminders.planner import deliver_at, plan_notifications
from tests.helpers import prescribe
from tests.reminders.conftest import rows, utc

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = utc(2026, 6, 10, 12, 0)  # 13:00 in London (BST)
DUE = date(2026, 6, 11)


def quiet() -> ReminderPreference:
    return ReminderPreference(quiet_start=time(21, 0), quiet_end=time(8, 0))


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.PUSH])
def test_texts_and_phone_notifications_wait_for_the_end_of_quiet_hours(channel):
    at_night = utc(2026, 6, 10, 21, 30)  # 22:30 BST

    assert deliver_at(channel, at_night, quiet(), LONDON) == utc(2026, 6, 11, 7, 0)


def test_email_goes_at_once_in_quiet_hours():
    at_night = utc(2026, 6, 10, 21, 30)

    assert deliver_at(Channel.EMAIL, at_night, quiet(), LONDON) == at_night


def test_a_planned_phone_notification_waits_like_the_text_of_the_same_reminder(alice):
    ReminderPreference.objects.create(
        patient=alice,
        sms_enabled=True,
        sms_number="+447700900123",
        push_enabled=True,
        upcoming_time=time(22, 30),
        quiet_start=time(21, 0),
        quiet_end=time(8, 0),
    )
    prescribe(alice, start=DUE, today=NOW.date())

    plan_notifications(now=NOW)

    planned = {(r.kind, r.channel): r for r in rows(status="pending", kind="upcoming")}
    push, sms = planned[("upcoming", "push")], planned[("upcoming", "sms")]
    assert push.scheduled_for == utc(2026, 6, 10, 21, 30)  # 22:30 BST, inside quiet hours
    assert push.next_attempt_at == sms.next_attempt_at == utc(2026, 6, 11, 7, 0)  # 08:00 BST
    assert planned[("upcoming", "email")].next_attempt_at == utc(2026, 6, 10, 21, 30)
