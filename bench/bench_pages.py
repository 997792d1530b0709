"""Requests per second for the patient pages under gunicorn, beside a bare page.

Run from the repo root: `python bench/bench_pages.py [--requests 400] [--clients 4] [--years 10]`.
Builds its own SQLite database in a temporary B12_VAR_DIR with ten years of history,
starts gunicorn (2 workers) on loopback, and prints each page's ratio to the bare page
("About your injections": the same base template, no schedule data). Asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "bare (about)": ("/me/about/", "About your injections"),
    "home": ("/", 'id="next-dose-date"'),
    "schedule": ("/me/schedule/", 'class="dose-list'),
    "history": ("/me/history/", "Your injection history"),
}


def environment(var_dir: str, *, cold: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    env.update(
        B12_VAR_DIR=var_dir,
        DEBUG="false",
        SECRET_KEY="bench-" + secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="b12tracker.settings",
        CELERY_TASK_ALWAYS_EAGER="true",
        PYTHONPATH=str(ROOT),
        # Cold: no page cache, so every request draws its page from the database.
        CACHE_URL="dummycache://" if cold else "locmemcache://bench",
    )
    return env


def prepare(env: dict[str, str], years: int) -> tuple[str, int]:
    """Migrate, collect static files, make a patient with history; return (session, injections)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    from django.test import Client

    from accounts.models import PatientProfile, User
    from tests.schedules.history import give_history

    patient = User.objects.create_user(email="bench@example.com", password=secrets.token_hex())
    PatientProfile.objects.create(user=patient, display_name="Bench Patient")
    rx = give_history(patient, days=years * 365)
    client = Client()
    client.force_login(patient, backend="accounts.backends.ProfileBackend")
    return client.cookies["sessionid"].value, rx.injections.count()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def fetch(port: int, path: str, session: str, marker: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": f"sessionid={session}"})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    if response.status != 200 or marker not in body:
        raise RuntimeError(f"{path}: status {response.status}, marker {marker!r} missing")


def rate(port: int, path: str, marker: str, session: str, requests: int, clients: int) -> float:
    """Requests per second for `requests` GETs of `path` by `clients` concurrent clients."""
    for _ in range(10):
        fetch(port, path, session, marker)  # warm up both workers
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda _: fetch(port, path, session, marker), range(requests)))
    return requests / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400, help="requests per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--years", type=int, default=10, help="years of injection history")
    parser.add_argument(
        "--cold", action="store_true", help="no page cache: every page drawn from the database"
    )
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="b12-bench-pages-")
    env = environment(var_dir, cold=args.cold)
    server = None
    try:
        session, injections = prepare(env, args.years)
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "b12tracker.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(port, server)
        print(f"SQLite in {var_dir}; {args.years} years of history ({injections} injections)")
        print(f"gunicorn: 2 workers; {args.clients} clients; {args.requests} requests per page")
        print("page cache: " + ("off (cold)" if args.cold else "on (in each worker's memory)"))
        results = {
            name: rate(port, path, marker, session, args.requests, args.clients)
            for name, (path, marker) in PAGES.items()
        }
        bare = results["bare (about)"]
        print(f"{'page':<14} {'req/s':>8} {'ratio to bare':>14}")
        for name, value in results.items():
            print(f"{name:<14} {value:>8.0f} {value / bare:>14.2f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
