"""The FHIR export and the REST API's list endpoints: median time of a call and its SQL
queries, for a patient with a year of logged monthly doses and twelve months ahead.

Run: python bench/bench_export_api.py [--runs 15]. Builds its own SQLite database in a
temporary folder (or uses --database-url). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from _django import setup

if TYPE_CHECKING:
    from accounts.models import User

API_LISTS = ("doses", "injections", "checkins", "labs", "stock")


def make_patient(email: str) -> User:
    from accounts.models import PatientProfile, User

    patient = User.objects.create_user(email=email, password="!")
    PatientProfile.objects.create(user=patient, display_name=email.split("@")[0])
    return patient


def timed(fetch: Callable[[], Any], runs: int) -> tuple[float, int, int]:
    """Median milliseconds of `runs` calls (after warming up), the queries and the bytes of
    one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert fetch().status_code == 200
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = fetch()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        size = len(fetch().content)
    return statistics.median(times), len(queries), size


def report(name: str, figures: tuple[float, int, int]) -> None:
    median, queries, size = figures
    print(f"{name}: median {median:.1f} ms, {queries} queries, {size // 1024} KiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="b12-bench-export-")
    os.environ["B12_VAR_DIR"] = folder
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Measured without the rate limits in the way (the limit is a cache read either way).
    os.environ["API_RATE_USER"] = "1000000/minute"
    setup(args.database_url or f"sqlite:///{folder}/bench.sqlite3")

    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from api.services import token_create
    from tests.schedules.history import give_history

    patient = make_patient("monthly@example.com")
    give_history(patient, days=365, regimen="seed-maintenance")
    client = Client()
    client.force_login(patient)
    report(
        "FHIR export (patient, a year logged)",
        timed(lambda: client.get(reverse("interop:fhir_export")), args.runs),
    )

    token = token_create(user=patient, name="bench", scope="read")[1]
    api = Client(headers={"authorization": f"Bearer {token}"})
    for name in API_LISTS:
        try:
            path = reverse(f"api:me_{name}")
        except NoReverseMatch:
            print(f"API {name}: no such endpoint")
            continue
        report(
            f"API GET {path} (first page of 50)",
            timed(partial(api.get, path), args.runs),
        )


if __name__ == "__main__":
    main()
