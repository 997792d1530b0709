"""Phone notifications from a real worker with embedded beat to a local stand-in push service
that decrypts them with the device's keys: the due reminder arrives once, with its text and
its row's key as tag; a device that is gone (410) is forgotten and push turns off while the
email goes; a push service that hangs costs one bounded timeout, the email of the same dose
goes meanwhile, and the notification goes on its retry. (A real browser push service cannot
be reached from the test machines.)"""

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import PatientProfile
from reminders.management.commands.vapid_keys import new_pair
from reminders.models import Notification, PushSubscription, ReminderPreference
from tests.reminders.conftest import daily
from tests.reminders.push_service import Device, PushService, push_service, vapid_key_of
from tests.reminders.test_worker_smtp import zone_near_noon
from tests.reminders.workers import log_tail, start_worker, stop_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
DEADLINE = 120


def due_now(make_patient, service: PushService, mode: str) -> tuple[object, Device]:
    """A patient (where it is about noon) whose day-of reminder time was a minute ago, on
    email and phone notifications, with one device whose push service answers per `mode`."""
    now = timezone.now()
    zone = zone_near_noon(now)
    patient = make_patient(f"push-{mode}@example.com", "Pat Push", zone)
    local = now.astimezone(ZoneInfo(zone))
    PatientProfile.objects.filter(user=patient).update(
        reminder_time=(local - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    )
    ReminderPreference.objects.create(
        patient=patient, upcoming_enabled=False, nudge_enabled=False, push_enabled=True
    )
    endpoint, device = service.device("phone", mode)
    PushSubscription.objects.create(
        patient=patient, endpoint=endpoint, p256dh=device.p256dh, auth=device.auth, label="phone"
    )
    daily(patient, start=local.date())
    return patient, device


def run_worker(tmp_path, broker, public_private, until, **env):
    private, public = public_private
    # The other sweeps every 10 s (dispatch stays at 1 s), so that one worker process keeps up
    # with them on a busy machine instead of letting their queued ticks expire.
    env.setdefault("SWEEP_SECONDS", "10")
    worker = start_worker(
        tmp_path / "var",
        broker,
        "push",
        VAPID_PRIVATE_KEY=private,
        VAPID_PUBLIC_KEY=public,
        PUSH_ALLOWED_HOSTS="127.0.0.1",  # the stand-in push service
        **env,
    )
    try:
        done = wait_until(until, seconds=DEADLINE, step=0.2)
        time.sleep(3)  # a few more dispatch ticks: nothing may go twice
    finally:
        code = stop_worker(worker)
    return done, code, log_tail(tmp_path / "var")


def todays(channel: str):
    """The day-of reminder due now (the plan also holds those of the next two days)."""
    return Notification.objects.filter(
        kind="due", channel=channel, scheduled_for__lte=timezone.now()
    ).order_by("scheduled_for")


def status(channel: str) -> str:
    return todays(channel).values_list("status", flat=True).first() or ""


def test_a_due_reminder_reaches_the_push_service_once_and_decrypts(
    transactional_db, make_patient, tmp_path, worker_broker
):
    keys = new_pair()
    with push_service() as service:
        _patient, phone = due_now(make_patient, service, "ok")
        done, code, log = run_worker(
            tmp_path, worker_broker, keys, lambda: status("push") == "sent"
        )

    assert done and code == 0, log
    row = todays("push").get()
    (entry,) = phone.received  # once
    assert entry["data"]["tag"] == f"notification-{row.pk}"
    assert entry["data"]["body"] == "B12 Tracker: your B12 injection is due today."
    assert entry["data"]["title"] == "B12 injection"
    assert vapid_key_of(entry["headers"]) == keys[1]
    assert status("email") == "sent"


def test_a_gone_device_is_forgotten_and_push_turns_off_while_email_goes(
    transactional_db, make_patient, tmp_path, worker_broker
):
    with push_service() as service:
        patient, phone = due_now(make_patient, service, "gone")
        done, code, log = run_worker(
            tmp_path,
            worker_broker,
            new_pair(),
            lambda: status("push") == "failed" and status("email") == "sent",
        )

    assert done and code == 0, log
    assert phone.posts == 1 and not phone.received
    assert not PushSubscription.objects.exists()
    pref = ReminderPreference.objects.get(patient=patient)
    assert not pref.push_enabled and pref.push_disabled_reason
    assert pref.email_ready


def test_a_hanging_push_service_times_out_retries_and_never_holds_up_the_email(
    transactional_db, make_patient, tmp_path, worker_broker, capsys
):
    with push_service(hang_seconds=8) as service:
        _patient, phone = due_now(make_patient, service, "hang-once")
        began = time.monotonic()
        done, code, log = run_worker(
            tmp_path,
            worker_broker,
            new_pair(),
            lambda: status("push") == "sent",
            PUSH_TIMEOUT_SECONDS="2",
        )
        took = time.monotonic() - began

    assert done and code == 0, log
    push_row, email_row = todays("push").get(), todays("email").get()
    assert email_row.status == "sent" and email_row.sent_at < push_row.sent_at
    assert push_row.attempts == 2 and push_row.last_error == "Push service timed out"
    assert phone.posts == 2 and len(phone.received) == 1
    assert phone.received[0]["data"]["tag"] == f"notification-{push_row.pk}"
    # The email went while the notification waited out its first backoff (30 s after its
    # timed-out attempt); at worst it waited behind that attempt's 2 s timeout.
    gap = (push_row.sent_at - email_row.sent_at).total_seconds()
    assert gap >= 30 - 2 - 1
    with capsys.disabled():
        print(f"\n[push hang] email sent {gap:.1f} s before the retried notification; {took:.0f} s")
