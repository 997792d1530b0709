"""The clock in a patient's home time zone: their local now and their calendar today.

Dose dates are local calendar dates (docs/schedule-semantics.md#dates-and-times); every page,
sweep and service asks here instead of converting on its own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils import timezone


class _HasZone(Protocol):
    time_zone: str


class _HasProfile(Protocol):
    @property
    def patient_profile(self) -> _HasZone: ...


def home_zone(patient: _HasProfile) -> ZoneInfo:
    """The patient's home zone, for wall-clock arithmetic such as a reminder's instant."""
    return ZoneInfo(patient.patient_profile.time_zone)


def zone_now(zone: str, *, now: datetime | None = None) -> datetime:
    """The instant `now` (default: now) on the clock of the IANA zone `zone`."""
    return (now or timezone.now()).astimezone(ZoneInfo(zone))


def zone_today(zone: str, *, now: datetime | None = None) -> date:
    return zone_now(zone, now=now).date()


def local_now(patient: _HasProfile, *, now: datetime | None = None) -> datetime:
    """The instant `now` (default: now) on the clock in the patient's home time zone."""
    return zone_now(patient.patient_profile.time_zone, now=now)


def local_today(patient: _HasProfile, *, now: datetime | None = None) -> date:
    """The patient's calendar date in their home time zone."""
    return local_now(patient, now=now).date()
