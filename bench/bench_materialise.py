"""Materialising prescriptions on PostgreSQL: total seconds and SQL queries per prescription.

Run: python bench/bench_materialise.py [--count 10000]. Prints figures, asserts nothing.
"""

import argparse
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from _django import postgres_scratch, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    setup(postgres_scratch("b12tracker_bench_materialise"))

    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import PatientProfile, User
    from schedules import regimens, services
    from schedules.models import Dose

    hashed = make_password("bench-password")
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.com", password=hashed) for n in range(args.count)
    )
    PatientProfile.objects.bulk_create(
        PatientProfile(user=user, display_name=f"Bench {n}") for n, user in enumerate(users)
    )
    slugs = list(regimens.REGIMENS)
    queries = 0

    def count(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        for n, user in enumerate(User.objects.select_related("patient_profile").order_by("pk")):
            services.prescription_create(
                patient=user,
                actor=user,
                product="hydroxocobalamin",
                strength_mcg_per_ml=1000,
                dose_mcg=1000,
                route="IM",
                start_date=date(2026, 1, 5),
                regimen_slug=slugs[n % len(slugs)],
                today=date(2026, 1, 5),
            )
    elapsed = time.perf_counter() - started
    doses = Dose.objects.count()
    print(f"prescriptions created:       {args.count}")
    print(f"doses materialised:          {doses} ({doses / args.count:.1f} per prescription)")
    print(f"total seconds:               {elapsed:.1f}")
    print(f"prescriptions per second:    {args.count / elapsed:.0f}")
    print(f"SQL queries per prescription: {queries / args.count:.1f} (bulk: independent of doses)")


if __name__ == "__main__":
    main()
