"""Strict readers for settings taken from the environment.

Every reader raises ImproperlyConfigured naming the variable, so a bad value stops the
process at start instead of surfacing later as odd behaviour.
"""

import base64
import binascii
import os
import warnings
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value:
        return value
    if required or default is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return default


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def env_timezone(name: str, default: str) -> str:
    value = _raw(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not an IANA time zone.") from None
    return value


def _parsed(name: str, value: str, parser: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    try:
        # django-environ warns about an unknown scheme before we reject it with a clearer line.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return parser(value)
    except (ValueError, KeyError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"{name} could not be read: {exc}") from None


def env_database(name: str, default: str) -> dict[str, Any]:
    value = _raw(name) or default
    config = _parsed(name, value, environ.Env.db_url_config)
    engine = config.get("ENGINE", "")
    if not engine.endswith(("sqlite3", "postgresql")):
        raise ImproperlyConfigured(f"{name} must be a sqlite:// or postgres:// URL.")
    return config


def env_cache(name: str, default: str) -> dict[str, Any]:
    value = _raw(name) or default
    config = _parsed(name, value, environ.Env.cache_url_config)
    backend = config.get("BACKEND", "")
    if not backend.endswith(("LocMemCache", "DummyCache")):
        raise ImproperlyConfigured(f"{name} must be a locmemcache:// or dummycache:// URL.")
    return config


def env_email(name: str) -> dict[str, Any] | None:
    value = _raw(name)
    if not value:
        return None
    config = _parsed(name, value, environ.Env.email_url_config)
    if not config.get("EMAIL_HOST"):
        raise ImproperlyConfigured(f"{name} needs a host, as in smtp://user:pass@host:25.")
    return config


def load_env_file(path: str) -> None:
    """Read KEY=VALUE lines from a local file (written by `make run`) into the environment.

    A variable already set in the environment wins; a missing file is no error, so a
    deployment without one reads only its real environment.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, equals, value = text.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise ImproperlyConfigured(f"{path} line {number} is not NAME=value.")
        os.environ.setdefault(name, value.strip().strip("\"'"))


def env_vapid(private_name: str, public_name: str) -> tuple[str, str]:
    """The web push (VAPID) key pair: a P-256 private key as 32 bytes and its public key as the
    65-byte uncompressed point, both base64url as `manage.py vapid_keys` prints them. Both
    unset: ("", "") and phone notifications are off; one alone, or a mismatch, stops here."""
    private, public = _raw(private_name) or "", _raw(public_name) or ""
    if not private and not public:
        return "", ""
    if not (private and public):
        missing = public_name if private else private_name
        raise ImproperlyConfigured(f"Set {missing} too (manage.py vapid_keys prints a pair).")
    try:
        raw = _b64url(private)
        if len(raw) != 32:
            raise ValueError(private_name)
        key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError:
        raise ImproperlyConfigured(
            f"{private_name} is not a base64url P-256 private key (manage.py vapid_keys)."
        ) from None
    point = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    try:
        given = _b64url(public)
    except ValueError:
        given = b""
    if given != point:
        raise ImproperlyConfigured(f"{public_name} is not the public key of {private_name}.")
    return private, public


def _b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(text) from None
