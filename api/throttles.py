"""Rate limits per token owner (and per address for calls without a valid token), read from
settings on each call so that a deployment, or a test, can change them.

A call refused for its token (none, unknown, revoked, expired) is stopped before DRF would
run its throttles, so it is counted here, against its address, before the 401."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from accounts.audit import client_address


class _ByClientAddress:
    """The client's address as the log-in throttle and the audit log read it (PROXY_COUNT),
    not DRF's default, which trusts an X-Forwarded-For any client can write."""

    def get_ident(self, request: Request) -> str:
        return client_address(request._request) or "unknown"


class PerUser(_ByClientAddress, UserRateThrottle):
    def get_rate(self) -> str:
        return str(settings.API_RATE_USER)


class PerAddress(_ByClientAddress, AnonRateThrottle):
    def get_rate(self) -> str:
        return str(settings.API_RATE_ANON)


class _RefusedByAddress(_ByClientAddress, SimpleRateThrottle):
    """PerAddress's count (the same cache key), for a call that has no user to ask about."""

    scope = PerAddress.scope

    def get_rate(self) -> str:
        return str(settings.API_RATE_ANON)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def count_refused(request: Request) -> None:
    """Counts a call about to be refused as unauthenticated; 429 once its address is over
    API_RATE_ANON."""
    throttle = _RefusedByAddress()
    no_view: Any = None  # the count does not depend on the view
    if not throttle.allow_request(request, no_view):
        raise Throttled(throttle.wait())
