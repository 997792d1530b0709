"""The calendar feed: median time of a fetch built from the database, of one served from
the cache (same ETag) and of a revalidation (304), with the SQL queries of each, for a
patient with a year of logged monthly doses and twelve months ahead, and for one in an
open-ended every-other-day loading phase (a year of dates ahead).

Run: python bench/bench_calendar.py [--runs 15]. Builds its own SQLite database in a
temporary folder (or uses --database-url). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from _django import setup

if TYPE_CHECKING:
    from accounts.models import User


def make_patient(email: str) -> User:
    from accounts.models import PatientProfile, User

    patient = User.objects.create_user(email=email, password="!")
    PatientProfile.objects.create(user=patient, display_name=email.split("@")[0])
    return patient


def timed(
    fetch: Callable[[], Any], runs: int, status: int, *, cold: bool = False
) -> tuple[float, int]:
    """Median milliseconds of `runs` calls (after warming up) and the queries of one call;
    `cold`: the cache emptied before each, so the calendar is built from the database."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert fetch().status_code == status
    times = []
    for _ in range(runs):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = fetch()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        fetch()
    return statistics.median(times), len(queries)


def measure(name: str, patient: User, runs: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from interop.services import feed_create

    _, token = feed_create(patient=patient, detail_level="detailed", alarm=True)
    path = reverse("interop:feed", kwargs={"token": token})
    client = Client()
    first = client.get(path)
    events = first.content.count(b"BEGIN:VEVENT")
    built, built_queries = timed(lambda: client.get(path), runs, 200, cold=True)
    full, full_queries = timed(lambda: client.get(path), runs, 200)
    etag = first["ETag"]
    again, again_queries = timed(
        lambda: client.get(path, headers={"if-none-match": etag}), runs, 304
    )
    print(
        f"{name}: {events} events, {len(first.content) // 1024} KiB; "
        f"built median {built:.1f} ms ({built_queries} queries); "
        f"cached median {full:.1f} ms ({full_queries} queries); "
        f"304 median {again:.1f} ms ({again_queries} queries)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="b12-bench-calendar-")
    os.environ["B12_VAR_DIR"] = folder
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    setup(args.database_url or f"sqlite:///{folder}/bench.sqlite3")

    from core.clock import local_today
    from tests.helpers import standard_prescription
    from tests.schedules.history import give_history

    monthly = make_patient("monthly@example.com")
    give_history(monthly, days=365, regimen="seed-maintenance")
    loading = make_patient("loading@example.com")
    today = local_today(loading)
    standard_prescription(loading, regimen="bnf-neuro", start=today, today=today)
    measure("a year logged + 12 months ahead, monthly", monthly, args.runs)
    measure("open-ended every-other-day loading, 12 months ahead", loading, args.runs)


if __name__ == "__main__":
    main()
