"""What the fault tests share: a TCP proxy the test can cut (between a worker and PostgreSQL),
a stand-in for the SMS provider's HTTP API, the outbox rows they send, the status poll and
the figures each scenario records for the table printed at the end of the run. Not a test
module."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from core.models import SweepTick
from reminders.models import Notification
from schedules.models import Dose
from tests.conftest import need
from tests.reminders.conftest import daily
from tests.reminders.workers import start_redis, stop_server, wait_until

# --- compressed time: thresholds of seconds, not minutes -------------------------------------

LIMIT_SECONDS = 5  # lateness, a channel failing, a stale heartbeat: each red after this long
# Within this long of the fault both the page and the JSON must be red: the limit, plus a
# dispatch tick (DISPATCH_SECONDS=1) and a read of the checks.
RED_WITHIN = LIMIT_SECONDS + 3
compressed = override_settings(
    OUTBOX_LATE_MINUTES=LIMIT_SECONDS / 60,
    TRANSPORT_DOWN_MINUTES=LIMIT_SECONDS / 60,
    HEARTBEAT_STALE_AFTER=timedelta(seconds=LIMIT_SECONDS),
)
# The worker's side: dispatch and heartbeat every second but the other sweeps rarely (one
# worker process keeps up), short leases, short outage waits, a short window for repeated
# log lines.
WORKER_ENV = {
    "SWEEP_SECONDS": "60",
    "NOTIFICATION_LEASE_SECONDS": "3",
    "OUTAGE_WAIT_SECONDS": "2",
    "HEARTBEAT_SECONDS": "1",
    "LOG_REPEAT_SECONDS": "5",
}


# --- the figures, one row per scenario -------------------------------------------------------


@dataclass
class Figures:
    scenario: str
    rows: int
    sent: int = 0
    lost: int = 0
    twice: int = 0
    cancelled: int = 0
    most_late_seconds: float | None = None
    red_after_seconds: float | None = None  # from the fault to the page and JSON both red
    red_limit_seconds: float | None = None
    note: str = ""

    def cells(self) -> list[str]:
        def seconds(value: float | None) -> str:
            return "-" if value is None else f"{value:.1f}"

        red = "never" if self.red_after_seconds is None else seconds(self.red_after_seconds)
        return [
            self.scenario,
            str(self.rows),
            str(self.sent),
            str(self.lost),
            str(self.twice),
            str(self.cancelled),
            seconds(self.most_late_seconds),
            red,
            seconds(self.red_limit_seconds),
            self.note,
        ]


RECORDED: list[Figures] = []
HEADER = ["scenario", "rows", "sent", "lost", "twice", "not deliv.", "most late s", "red after s"]
HEADER += ["red limit s", "note"]


def table() -> list[str]:
    """The recorded figures as fixed-width lines (empty when no fault test ran)."""
    if not RECORDED:
        return []
    grid = [HEADER, *(figures.cells() for figures in RECORDED)]
    widths = [max(len(row[i]) for row in grid) for i in range(len(HEADER))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in grid
    ]


# --- services of the test's own ---------------------------------------------------------------


def need_postgres() -> None:
    need(connection.vendor == "postgresql", "the fault suite needs DATABASE_URL on PostgreSQL")


class TcpProxy:
    """Forwards 127.0.0.1:<port> to `target`; `cut()` closes the port and every connection
    through it (clients then get "connection refused"), `restore()` opens it again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open.update((client, upstream))
            for one, other in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(one, other), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def cut(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            ends, self._open = list(self._open), set()
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def restore(self) -> None:
        self.start()


@dataclass
class SmsStub:
    """The SMS provider's "create message" endpoint on a local http.server: 201 with a fresh
    sid for each text, or 503 for everything while `down`."""

    down: bool = False
    accepted: list[dict[str, str]] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with stub.lock:
                    if stub.down:
                        stub.refused += 1
                        status = 503
                        body = {"code": 20503, "message": "Service unavailable", "status": 503}
                    else:
                        sid = "SM" + uuid.uuid4().hex
                        stub.accepted.append({**form, "sid": sid})
                        status = 201
                        body = {"sid": sid, "status": "queued", "to": form.get("To", "")}
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def sids(self) -> list[str]:
        with self.lock:
            return [text["sid"] for text in self.accepted]


@contextlib.contextmanager
def sms_stub():
    """Yields (stub, base URL) while a ThreadingHTTPServer answers on a free port."""
    stub = SmsStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), stub.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class OwnRedis:
    """A redis-server of the test's own that the test stops and starts again on its port
    (empty each time: it saves nothing). Never the configured shared Redis."""

    def __init__(self, binary: str, folder: str) -> None:
        self.binary, self.folder = binary, folder
        self.log = Path(folder) / "redis.log"
        self.port = 0
        self.url = ""
        self.server: subprocess.Popen | None = None

    def start(self) -> None:
        started = start_redis(self.binary, self.folder, self.log, self.port or None)
        assert started is not None, self.log.read_text(errors="replace")[-2000:]
        self.server, self.url = started
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])

    def stop(self) -> None:
        if self.server is not None:
            stop_server(self.server)
            self.server = None


@contextlib.contextmanager
def own_redis_server() -> Iterator[OwnRedis]:
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="b12-redis-") as folder:
        redis = OwnRedis(str(binary), folder)
        redis.start()
        try:
            yield redis
        finally:
            redis.stop()


# --- the outbox they send ------------------------------------------------------------------------


def worker_up() -> bool:
    """Whether a worker (with beat) is running: it has recorded a heartbeat."""
    return wait_until(lambda: SweepTick.objects.filter(name="heartbeat").exists(), seconds=60)


def due_reminders(patient, count: int, *, channel: str = "email", spread: timedelta) -> list[int]:
    """`count` day-of reminders for the patient's doses (from ten days ahead, so the plan
    sweep adds nothing of its own), intended from a second from now over `spread`."""
    daily(patient, start=date.today() + timedelta(days=10), today=date.today())
    now = timezone.now() + timedelta(seconds=1)
    doses = Dose.objects.filter(prescription__patient=patient).order_by("due")[:count]
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=patient,
            dose=dose,
            kind="due",
            channel=channel,
            scheduled_for=now + spread * n / count,
            next_attempt_at=now + spread * n / count,
        )
        for n, dose in enumerate(doses)
    )
    return [row.pk for row in rows]


def sent_count() -> int:
    return Notification.objects.filter(status="sent").count()


def settled_count() -> int:
    return Notification.objects.filter(status__in=["sent", "cancelled"]).count()


def figures(scenario: str, *, rows: int, twice: int, watch: RedWatch | None = None) -> Figures:
    """Rows sent, not delivered and lost from the database (lost: neither), sent twice as
    counted at the server, how late the latest-going one went out (sent_at less its
    intended instant), and when the checks went red."""
    statuses = Counter(Notification.objects.values_list("status", flat=True))
    lateness = [
        (sent_at - scheduled).total_seconds()
        for sent_at, scheduled in Notification.objects.filter(status="sent").values_list(
            "sent_at", "scheduled_for"
        )
    ]
    result = Figures(
        scenario=scenario,
        rows=rows,
        sent=statuses["sent"],
        lost=rows - statuses["sent"] - statuses["cancelled"],
        twice=twice,
        cancelled=statuses["cancelled"],
        most_late_seconds=max(lateness, default=None),
    )
    if watch is not None:
        result.red_after_seconds = watch.red_after
        result.red_limit_seconds = watch.limit
        result.note = "red: " + (", ".join(sorted(watch.reasons)) or "-")
    RECORDED.append(result)
    return result


def twice_by_key(keys: list[str]) -> int:
    """Messages the server took more than once, by their Message-ID."""
    return sum(count - 1 for count in Counter(keys).values())


def ride_out(
    *,
    ready: Callable[[], bool],
    fault: Callable[[], object],
    recover: Callable[[], object],
    hold: float,
    watch: RedWatch,
    rows: int,
) -> bool:
    """Once `ready`, break something, read the checks for `hold` seconds, mend it, and wait
    until every row is settled (sent, or recorded as not delivered)."""
    # Going, and all green first: a red from the start-up (no heartbeat yet) is not the fault's.
    assert wait_until(lambda: ready() and not watch.check(), seconds=60), "not going, or red"
    fault()
    watch.start()
    while time.monotonic() - watch.started < hold:
        watch.check()
        time.sleep(0.5)
    recover()
    return wait_until(lambda: settled_count() == rows, seconds=60)


# --- the status page and /ops/health, read as staff while the worker runs --------------------


@dataclass
class RedWatch:
    """Reads the status page and /ops/health as staff, in this process and on the same
    database, while the worker runs; `red_after` is from `start()` (the fault) to the first
    read where both said degraded, and `reasons` names the checks that were red."""

    client: Client
    limit: float  # seconds from the fault within which both must be red
    started: float = 0.0
    red_at: float | None = None
    reasons: set[str] = field(default_factory=set)

    def start(self) -> None:
        self.started = time.monotonic()
        self.red_at = None
        self.reasons.clear()

    def check(self) -> bool:
        page = self.client.get(reverse("reminders:status"))
        health = self.client.get(reverse("reminders:health"))
        body = health.json()
        red = b'id="health-degraded"' in page.content and (
            health.status_code == 503 and body["status"] == "degraded"
        )
        if red and self.red_at is None:
            self.red_at = time.monotonic()
        if red and self.red_at is not None:
            checks = body["checks"]
            names = ("heartbeat", "oldest_waiting", "failed_24h")
            self.reasons.update(name for name in names if not checks[name]["ok"])
            self.reasons.update(
                f"{name} down" for name, channel in checks["channels"].items() if not channel["ok"]
            )
        return red

    @property
    def red_after(self) -> float | None:
        return None if self.red_at is None else self.red_at - self.started
