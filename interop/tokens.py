"""The feed's secret: made here, stored only as its sha256, and turned into the address."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.urls import reverse


def new_token() -> str:
    """256 random bits, URL-safe: guessing one is hopeless, so a wrong token is simply 404."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    """The address to subscribe to (https in production, from SITE_URL)."""
    return settings.SITE_URL + reverse("interop:feed", kwargs={"token": token})


def webcal_url(token: str) -> str:
    """The same address with the webcal scheme, which phones open as "subscribe"."""
    return "webcal://" + feed_url(token).split("://", 1)[1]
