"""Sending to a device checks its push service again and goes nowhere else: a host no longer
in PUSH_ALLOWED_HOSTS gets no request, a redirect is never followed (a 3xx is that device's
error), and one device with a broken key fails alone while the patient's other devices get
the notification and every outcome is recorded."""

from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from core.clock import local_today
from reminders import dispatcher
from reminders.management.commands.vapid_keys import new_pair
from reminders.models import Notification, PushSubscription, ReminderPreference
from tests.reminders.conftest import daily
from tests.reminders.push_service import Device, PushService, push_service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vapid(settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = new_pair()
    settings.PUSH_TIMEOUT_SECONDS = 2
    settings.PUSH_ALLOWED_HOSTS = ["127.0.0.1"]  # the stand-in push service
    return settings.VAPID_PUBLIC_KEY


@pytest.fixture
def stub():
    with push_service(hang_seconds=3) as service:
        yield service


def subscribe(patient, service: PushService, name: str, mode: str = "ok", **keys: str) -> Device:
    endpoint, device = service.device(name, mode)
    PushSubscription.objects.create(
        patient=patient,
        endpoint=endpoint,
        p256dh=keys.get("p256dh", device.p256dh),
        auth=keys.get("auth", device.auth),
        label=name,
    )
    ReminderPreference.objects.update_or_create(
        patient=patient,
        defaults={"push_enabled": True, "quiet_start": time(0, 0), "quiet_end": time(0, 1)},
    )
    return device


def due_row(patient) -> Notification:
    dose = daily(patient, start=local_today(patient)).doses.order_by("due").first()
    now = timezone.now()
    return Notification.objects.create(
        recipient=patient,
        dose=dose,
        kind="due",
        channel="push",
        scheduled_for=now,
        next_attempt_at=now,
    )


def test_a_host_taken_off_the_allowed_list_gets_no_request(alice, vapid, stub, settings):
    phone = subscribe(alice, stub, "phone")
    row = due_row(alice)
    settings.PUSH_ALLOWED_HOSTS = ["fcm.googleapis.com"]

    result = dispatcher.dispatch_due(ids=[row.pk])

    row.refresh_from_db()
    assert result.retried == 1 and row.status == "pending"
    assert phone.posts == 0 and stub.log == []
    assert "not allowed" in row.last_error
    assert "not allowed" in PushSubscription.objects.get().last_error


def test_a_redirect_is_never_followed_and_is_that_devices_error(alice, vapid, stub):
    moved = subscribe(alice, stub, "moved", "redirect")
    moved.redirect_to = f"{stub.url}/push/internal-service"
    row = due_row(alice)

    result = dispatcher.dispatch_due(ids=[row.pk])

    row.refresh_from_db()
    assert result.retried == 1 and row.status == "pending"
    assert [entry["device"] for entry in stub.log] == ["moved"]  # nothing at the new address
    assert "redirect" in row.last_error.lower()
    assert "redirect" in PushSubscription.objects.get().last_error.lower()


def test_a_redirecting_device_does_not_stop_the_others(alice, vapid, stub):
    moved = subscribe(alice, stub, "moved", "redirect")
    moved.redirect_to = f"{stub.url}/push/phone"
    phone = subscribe(alice, stub, "phone")
    row = due_row(alice)

    dispatcher.dispatch_due(ids=[row.pk])

    row.refresh_from_db()
    assert row.status == "sent"
    assert len(phone.received) == 1  # once: its own post, not the redirected one


def test_a_device_with_a_broken_key_fails_alone_and_the_others_get_it(alice, vapid, stub):
    # Stored before keys were checked at subscription: the right length, not a P-256 point.
    subscribe(alice, stub, "broken", p256dh="B" + "x" * 86, auth="a" * 22)
    phone = subscribe(alice, stub, "phone")
    laptop = subscribe(alice, stub, "laptop")
    row = due_row(alice)

    result = dispatcher.dispatch_due(ids=[row.pk])

    row.refresh_from_db()
    assert result.sent == 1 and row.status == "sent", row.last_error
    assert row.provider_id == "push: 2 of 3 devices"
    assert len(phone.received) == len(laptop.received) == 1
    subs = {sub.label: sub for sub in PushSubscription.objects.all()}
    assert subs["broken"].last_error and subs["broken"].last_sent_at is None
    assert subs["phone"].last_sent_at is not None and subs["phone"].last_error == ""
    assert "broken" not in [entry["device"] for entry in stub.log]


def test_a_broken_key_alone_is_retried_not_a_crash(alice, vapid, stub, client_for):
    subscribe(alice, stub, "broken", p256dh="B" + "x" * 86, auth="a" * 22)
    row = due_row(alice)

    result = dispatcher.dispatch_due(ids=[row.pk])

    row.refresh_from_db()
    assert result.retried == 1 and row.attempts == 1 and row.status == "pending"
    page = client_for(alice).get(reverse("reminders:preferences")).content.decode()
    assert "Last notification could not be delivered on" in page
    assert "ValueError" not in page and "elliptic" not in page
