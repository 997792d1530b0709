"""Dispatch throughput of one worker with the locmem backends, beside a loop that calls the
same backends directly: messages per second and their ratio.

Run: python bench/bench_dispatch_throughput.py [--count 2000]. PostgreSQL scratch database.
The difference is the outbox's price: claim, render, and one durable commit per message.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from datetime import time as clock
from typing import TYPE_CHECKING

from _django import postgres_scratch, setup

if TYPE_CHECKING:
    from reminders.models import Notification


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    setup(postgres_scratch("b12tracker_bench_dispatch"))
    from django.core import mail
    from django.core.mail import EmailMessage
    from django.test import override_settings
    from django.utils import timezone

    from reminders.dispatcher import dispatch_due
    from reminders.messages import render
    from reminders.models import Channel, Notification
    from reminders.transports import Outgoing, transport_for

    rows = outbox(args.count)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", SMS_BACKEND="locmem"
    ):
        mail.outbox = []
        started = time.perf_counter()
        dispatch_due(budget_seconds=600)
        worker = time.perf_counter() - started
        assert Notification.objects.filter(status="sent").count() == len(rows)

        # The same messages, rendered once beforehand, handed straight to the backends.
        messages = [(row, render(row)) for row in Notification.objects.select_related(
            "recipient__patient_profile", "dose__prescription")]  # fmt: skip
        sms = transport_for(Channel.SMS)
        mail.outbox = []
        started = time.perf_counter()
        for row, message in messages:
            if row.channel == "sms":
                sms.send(Outgoing(to="+447700900123", body=message.body, key=row.message_key))
            else:
                EmailMessage(message.subject, message.body, to=[row.account.email]).send()
        direct = time.perf_counter() - started
    count = len(rows)
    print(f"messages:                   {count} (half email, half SMS)")
    print(f"worker dispatch (locmem):   {count / worker:8.0f} messages/s ({worker:.2f} s)")
    print(f"direct backend loop:        {count / direct:8.0f} messages/s ({direct:.3f} s)")
    print(f"ratio direct / worker:      {worker / direct:8.1f}")
    print(f"finished at {timezone.now():%H:%M:%S} UTC")


def outbox(count: int) -> list[Notification]:
    """`count` due messages for 100 patients (daily doses), email and SMS alternately."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import PatientProfile, User
    from reminders.models import Notification, ReminderPreference
    from schedules import engine, services
    from schedules.models import Dose

    daily = [engine.PhaseSpec("maintenance", engine.Cadence("day", 1), 1000, "ongoing")]
    hashed = make_password("bench-password")
    patients = User.objects.bulk_create(
        User(email=f"dispatch{n}@bench.example", password=hashed) for n in range(100)
    )
    PatientProfile.objects.bulk_create(
        PatientProfile(user=user, display_name=f"Bench {n}") for n, user in enumerate(patients)
    )
    ReminderPreference.objects.bulk_create(
        # No quiet hours: every text may go at once, whatever the hour of the run.
        ReminderPreference(
            patient=user,
            sms_enabled=True,
            sms_number="+447700900123",
            quiet_start=clock(0),
            quiet_end=clock(0),
        )
        for user in patients
    )
    start = date.today()
    for user in User.objects.select_related("patient_profile").filter(
        pk__in=[p.pk for p in patients]
    ):
        services.prescription_create(
            patient=user, actor=user, product="hydroxocobalamin", strength_mcg_per_ml=1000,
            dose_mcg=1000, route="IM", start_date=start, phases=daily, today=start,
        )  # fmt: skip
    now = timezone.now()
    doses = list(Dose.objects.select_related("prescription").order_by("due", "pk")[: count // 2])
    return Notification.objects.bulk_create(
        Notification(
            recipient_id=dose.prescription.patient_id,
            dose=dose,
            kind="due",
            channel=channel,
            scheduled_for=now,
            next_attempt_at=now,
        )
        for dose in doses
        for channel in ("email", "sms")
    )


if __name__ == "__main__":
    main()
