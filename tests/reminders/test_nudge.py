"""The nudge sweep: a dose due today and not logged by the evening gets exactly one nudge."""

from datetime import date, time

import pytest

from reminders.models import Notification, ReminderPreference
from reminders.planner import plan_nudges
from schedules import services
from tests.helpers import prescribe
from tests.reminders.conftest import utc

pytestmark = pytest.mark.django_db

DUE = date(2026, 6, 11)
EVENING = utc(2026, 6, 11, 18, 0)  # 19:00 BST, alice's default nudge time


def nudges():
    return list(Notification.objects.filter(kind="nudge"))


def test_an_unlogged_dose_gets_one_nudge_in_the_evening(alice):
    prescribe(alice, start=DUE, today=date(2026, 6, 10))

    assert plan_nudges(now=utc(2026, 6, 11, 17, 59)) == 0
    plan_nudges(now=EVENING)
    plan_nudges(now=utc(2026, 6, 11, 20, 0))
    plan_nudges(now=utc(2026, 6, 11, 22, 30))

    (nudge,) = nudges()
    assert nudge.channel == "email" and nudge.dose.due == DUE
    assert nudge.scheduled_for == EVENING and nudge.next_attempt_at == EVENING


def test_a_logged_dose_gets_no_nudge(alice):
    rx = prescribe(alice, start=DUE, today=date(2026, 6, 10))
    services.injection_log(
        prescription=rx, actor=alice, given_on=DUE, site="deltoid_left", today=DUE
    )

    plan_nudges(now=EVENING)

    assert nudges() == []


def test_no_nudge_the_day_after(alice):
    prescribe(alice, start=DUE, today=date(2026, 6, 10))

    plan_nudges(now=utc(2026, 6, 12, 18, 0))

    assert nudges() == []


def test_nudges_follow_the_preference(alice):
    ReminderPreference.objects.create(patient=alice, nudge_enabled=False)
    prescribe(alice, start=DUE, today=date(2026, 6, 10))

    plan_nudges(now=EVENING)

    assert nudges() == []


def test_nudge_time_is_local(dave):
    # Dave lives in New York: 19:00 EDT is 23:00 UTC.
    prescribe(dave, start=DUE, today=date(2026, 6, 10))

    plan_nudges(now=utc(2026, 6, 11, 22, 59))
    assert nudges() == []
    plan_nudges(now=utc(2026, 6, 11, 23, 0))
    assert [n.scheduled_for for n in nudges()] == [utc(2026, 6, 11, 23, 0)]


def test_a_text_nudge_in_quiet_hours_waits_for_the_morning(alice):
    ReminderPreference.objects.create(
        patient=alice,
        sms_enabled=True,
        sms_number="+447700900123",
        nudge_time=time(22, 0),
        quiet_start=time(21, 30),
        quiet_end=time(7, 30),
    )
    prescribe(alice, start=DUE, today=date(2026, 6, 10))

    plan_nudges(now=utc(2026, 6, 11, 21, 5))

    by_channel = {n.channel: n for n in nudges()}
    assert by_channel["email"].next_attempt_at == utc(2026, 6, 11, 21, 5)
    assert by_channel["sms"].next_attempt_at == utc(2026, 6, 12, 6, 30)
