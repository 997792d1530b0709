"""Starting a real Celery worker with embedded beat for a test: the test database's URL, a
private var/ folder and a broker of its own (the filesystem broker, or a redis-server started
for the test). Not a test module.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import REQUIRE_SERVICES, need
from tests.reminders.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server of the test's own on a free port, saving nothing; yields its URL.

    Stopped (by pid) at the end. Skips, or fails under B12_REQUIRE_SERVICES=1, when
    redis-server is not installed. A test may FLUSHDB this one: nobody else uses it."""
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="b12-redis-") as folder:
        log = Path(folder) / "redis.log"
        started = None
        for _ in range(3):  # another process may take the free port before redis binds it
            started = start_redis(str(binary), folder, log)
            if started is not None:
                break
        if started is None:
            pytest.fail(f"redis-server did not start:\n{log.read_text(errors='replace')[-2000:]}")
        server, url = started
        try:
            yield url
        finally:
            stop_server(server)


def start_redis(
    binary: str, folder: str, log: Path, port: int | None = None
) -> tuple[subprocess.Popen, str] | None:
    """redis-server on `port` (or a free one), answering PING; None (and stopped) if it did
    not start."""
    port = port or free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with log.open("ab") as out:
        server = subprocess.Popen(
            [
                binary,
                *("--port", str(port), "--bind", "127.0.0.1", "--dir", folder),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_until(lambda: server.poll() is not None or redis_reachable(url), seconds=15)
    if server.poll() is None and redis_reachable(url):
        return server, url
    stop_server(server)
    return None


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def redis_configured() -> bool:
    """Whether worker tests run on Redis: when CELERY_BROKER_URL names Redis (required in CI,
    B12_REQUIRE_SERVICES=1). They use a redis-server of their own, never the configured one."""
    url = settings.CELERY_BROKER_URL
    is_redis = url.startswith(("redis://", "rediss://"))
    if REQUIRE_SERVICES:
        need(is_redis, f"CELERY_BROKER_URL is {url!r}, not Redis")
    return is_redis


def database_url() -> str:
    """A URL for the database this test run uses, for the worker process."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = quote(config["USER"] or "", safe="")
    password = f":{quote(config['PASSWORD'], safe='')}" if config.get("PASSWORD") else ""
    host = config["HOST"] or "localhost"
    port = f":{config['PORT']}" if config["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{config['NAME']}"


def start_worker(
    var_dir: Path, broker: str, name: str, *, beat: bool = True, **env: str
) -> subprocess.Popen:
    """A worker with embedded beat (unless `beat` is False) in its own process group (so a
    kill reaches the pool and beat too). Its output goes to var_dir/worker.log."""
    return _start(var_dir, broker, env, ["worker", *(["--beat"] if beat else [])], name)


def start_beat(var_dir: Path, broker: str, **env: str) -> subprocess.Popen:
    """Beat on its own (`celery beat`), output in var_dir/worker.log."""
    return _start(var_dir, broker, env, ["beat"], "")


def _start(
    var_dir: Path, broker: str, env: dict[str, str], command: list[str], name: str
) -> subprocess.Popen:
    var_dir.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "b12tracker.settings",
        "DEBUG": "true",
        "B12_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SWEEP_SECONDS": "1",
        "DISPATCH_SECONDS": "1",
        "SMS_BACKEND": "file",
        **env,
    }
    with (var_dir / "worker.log").open("ab") as out:
        return subprocess.Popen(
            [
                str(CELERY),
                *("-A", "b12tracker", *command, "--loglevel", "INFO"),
                *(
                    ("--concurrency", "1", "--hostname", f"{name}-{os.getpid()}@%h")
                    if command[0] == "worker"
                    else ()
                ),
            ],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_worker(worker: subprocess.Popen) -> int:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        return worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_worker(worker)
        return worker.wait(timeout=10)


def kill_worker(worker: subprocess.Popen) -> None:
    """SIGKILL, by pid: the worker's process group (main process, pool child and beat)."""
    with contextlib.suppress(ProcessLookupError):  # it may have died already
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def wait_until(condition: Callable[[], bool], *, seconds: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def log_tail(var_dir: Path, chars: int = 4000) -> str:
    path = var_dir / "worker.log"
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""
