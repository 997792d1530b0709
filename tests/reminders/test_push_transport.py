"""Phone notifications through the dispatcher to a local stand-in push service that decrypts
what it gets with each device's keys: the text, title, tag and TTL arrive; a device that is
gone (410) is forgotten and, with none left, the channel turns off with its reason; a hanging
push service times out within PUSH_TIMEOUT_SECONDS and the row retries; quiet hours hold
notifications like texts."""

from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditEvent
from core.clock import local_today
from reminders import dispatcher
from reminders.management.commands.vapid_keys import new_pair
from reminders.models import Notification, PushSubscription, ReminderPreference
from reminders.selectors import channel_problems
from tests.reminders.conftest import daily
from tests.reminders.push_service import Device, PushService, push_service, vapid_key_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vapid(settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = new_pair()
    settings.PUSH_TIMEOUT_SECONDS = 1
    settings.PUSH_ALLOWED_HOSTS = ["127.0.0.1"]  # the stand-in push service
    return settings.VAPID_PUBLIC_KEY


@pytest.fixture
def stub():
    with push_service(hang_seconds=3) as service:
        yield service


def subscribe(patient, service: PushService, name: str, mode: str = "ok") -> Device:
    endpoint, device = service.device(name, mode)
    PushSubscription.objects.create(
        patient=patient, endpoint=endpoint, p256dh=device.p256dh, auth=device.auth, label=name
    )
    ReminderPreference.objects.update_or_create(
        patient=patient,
        defaults={"push_enabled": True, "quiet_start": time(0, 0), "quiet_end": time(0, 1)},
    )
    return device


def due_row(patient, channel: str = "push") -> Notification:
    rx = daily(patient, start=local_today(patient))
    dose = rx.doses.order_by("due").first()
    now = timezone.now()
    return Notification.objects.create(
        recipient=patient,
        dose=dose,
        kind="due",
        channel=channel,
        scheduled_for=now,
        next_attempt_at=now,
    )


def test_a_due_reminder_reaches_the_device_once_encrypted_with_its_text_and_tag(alice, vapid, stub):
    phone = subscribe(alice, stub, "phone")
    row = due_row(alice)

    result = dispatcher.dispatch_due(ids=[row.pk])

    row.refresh_from_db()
    assert result.sent == 1 and row.status == "sent", row.last_error
    (entry,) = phone.received
    data = entry["data"]
    assert data["tag"] == data["key"] == f"notification-{row.pk}"
    assert data["title"] == "B12 injection"
    assert data["body"] == "B12 Tracker: your B12 injection is due today."
    assert data["url"].endswith("/")
    assert {a["action"] for a in data["actions"]} == {"taken", "later"}
    assert data["links"]["taken"].startswith("http") and "/answer/taken/" in data["links"]["taken"]
    headers = entry["headers"]
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["topic"] == f"notification-{row.pk}"
    assert 60 <= int(headers["ttl"]) <= 2 * 24 * 3600  # until the window closes (a day)
    assert vapid_key_of(headers) == vapid
    sub = PushSubscription.objects.get()
    assert sub.last_sent_at is not None and sub.last_error == ""


def test_a_device_that_is_gone_is_forgotten_and_the_others_still_get_it(alice, vapid, stub):
    subscribe(alice, stub, "old-laptop", "gone")
    phone = subscribe(alice, stub, "phone")
    row = due_row(alice)

    dispatcher.dispatch_due(ids=[row.pk])

    row.refresh_from_db()
    assert row.status == "sent"
    assert list(PushSubscription.objects.values_list("label", flat=True)) == ["phone"]
    assert len(phone.received) == 1
    assert AuditEvent.objects.filter(action="reminders.push_device_gone").count() == 1
    assert ReminderPreference.objects.get(patient=alice).push_ready


def test_the_last_device_gone_turns_push_off_with_a_reason_and_leaves_email_on(alice, vapid, stub):
    subscribe(alice, stub, "phone", "gone")
    row = due_row(alice)
    later = Notification.objects.create(
        recipient=alice,
        dose=row.dose,
        kind="nudge",
        channel="push",
        scheduled_for=row.scheduled_for + timedelta(hours=6),
        next_attempt_at=row.scheduled_for + timedelta(hours=6),
    )

    dispatcher.dispatch_due(ids=[row.pk])

    row.refresh_from_db()
    later.refresh_from_db()
    pref = ReminderPreference.objects.get(patient=alice)
    assert row.status == "failed"
    assert not PushSubscription.objects.exists()
    assert not pref.push_enabled and "Phone notifications stopped" in pref.push_disabled_reason
    assert pref.email_enabled and pref.email_disabled_reason == ""
    assert later.status == "cancelled"
    assert any("Phone notifications stopped" in p for p in channel_problems(patient=alice))


def test_a_hanging_push_service_times_out_and_the_row_retries_with_backoff(alice, vapid, stub):
    phone = subscribe(alice, stub, "phone", "hang")
    row = due_row(alice)

    began = timezone.now()
    result = dispatcher.dispatch_due(ids=[row.pk])
    took = (timezone.now() - began).total_seconds()

    row.refresh_from_db()
    assert result.retried == 1 and result.held == 0
    assert row.status == "pending" and row.attempts == 1 and not row.held
    assert row.last_error == "Push service timed out"
    assert row.next_attempt_at >= began + timedelta(seconds=30)
    assert took < 3  # PUSH_TIMEOUT_SECONDS is 1: connect and read, not the 3 s hang
    assert phone.posts == 1
    device = PushSubscription.objects.get()
    assert device.last_error == "Push service timed out" and device.last_error_at is not None
    assert ReminderPreference.objects.get(patient=alice).push_ready


def test_a_hanging_device_does_not_hold_up_the_email_of_the_same_dose(alice, vapid, stub):
    subscribe(alice, stub, "phone", "hang")
    push_row = due_row(alice)
    email_row = Notification.objects.create(
        recipient=alice,
        dose=push_row.dose,
        kind="due",
        channel="email",
        scheduled_for=push_row.scheduled_for,
        next_attempt_at=push_row.next_attempt_at,
    )

    dispatcher.dispatch_due(ids=[push_row.pk, email_row.pk])

    push_row.refresh_from_db()
    email_row.refresh_from_db()
    assert email_row.status == "sent"
    assert push_row.status == "pending" and push_row.attempts == 1


def test_quiet_hours_hold_a_notification_until_they_end(alice, vapid, stub):
    phone = subscribe(alice, stub, "phone")
    ReminderPreference.objects.filter(patient=alice).update(
        quiet_start=time(21, 0), quiet_end=time(8, 0)
    )
    with time_machine.travel(timezone.now().replace(hour=2, minute=30), tick=False):
        row = due_row(alice)  # alice is in London: 02:30 UTC is in her quiet hours
        result = dispatcher.dispatch_due(ids=[row.pk])

    row.refresh_from_db()
    assert result.deferred == 1 and row.status == "pending" and row.attempts == 0
    assert row.next_attempt_at.hour == 8 and row.next_attempt_at > row.scheduled_for
    assert phone.posts == 0


def test_without_vapid_keys_push_rows_wait_as_in_an_outage(alice, settings, stub):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    subscribe(alice, stub, "phone")
    row = due_row(alice)

    result = dispatcher.dispatch_due(ids=[row.pk])

    row.refresh_from_db()
    assert result.held == 1 and row.held and row.attempts == 0
    assert ReminderPreference.objects.get(patient=alice).push_enabled
