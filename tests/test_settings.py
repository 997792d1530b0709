"""Settings come from the environment and are strict: production values pass Django's
deployment checks, and a bad or missing value stops the process naming the variable."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from reminders.management.commands.vapid_keys import new_pair

ROOT = Path(__file__).resolve().parents[1]
_VAPID_PRIVATE, _VAPID_PUBLIC = new_pair()
PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "example.org",
    "HTTPS": "true",
    "SITE_URL": "https://example.org",
    "VAPID_PRIVATE_KEY": _VAPID_PRIVATE,
    "VAPID_PUBLIC_KEY": _VAPID_PUBLIC,
}


def manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py with only the variables given (plus PATH), as a fresh deployment would."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "b12tracker.settings",
        "B12_VAR_DIR": str(tmp_path / "var"),
        # A developer's local .env must not leak into a deployment's clean environment.
        "B12_ENV_FILE": "",
        **env,
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env={key: value for key, value in clean.items() if value is not None},
        capture_output=True,
        text=True,
        timeout=60,
    )


def real_key() -> str:
    return secrets.token_urlsafe(48)


@pytest.mark.parametrize(
    "database_url",
    [None, "sqlite:////tmp/b12-prod.sqlite3", "postgres://b12:secret@db.internal:5432/b12"],
    ids=["default-database", "sqlite-url", "postgres-url"],
)
def test_production_values_pass_the_deployment_checks(tmp_path, database_url):
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=real_key(),
        DATABASE_URL=database_url,
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deployment_checks_warn_without_vapid_keys(tmp_path):
    production = {k: v for k, v in PRODUCTION.items() if not k.startswith("VAPID_")}
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=real_key(),
        **production,
    )

    assert result.returncode != 0
    assert "reminders.W001" in result.stdout + result.stderr


def test_deployment_checks_do_warn_without_https(tmp_path):
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=real_key(),
        **{**PRODUCTION, "HTTPS": "false"},
    )

    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SECRET_KEY": None}, ["SECRET_KEY"]),
        ({"SECRET_KEY": ""}, ["SECRET_KEY"]),
        ({"SECRET_KEY": "too-short"}, ["SECRET_KEY"]),
        ({"SECRET_KEY": "a" * 60}, ["SECRET_KEY"]),
        ({"DEBUG": "maybe"}, ["DEBUG", "maybe"]),
        ({"HTTPS": "sometimes"}, ["HTTPS"]),
        ({"DATABASE_URL": "mysql://b12@db/b12"}, ["DATABASE_URL"]),
        ({"DATABASE_URL": "not a url"}, ["DATABASE_URL"]),
        ({"CELERY_BROKER_URL": "amqp://guest@localhost//"}, ["CELERY_BROKER_URL"]),
        ({"SMS_BACKEND": "twilio"}, ["SMS_BACKEND", "TWILIO_ACCOUNT_SID"]),
        ({"SMS_BACKEND": "pigeon"}, ["SMS_BACKEND"]),
        ({"EMAIL_URL": "smtp://"}, ["EMAIL_URL"]),
        ({"EMAIL_TIMEOUT": "soon"}, ["EMAIL_TIMEOUT"]),
        ({"HEARTBEAT_SECONDS": "0"}, ["HEARTBEAT_SECONDS"]),
        ({"WORKER_STARTUP_CHECK_SECONDS": "soon"}, ["WORKER_STARTUP_CHECK_SECONDS"]),
        ({"WORKER_STARTUP_CHECK_SECONDS": "-1"}, ["WORKER_STARTUP_CHECK_SECONDS"]),
        ({"TIME_ZONE": "Mars/Olympus_Mons"}, ["TIME_ZONE"]),
        ({"CACHE_URL": "redis://127.0.0.1:6379/1"}, ["CACHE_URL"]),
        ({"CACHE_URL": "nonsense"}, ["CACHE_URL"]),
    ],
    ids=lambda value: str(value),
)
def test_bad_values_stop_the_start_naming_the_variable(tmp_path, env, names):
    result = manage(tmp_path, "check", **{**PRODUCTION, "SECRET_KEY": real_key(), **env})

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "ImproperlyConfigured" in line
    for name in names:
        assert name in line, result.stderr


def test_twilio_with_its_credentials_starts(tmp_path):
    result = manage(
        tmp_path,
        "check",
        SECRET_KEY=real_key(),
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN="token",
        TWILIO_FROM_NUMBER="+15005550006",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr


def test_debug_runs_without_a_secret_key_and_creates_the_var_folders(tmp_path):
    result = manage(tmp_path, "check", DEBUG="true")

    assert result.returncode == 0, result.stderr
    var = tmp_path / "var"
    for folder in ("outbox/email", "outbox/sms", "broker/queue", "broker/processed"):
        assert (var / folder).is_dir(), folder


def test_a_missing_secret_key_stops_manage_py_with_one_line_naming_it(tmp_path):
    result = manage(tmp_path, "check")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "SECRET_KEY" in line
    assert "DEBUG=true" in line


def test_a_local_env_file_lets_the_documented_commands_run(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"# written by make run\nDEBUG=true\nSECRET_KEY='{real_key()}'\n")

    result = manage(
        tmp_path,
        "schedule_preview",
        "--regimen",
        "bnf-no-neuro",
        "--start",
        "2026-01-05",
        B12_ENV_FILE=str(env_file),
    )

    assert result.returncode == 0, result.stderr
    assert "2026-01-05" in result.stdout


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=true\n")

    result = manage(tmp_path, "check", B12_ENV_FILE=str(env_file), DEBUG="maybe")

    assert result.returncode == 1
    assert "DEBUG='maybe'" in result.stderr


def test_a_malformed_env_file_names_its_line(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=true\nthis is not a setting\n")

    result = manage(tmp_path, "check", B12_ENV_FILE=str(env_file))

    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert f"{env_file} line 2" in line


def test_dates_on_pages_read_day_month_year():
    from datetime import date

    from django.utils.formats import date_format

    day = date(2026, 11, 30)
    assert date_format(day) == "30 Nov 2026"
    assert date_format(day, "SHORT_DATE_FORMAT") == "30 Nov 2026"


def test_the_readme_lists_every_variable_in_one_table():
    readme = (ROOT / "README.md").read_text().splitlines()
    rows = [number for number, line in enumerate(readme) if line.startswith("| `")]
    # One table: its rows follow each other with nothing in between.
    assert rows == list(range(rows[0], rows[0] + len(rows)))
    documented = " ".join(readme[number] for number in rows)
    source = (ROOT / "b12tracker" / "settings.py").read_text()
    read = set(re.findall(r"""(?:env_[a-z]+\(|environ\.get\()\s*"([A-Z0-9_]+)\"""", source))
    assert read
    assert sorted(name for name in read if f"`{name}`" not in documented) == []


def test_with_https_the_cookies_are_host_only(tmp_path):
    shown = manage(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE)",
        SECRET_KEY=real_key(),
        **PRODUCTION,
    )

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[-3:] == ["__Host-b12session", "__Host-csrftoken", "True"]
