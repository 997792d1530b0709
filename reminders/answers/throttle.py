"""A light limit on the answer pages, which need no login: requests per client address in a
fixed window, counted in the cache (each process's own with the default cache)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import client_address

LIMIT = 30  # requests per address per window: ample for a person, little for a guesser
WINDOW_SECONDS = 600


def over_limit(request: HttpRequest) -> bool:
    """Count this request; True once the address has made more than LIMIT in this window."""
    window = int(timezone.now().timestamp()) // WINDOW_SECONDS
    key = f"answers:throttle:{client_address(request) or 'unknown'}:{window}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return False
    return count > LIMIT
