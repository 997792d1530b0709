"""The clinician's patients page at practice scale: 10, 1,000 and 10,000 linked patients (each
with two years of history) in one run. Prints, per size, the median page time, the queries per
page, and the CSV export's time and peak Python memory; then the 10,000 / 10 page-time ratio
(target: at most 1.5) and whether the query counts are equal.

Run: python bench/bench_dashboard.py [--db postgres|sqlite] [--sizes 10,1000,10000]
[--runs 15] [--history-days 730]. PostgreSQL is a scratch database (BENCH_POSTGRES names the
server); SQLite a scratch file under var/. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import tracemalloc
from dataclasses import dataclass
from typing import TYPE_CHECKING

from _django import ROOT, postgres_scratch, setup

if TYPE_CHECKING:
    from django.test import Client

    from accounts.models import User


@dataclass(frozen=True)
class Figures:
    size: int
    page_ms: float
    queries: int
    csv_ms: float
    csv_peak_kib: float
    csv_lines: int


def make_clinician(email: str, count: int, first: int, history_days: int) -> User:
    from accounts.models import ClinicianProfile, Role, User
    from demo.bulk import linked_demo_patients

    clinician = User.objects.create_user(email=email, password="!", role=Role.CLINICIAN)
    ClinicianProfile.objects.create(user=clinician, display_name=email.split("@")[0])
    linked_demo_patients(clinician, count, first=first, history_days=history_days)
    return clinician


def signed_in(clinician: User) -> Client:
    """A client past both sign-in steps: the bench measures the page, not the sign-in."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(clinician, backend="accounts.backends.ProfileBackend")
    device = TOTPDevice.objects.create(user=clinician, name="Bench app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def time_page(client: Client, runs: int) -> tuple[float, int]:
    """Median seconds for GET /clinic/ (after warming up), and the queries it ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

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


def time_export(client: Client) -> tuple[float, float, int]:
    """Seconds and peak traced memory (KiB) to stream the whole CSV export; its lines."""
    from django.http import StreamingHttpResponse

    tracemalloc.start()
    started = time.perf_counter()
    response = client.get("/clinic/patients.csv")
    assert isinstance(response, StreamingHttpResponse)
    lines = sum(bytes(chunk).count(b"\n") for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 1024, lines


def measure(clinician: User, size: int, runs: int) -> Figures:
    client = signed_in(clinician)
    page_s, queries = time_page(client, runs)
    csv_s, peak, lines = time_export(client)
    return Figures(size, page_s * 1000, queries, csv_s * 1000, peak, lines)


def database(kind: str) -> str:
    if kind == "postgres":
        return postgres_scratch("b12tracker_bench_dashboard")
    path = ROOT / "var" / "bench_dashboard.sqlite3"
    path.parent.mkdir(exist_ok=True)
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--history-days", type=int, default=730)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # One process, no rate limits or page cache between requests that would flatter a size.
    os.environ["CACHE_URL"] = "dummycache://"
    setup(database(args.db))

    from django.db import connection
    from django.test.utils import override_settings

    from monitoring.summary_sync import summaries_rebuild
    from schedules.models import Dose, Injection

    started = time.perf_counter()
    clinicians, first = [], 1
    for size in sizes:
        clinicians.append(make_clinician(f"c{size}@example.com", size, first, args.history_days))
        first += size
    built = time.perf_counter() - started
    started = time.perf_counter()
    summaries_rebuild()
    rebuilt = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum keeps them after a load
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        figures = [measure(c, size, args.runs) for c, size in zip(clinicians, sizes, strict=True)]
    report(
        args,
        figures,
        built=built,
        rebuilt=rebuilt,
        doses=Dose.objects.count(),
        injections=Injection.objects.count(),
        vendor=connection.vendor,
    )


def report(
    args: argparse.Namespace,
    figures: list[Figures],
    *,
    built: float,
    rebuilt: float,
    doses: int,
    injections: int,
    vendor: str,
) -> None:
    print(f"database:                {vendor}")
    print(f"history:                 {args.history_days} days per patient, built in {built:.0f} s")
    print(f"summaries rebuilt in:    {rebuilt:.1f} s")
    print(f"doses / injections:      {doses} / {injections}")
    for f in figures:
        print(
            f"{f.size:>6} patients: page {f.page_ms:7.1f} ms ({f.queries} queries); "
            f"CSV {f.csv_lines - 1} rows in {f.csv_ms:7.0f} ms, peak {f.csv_peak_kib:8.0f} KiB"
        )
    small, large = figures[0], figures[-1]
    print(
        f"ratio {large.size} / {small.size}: {large.page_ms / small.page_ms:.2f} "
        f"(target: at most 1.5); queries equal: {small.queries == large.queries}"
    )


if __name__ == "__main__":
    main()
