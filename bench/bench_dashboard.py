"""The clinician's patients page on PostgreSQL: 10 against 1,000 linked patients, each with
two years of history. Prints the median page time of each, their ratio (target: under 3)
and the SQL queries per page.

Run: python bench/bench_dashboard.py [--large 1000] [--runs 15]. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import TYPE_CHECKING

from _django import postgres_scratch, setup

if TYPE_CHECKING:
    from accounts.models import User

HISTORY_DAYS = 730


def make_clinician(email: str, count: int, first: int) -> User:
    from accounts.models import ClinicianProfile, Role, User
    from demo.bulk import linked_demo_patients

    clinician = User.objects.create_user(email=email, password="!", role=Role.CLINICIAN)
    ClinicianProfile.objects.create(user=clinician, display_name=email.split("@")[0])
    linked_demo_patients(clinician, count, first=first, history_days=HISTORY_DAYS)
    return clinician


def time_page(clinician: User, runs: int) -> tuple[float, int]:
    """Median seconds for GET /clinic/ (after warming up), and the queries it ran."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(clinician, backend="accounts.backends.ProfileBackend")
    for _ in range(3):
        assert client.get("/clinic/").status_code == 200
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get("/clinic/")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/clinic/")
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    setup(postgres_scratch("b12tracker_bench_dashboard"))

    from django.db import connection
    from django.test.utils import override_settings

    from schedules.models import Dose, Injection

    started = time.perf_counter()
    small = make_clinician("small@example.com", args.small, first=1)
    large = make_clinician("large@example.com", args.large, first=args.small + 1)
    built = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum keeps them after a bulk load
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        small_s, small_q = time_page(small, args.runs)
        large_s, large_q = time_page(large, args.runs)
    print(f"history:                 {HISTORY_DAYS} days per patient, built in {built:.0f} s")
    print(f"doses / injections:      {Dose.objects.count()} / {Injection.objects.count()}")
    print(f"patients page, {args.small:>5} patients: {small_s * 1000:7.1f} ms  ({small_q} queries)")
    print(f"patients page, {args.large:>5} patients: {large_s * 1000:7.1f} ms  ({large_q} queries)")
    print(f"ratio:                   {large_s / small_s:.2f} (target: under 3)")


if __name__ == "__main__":
    main()
