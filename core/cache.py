"""Remembering what a page computed, under a key that changes whenever its inputs do.

Keys carry a revision (a prescription's, raised by every write to its plan), so an entry is
never stale: a change makes a new key and the old entry simply ages out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
DAY = 24 * 60 * 60  # keys carry the patient's today as well, so a day is the longest use


def cache_key(*parts: object) -> str:
    return "b12:" + ":".join(str(part) for part in parts)


def whole_number(value: str, *, digits: int = 9) -> int | None:
    """A query parameter as a whole number, or None: ASCII digits only (no "²"), and not so
    long that every request could make a new cache entry."""
    if value.isascii() and value.isdecimal() and len(value) <= digits:
        return int(value)
    return None


def remember(parts: tuple[object, ...], compute: Callable[[], T], *, seconds: int = DAY) -> T:
    """The value cached under `parts`, computed (and cached) when there is none."""
    key = cache_key(*parts)
    found: T | None = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found
