"""Starting a real Celery worker with embedded beat for a test, as test_heartbeat_worker.py
does: the test database's URL, a private var/ folder and a broker of its own. Not a test module.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

from tests.conftest import REQUIRE_SERVICES, need

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def broker_for_test(db: int, *, redis_required: bool = False) -> str:
    """The configured Redis with a database number of this test's own (so flushing it or
    leaving messages behind touches nobody else), or the filesystem broker in var/."""
    url = settings.CELERY_BROKER_URL
    is_redis = url.startswith(("redis://", "rediss://"))
    if REQUIRE_SERVICES or redis_required:
        need(is_redis, f"CELERY_BROKER_URL is {url!r}, not Redis")
    if not is_redis:
        return "filesystem://"
    parts = urlsplit(url)
    own = urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))
    need(redis_reachable(own), f"Redis at {parts.hostname}:{parts.port} is not reachable")
    return own


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


def start_worker(var_dir: Path, broker: str, name: str, **env: str) -> subprocess.Popen:
    """A worker with embedded beat in its own process group (so a kill reaches the pool
    and beat too). Its output goes to var_dir/worker.log."""
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
        "SMS_BACKEND": "file",
        **env,
    }
    with (var_dir / "worker.log").open("ab") as out:
        return subprocess.Popen(
            [
                str(CELERY),
                *("-A", "b12tracker", "worker", "--beat", "--concurrency", "1"),
                *("--loglevel", "INFO", "--hostname", f"{name}-{os.getpid()}@%h"),
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
