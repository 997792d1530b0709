"""Shared set-up for benchmarks: a scratch database of their own, migrated, never the app's."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(database_url: str | None = None) -> None:
    """Point Django at a scratch database and migrate it. Call before importing models."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "b12tracker.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def postgres_scratch(name: str) -> str:
    """Create an empty PostgreSQL database for a benchmark and return its URL."""
    import psycopg

    base = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name
