"""Fault: the worker's database connection is cut (a TCP proxy between the worker and
PostgreSQL, closed by the test, so every connection is refused) while reminders fall due, and
restored. No reminder is lost, the status page and /ops/health go red while nothing can be
sent, and the worker logs the outage as one clear line a window, not a traceback a tick."""

from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from tests.reminders.faults import (
    RED_WITHIN,
    WORKER_ENV,
    RedWatch,
    TcpProxy,
    compressed,
    due_reminders,
    figures,
    need_postgres,
    ride_out,
    sent_count,
    twice_by_key,
    worker_up,
)
from tests.reminders.smtp import smtp_server
from tests.reminders.workers import database_url, log_tail, start_worker, stop_worker

COUNT = 30
CUT_SECONDS = 10
LOG_WINDOW = int(WORKER_ENV["LOG_REPEAT_SECONDS"])


def through(proxy: TcpProxy) -> str:
    """The test database's URL with the proxy's port in place of PostgreSQL's."""
    parts = urlsplit(database_url())
    user, _, _ = parts.netloc.rpartition("@")
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


@compressed
def test_database_unreachable_then_back(
    transactional_db, make_patient, staff, client_for, tmp_path, own_redis
):
    need_postgres()
    config = connection.settings_dict
    proxy = TcpProxy((config["HOST"] or "127.0.0.1", int(config["PORT"] or 5432)))
    proxy.start()
    patient = make_patient("db-fault@example.com", "Db Fault")
    watch = RedWatch(client_for(staff), limit=RED_WITHIN)
    var = tmp_path / "var"
    logged: list[str] = []

    def cut() -> None:
        logged.append(log_tail(var, chars=10**7))
        proxy.cut()

    def restore() -> None:
        logged.append(log_tail(var, chars=10**7))
        proxy.restore()

    with smtp_server() as (server, port):
        env = {**WORKER_ENV, "DATABASE_URL": through(proxy)}
        worker = start_worker(
            var, own_redis, "db-fault", EMAIL_URL=f"smtp://127.0.0.1:{port}", **env
        )
        try:
            assert worker_up(), log_tail(var)
            due_reminders(patient, COUNT, spread=timedelta(seconds=15))
            finished = ride_out(
                ready=lambda: sent_count() >= 5,
                fault=cut,
                recover=restore,
                hold=CUT_SECONDS,
                watch=watch,
                rows=COUNT,
            )
        finally:
            stop_worker(worker)
            proxy.cut()

    assert finished, (sent_count(), log_tail(var))
    during = logged[1][len(logged[0]) :]
    problems = [  # the filesystem broker's own warning about its host name aside
        line
        for line in during.splitlines()
        if (": WARNING/" in line or ": ERROR/" in line) and "No hostname was supplied" not in line
    ]
    windows = CUT_SECONDS / LOG_WINDOW
    result = figures(
        "d. database down", rows=COUNT, twice=twice_by_key(server.message_ids()), watch=watch
    )
    result.note += f"; {len(problems)} warning/error lines in {CUT_SECONDS} s"
    assert result.lost == 0 and result.twice <= 1, result
    assert watch.red_after is not None and watch.red_after <= RED_WITHIN, result
    # One clear line naming the database, and its "repeated N times" summary, a window.
    assert "Traceback" not in during, during
    assert problems and all("127.0.0.1" in line and "is unreachable" in line for line in problems)
    assert len(problems) <= 2 * (windows + 1), problems
