"""Rate limits per token owner (and per address for calls without a valid token), read from
settings on each call so that a deployment, or a test, can change them."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class PerUser(UserRateThrottle):
    def get_rate(self) -> str:
        return str(settings.API_RATE_USER)


class PerAddress(AnonRateThrottle):
    def get_rate(self) -> str:
        return str(settings.API_RATE_ANON)
