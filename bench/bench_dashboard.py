"""The clinician's patients page at practice scale: 10, 1,000 and 10,000 linked patients (each
with two years of history) in one run. Prints, per size, the median page time, the queries per
page, and the CSV export's time and peak Python memory; then the 10,000 / 10 page-time ratio
(target: at most 1.5) and whether the query counts are equal.

Run: python bench/bench_dashboard.py [--db postgres|sqlite] [--sizes 10,1000,10000]
[--runs 31] [--history-days 730] [--reuse] [--no-cache]. PostgreSQL is a scratch database
(BENCH_POSTGRES names the server); SQLite a scratch file under var/; `--reuse` measures again
what the last run built. The page cache is the app's own (each process's memory) unless
`--no-cache`. Asserts nothing.
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


SCRATCH = "b12tracker_bench_dashboard"


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


def time_pages(clients: list[Client], runs: int) -> list[tuple[float, int]]:
    """Median seconds for GET /clinic/ per client (after warming up) and the queries it ran.
    The clients take turns, request by request, so a busy moment on the machine falls on
    every size alike rather than on whichever was being measured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for client in clients:
        for _ in range(3):
            assert client.get("/clinic/").status_code == 200
    times: list[list[float]] = [[] for _ in clients]
    for _ in range(runs):
        for client, own in zip(clients, times, strict=True):
            started = time.perf_counter()
            response = client.get("/clinic/")
            own.append(time.perf_counter() - started)
            assert response.status_code == 200
    counts = []
    for client in clients:
        with CaptureQueriesContext(connection) as queries:
            client.get("/clinic/")
        counts.append(len(queries))
    return [(statistics.median(own), n) for own, n in zip(times, counts, strict=True)]


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


def measure(clinicians: list[User], sizes: list[int], runs: int) -> list[Figures]:
    clients = [signed_in(clinician) for clinician in clinicians]
    pages = time_pages(clients, runs)
    figures = []
    for client, size, (page_s, queries) in zip(clients, sizes, pages, strict=True):
        csv_s, peak, lines = time_export(client)
        figures.append(Figures(size, page_s * 1000, queries, csv_s * 1000, peak, lines))
    return figures


def database(kind: str, *, reuse: bool) -> str:
    if kind == "postgres":
        if reuse:
            base = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
            return base.rsplit("/", 1)[0] + "/" + SCRATCH
        return postgres_scratch(SCRATCH)
    path = ROOT / "var" / f"{SCRATCH}.sqlite3"
    path.parent.mkdir(exist_ok=True)
    if not reuse:
        path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def clinicians_for(sizes: list[int], history_days: int, *, reuse: bool) -> list[User]:
    """One clinician per size, each with that many linked patients of their own."""
    from accounts.models import User

    if reuse:
        return [User.objects.get(email=f"c{size}@example.com") for size in sizes]
    clinicians, first = [], 1
    for size in sizes:
        clinicians.append(make_clinician(f"c{size}@example.com", size, first, history_days))
        first += size
    return clinicians


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--history-days", type=int, default=730)
    parser.add_argument(
        "--reuse", action="store_true", help="Measure the database a previous run built."
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="Turn the page cache off (rows drawn afresh)."
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    if args.no_cache:
        # Every request draws every row: what a first visit after a change costs.
        os.environ["CACHE_URL"] = "dummycache://"
    setup(database(args.db, reuse=args.reuse))

    from django.db import connection
    from django.test.utils import override_settings

    from monitoring.summary_sync import summaries_rebuild
    from schedules.models import Dose, Injection

    started = time.perf_counter()
    clinicians = clinicians_for(sizes, args.history_days, reuse=args.reuse)
    built = time.perf_counter() - started
    started = time.perf_counter()
    if not args.reuse:  # a reused database has its summaries from the run that built it
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
        figures = measure(clinicians, sizes, args.runs)
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
    print(f"database:                {vendor}, page cache {'off' if args.no_cache else 'on'}")
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
