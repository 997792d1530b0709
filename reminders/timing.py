"""Local reminder times to UTC instants: DST gaps, ambiguous hours and quiet hours.

Pure functions (no Django): dates and times in, aware UTC datetimes out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MINUTE = timedelta(minutes=1)
# The widest gap in the tz database is 24 hours (Samoa skipped a whole day in 2011).
_MAX_GAP_MINUTES = 24 * 60


def exists(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether a naive wall time occurs in `zone` (False inside a spring-forward gap)."""
    aware = wall.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall time `at` on `day` in `zone`.

    A wall time inside a gap fires at the first valid minute after it (02:30 on a New York
    spring-forward day is 03:00 EDT); an ambiguous one is its first occurrence (fold=0).
    """
    wall = datetime.combine(day, at.replace(second=0, microsecond=0, tzinfo=None))
    for _ in range(_MAX_GAP_MINUTES + 1):
        if exists(wall, zone):
            return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
        wall = (wall + _MINUTE).replace(second=0)
    raise ValueError(f"No valid local time near {day} {at} in {zone}.")  # pragma: no cover


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return local_instant(day, time(0, 0), zone)


def in_quiet_hours(wall: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end  # the quiet hours run over midnight


def after_quiet_hours(instant: datetime, zone: ZoneInfo, start: time, end: time) -> datetime:
    """`instant`, or the end of the quiet hours it falls in (local wall time `end`)."""
    local = instant.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if not in_quiet_hours(wall, start, end):
        return instant
    end_day = local.date()
    if start > end and wall >= start:
        end_day += timedelta(days=1)
    return local_instant(end_day, end, zone)
