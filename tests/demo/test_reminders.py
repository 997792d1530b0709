"""seed_demo arms a reminder for each demo patient a minute after it runs, so a message
lands in the outbox during `make run` without anyone touching anything."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from reminders.dispatcher import dispatch_due
from reminders.models import Notification
from reminders.planner import plan_notifications

pytestmark = pytest.mark.django_db


def demo_rows():
    return list(Notification.objects.exclude(dedupe_key="").filter(dedupe_key__startswith="demo:"))


def test_each_demo_patient_gets_a_reminder_due_within_minutes():
    started = timezone.now()
    call_command("seed_demo", "--patients", "2", stdout=StringIO())

    armed = demo_rows()
    assert len(armed) == 2
    for row in armed:
        assert row.status == "pending" and row.channel == "email"
        assert started < row.next_attempt_at <= timezone.now() + timedelta(minutes=2)
    plan_notifications(now=timezone.now())  # the planner leaves the demo's instant alone
    assert [row.next_attempt_at for row in demo_rows()] == [row.next_attempt_at for row in armed]

    with time_machine.travel(max(row.next_attempt_at for row in armed), tick=False):
        dispatch_due()

    assert {row.status for row in demo_rows()} == {"sent"}
    keys = {message.extra_headers["Message-ID"] for message in mail.outbox}
    assert all(f"<notification-{row.pk}@b12tracker.invalid>" in keys for row in armed)


def test_seeding_again_rearms_the_same_rows():
    call_command("seed_demo", "--patients", "1", stdout=StringIO())
    first = demo_rows()
    Notification.objects.filter(pk__in=[row.pk for row in first]).update(status="sent")

    call_command("seed_demo", "--patients", "1", stdout=StringIO())

    again = demo_rows()
    assert [row.pk for row in again] == [row.pk for row in first]
    assert {row.status for row in again} == {"pending"}
