"""Check-in prompts: the sweep asks at the patient's cadence (weekly by default, every 3 days in
the 2 weeks before a maintenance dose), once a day at most, not when turned off; a check-in
withdraws what is pending; the message says no more than a first name and the link."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from monitoring.checkins import checkin_plan_set, checkin_save, plan_checkin_prompts
from monitoring.models import CheckIn
from monitoring.tasks import plan_checkin_prompts as plan_checkin_prompts_task
from reminders.messages import render
from reminders.models import Channel, Kind, Notification, ReminderPreference
from tests.helpers import noon, prescribe

pytestmark = pytest.mark.django_db

START = date(2025, 1, 31)  # seed-maintenance: monthly from 31 Jan, next doses 28 Feb, 31 Mar


def early(day: date) -> datetime:
    """06:00 UTC: before alice's 09:00 London reminder time."""
    return datetime(day.year, day.month, day.day, 6, tzinfo=UTC)


def prompts() -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.CHECKIN).order_by("scheduled_for"))


def asked_on(day: date) -> int:
    with time_machine.travel(early(day), tick=False):
        return plan_checkin_prompts(now=early(day))


@pytest.fixture
def rx(alice):
    return prescribe(alice, start=START)


def test_the_first_sweep_asks_at_the_reminder_time_and_once_a_day(alice, rx):
    day = date(2025, 2, 3)
    assert asked_on(day) == 1
    assert asked_on(day) == 0
    [row] = prompts()
    assert row.recipient == alice and row.channel == Channel.EMAIL
    assert row.scheduled_for == datetime(2025, 2, 3, 9, tzinfo=UTC)  # 09:00 in London
    assert row.dedupe_key == f"checkin:{alice.pk}:2025-02-03:email"


def test_weekly_by_default_counted_from_the_last_check_in(alice, rx):
    asked_on(date(2025, 2, 3))
    assert asked_on(date(2025, 2, 9)) == 0
    assert asked_on(date(2025, 2, 10)) == 1
    CheckIn.objects.create(patient=alice, on=date(2025, 2, 12))
    assert asked_on(date(2025, 2, 17)) == 0  # a week from the prompt, but 5 days from the check-in
    assert asked_on(date(2025, 2, 19)) == 1


def test_every_3_days_in_the_2_weeks_before_a_maintenance_dose(alice, rx):
    # 28 Feb was given; the next dose is 31 Mar, so the closer window opens on 17 Mar.
    from tests.clinic.helpers import log

    log(rx, date(2025, 2, 28))
    CheckIn.objects.create(patient=alice, on=date(2025, 3, 14))
    assert asked_on(date(2025, 3, 16)) == 0
    assert asked_on(date(2025, 3, 17)) == 1  # the window's first day, before the week is up
    assert asked_on(date(2025, 3, 19)) == 0
    assert asked_on(date(2025, 3, 20)) == 1

    checkin_plan_set(patient=alice, every_days=7, closer_before_dose=False)
    assert asked_on(date(2025, 3, 23)) == 0
    assert asked_on(date(2025, 3, 27)) == 1


def test_no_prompts_when_turned_off_or_without_an_active_prescription(alice, dave, rx):
    ReminderPreference.objects.create(patient=alice, checkin_enabled=False)
    assert asked_on(date(2025, 2, 3)) == 0  # dave has no prescription
    assert prompts() == []


def test_a_check_in_withdraws_the_pending_prompt(alice, rx):
    day = date(2025, 2, 3)
    asked_on(day)
    with time_machine.travel(early(day), tick=False):
        checkin_save(patient=alice, actor=alice, on=day, values={"tiredness": 1}, today=day)
    [row] = prompts()
    assert row.status == Notification.Status.CANCELLED
    assert asked_on(day) == 0


def test_filling_in_an_earlier_day_leaves_todays_prompt_waiting(alice, rx):
    day = date(2025, 2, 3)
    asked_on(day)
    with time_machine.travel(early(day), tick=False):
        checkin_save(patient=alice, actor=alice, on=day - timedelta(days=4), values={}, today=day)
    [row] = prompts()
    assert row.status == Notification.Status.PENDING


def test_the_message_says_a_first_name_and_the_link_and_nothing_clinical(alice, rx):
    ReminderPreference.objects.create(patient=alice, sms_enabled=True, sms_number="+447700900123")
    asked_on(date(2025, 2, 3))
    email, sms = sorted(prompts(), key=lambda row: row.channel)
    text = render(email)
    assert text.subject == "How have you been feeling?"
    assert "Hello Alice," in text.body and "/me/symptoms/" in text.body
    sms_text = render(sms).body
    assert "/me/symptoms/" in sms_text and sms_text.isascii()
    for words in ("tingling", "pins", "hydroxocobalamin", "deficiency"):
        assert words not in (text.body + sms_text).lower()


def test_the_sweep_is_a_task_on_the_beat_schedule(alice, rx):
    entry = settings.CELERY_BEAT_SCHEDULE["plan-checkin-prompts"]
    assert entry["task"] == "monitoring.tasks.plan_checkin_prompts"
    with time_machine.travel(noon(date(2025, 2, 3)), tick=False):
        assert plan_checkin_prompts_task.apply().get() == 1
    assert len(prompts()) == 1
    assert asked_on(date(2025, 2, 3) + timedelta(days=1)) == 0


@pytest.mark.parametrize("patients", [2, 20])
def test_a_sweep_with_nobody_due_reads_every_patient_in_one_query(
    make_patient, django_assert_num_queries, patients
):
    for n in range(patients):
        prescribe(make_patient(f"p{n}@example.com", f"Pat {n}"), start=START)
    assert asked_on(date(2025, 2, 3)) == patients
    with time_machine.travel(early(date(2025, 2, 4)), tick=False), django_assert_num_queries(1):
        assert plan_checkin_prompts(now=early(date(2025, 2, 4))) == 0
