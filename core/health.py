"""Whether the database answers: the one query behind the readiness probe."""

from django.db import connection


def database_answers() -> None:
    """Run a trivial query; raises the database's error when it cannot."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
