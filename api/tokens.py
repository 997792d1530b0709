"""Token strings: `b12_` then 43 URL-safe characters (256 random bits). Only the sha256 of
the whole string is stored; the first 12 characters are kept as its visible prefix."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "b12_"
SHOWN = 12


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def visible_prefix(token: str) -> str:
    return token[:SHOWN]
