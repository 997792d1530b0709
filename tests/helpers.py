"""Helpers any app's tests share."""

from __future__ import annotations

from datetime import UTC, date, datetime


def noon(day: date) -> datetime:
    """Midday UTC: the same calendar date in London and New York."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
