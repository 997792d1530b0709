"""One reminder sweep with 1,000 reminders due, over 10,000 and then 1,000,000 future doses.

Run: python bench/bench_reminder_sweeps.py. PostgreSQL scratch database; rows are bulk
inserted (doses by COPY). Prints times and their ratio (indexes should keep it near 1);
asserts nothing. The extra doses lie 90 days ahead and later: future, but not due soon.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from _django import postgres_scratch, setup

if TYPE_CHECKING:
    from accounts.models import User
    from schedules.models import Phase, Prescription

DUE_NOW = 1_000
FILLER_DOSES_PER_PRESCRIPTION = 1_000
SIZES = (10_000, 1_000_000)


def main() -> None:
    setup(postgres_scratch("b12tracker_bench_sweeps"))
    from django.db import connection
    from django.test import override_settings
    from django.utils import timezone

    now = timezone.now().replace(second=0, microsecond=0)
    today = now.astimezone(UTC).date()
    print(f"now {now:%Y-%m-%d %H:%M} UTC; {DUE_NOW} patients with a dose due today")
    build_due_patients(today)
    figures = {}
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for size in SIZES:
            add_filler(size - DUE_NOW - filler_doses(), today)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            figures[size] = run_sweeps(now)
            report(size, figures[size])
    small, large = (figures[size] for size in SIZES)
    print(
        f"ratio {SIZES[1]:,} / {SIZES[0]:,} doses: plan+dispatch "
        f"{large['plan+dispatch'] / small['plan+dispatch']:.2f}, "
        f"flag sweep {large['flag'] / small['flag']:.2f}, "
        f"nudge sweep {large['nudge'] / small['nudge']:.2f}"
    )


def build_due_patients(today: date) -> None:
    """1,000 patients in UTC, reminder time 00:00, each with one monthly dose due today."""
    from datetime import time as clock

    from django.contrib.auth.hashers import make_password

    from accounts.models import PatientProfile, User
    from schedules.models import Dose, Phase

    hashed = make_password("bench-password")
    users = User.objects.bulk_create(
        User(email=f"due{n}@bench.example", password=hashed) for n in range(DUE_NOW)
    )
    PatientProfile.objects.bulk_create(
        PatientProfile(user=u, display_name=f"Due {n}", time_zone="UTC", reminder_time=clock(0))
        for n, u in enumerate(users)
    )
    prescriptions = make_prescriptions(users, today)
    phases = Phase.objects.bulk_create(maintenance_phase(rx) for rx in prescriptions)
    Dose.objects.bulk_create(
        Dose(
            prescription=rx,
            phase=phase,
            sequence=1,
            due=today,
            earliest=today - timedelta(days=7),
            latest=today + timedelta(days=7),
            dose_mcg=1000,
            status="due",
        )
        for rx, phase in zip(prescriptions, phases, strict=True)
    )


def make_prescriptions(users: list[User], start: date) -> list[Prescription]:
    from schedules.models import Prescription

    return Prescription.objects.bulk_create(
        Prescription(
            patient=user,
            regimen_slug="seed-maintenance",
            regimen_name="Maintenance",
            product="hydroxocobalamin",
            strength_mcg_per_ml=1000,
            dose_mcg=1000,
            start_date=start,
            planned_until=start + timedelta(days=3000),
        )
        for user in users
    )


def maintenance_phase(rx: Prescription) -> Phase:
    from schedules.models import Phase

    return Phase(
        prescription=rx, order=0, kind="maintenance", unit="day", every=1, bound="ongoing",
        dose_mcg=1000,
    )  # fmt: skip


def filler_doses() -> int:
    from schedules.models import Dose

    return Dose.objects.count() - DUE_NOW


def add_filler(count: int, today: date) -> None:
    """Patients whose daily doses start 90 days ahead, COPYed in 1,000 per prescription."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import PatientProfile, User
    from schedules.models import Phase

    if count <= 0:
        return
    started = time.perf_counter()
    prescriptions_needed = count // FILLER_DOSES_PER_PRESCRIPTION
    offset = User.objects.count()
    hashed = make_password("bench-password")
    users = User.objects.bulk_create(
        (User(email=f"filler{offset + n}@bench.example", password=hashed)
         for n in range(prescriptions_needed)),
        batch_size=2000,
    )  # fmt: skip
    PatientProfile.objects.bulk_create(
        (PatientProfile(user=u, display_name="Filler", time_zone="UTC") for u in users),
        batch_size=2000,
    )
    first = today + timedelta(days=90)
    prescriptions = make_prescriptions(users, first)
    phases = Phase.objects.bulk_create(
        (maintenance_phase(rx) for rx in prescriptions), batch_size=2000
    )
    stamp = datetime.now(UTC)
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY schedules_dose (prescription_id, phase_id, sequence, due, earliest, latest,"
            " dose_mcg, status, updated_at) FROM STDIN"
        ) as copy,
    ):
        for rx, phase in zip(prescriptions, phases, strict=True):
            for k in range(FILLER_DOSES_PER_PRESCRIPTION):
                due = first + timedelta(days=k)
                copy.write_row((rx.pk, phase.pk, k + 1, due, due, due, 1000, "scheduled", stamp))
    print(f"  added {count:,} future doses in {time.perf_counter() - started:.1f} s")


def run_sweeps(now: datetime) -> dict[str, float]:
    from django.core import mail

    from reminders.dispatcher import dispatch_due
    from reminders.models import Notification
    from reminders.planner import plan_notifications, plan_nudges
    from schedules.services import sweep_missed_doses

    Notification.objects.all().delete()
    mail.outbox = []
    timings = {}
    started = time.perf_counter()
    planned = plan_notifications(now=now)
    timings["plan"] = time.perf_counter() - started
    started = time.perf_counter()
    sent = dispatch_due(budget_seconds=600).sent
    timings["dispatch"] = time.perf_counter() - started
    timings["plan+dispatch"] = timings["plan"] + timings["dispatch"]
    started = time.perf_counter()
    sweep_missed_doses(now=now)
    timings["flag"] = time.perf_counter() - started
    started = time.perf_counter()
    plan_nudges(now=now)
    timings["nudge"] = time.perf_counter() - started
    timings["planned"], timings["sent"] = planned.created, sent
    return timings


def report(size: int, t: dict[str, float]) -> None:
    from schedules.models import Dose

    print(
        f"{Dose.objects.count():>9,} future doses: plan {t['plan']:.3f} s "
        f"({t['planned']:.0f} rows), dispatch {t['dispatch']:.3f} s ({t['sent']:.0f} sent), "
        f"one sweep {t['plan+dispatch']:.3f} s; flag sweep {t['flag'] * 1000:.1f} ms, "
        f"nudge sweep {t['nudge'] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
