"""Local reminder times to UTC: the 2026 DST table, hand-computed, plus quiet hours.

A time in a spring-forward gap fires at the first valid minute after it; an ambiguous
fall-back time fires once, at its first occurrence. Asia/Kolkata (no DST) is the control.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from reminders.timing import after_quiet_hours, exists, local_instant

TIMES = (time(0, 30), time(1, 30), time(2, 30), time(8, 0))


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (zone, transition day) -> UTC instants for 00:30, 01:30, 02:30 and 08:00 local that day.
DST_TABLE = {
    # New York: 8 Mar 02:00 EST -> 03:00 EDT (02:30 does not exist); 1 Nov 02:00 EDT -> 01:00 EST.
    ("America/New_York", date(2026, 3, 8)): (
        "2026-03-08T05:30", "2026-03-08T06:30", "2026-03-08T07:00", "2026-03-08T12:00",
    ),
    ("America/New_York", date(2026, 11, 1)): (
        "2026-11-01T04:30", "2026-11-01T05:30", "2026-11-01T07:30", "2026-11-01T13:00",
    ),
    # London: 29 Mar 01:00 GMT -> 02:00 BST (01:30 gap); 25 Oct 02:00 BST -> 01:00 GMT.
    ("Europe/London", date(2026, 3, 29)): (
        "2026-03-29T00:30", "2026-03-29T01:00", "2026-03-29T01:30", "2026-03-29T07:00",
    ),
    ("Europe/London", date(2026, 10, 25)): (
        "2026-10-24T23:30", "2026-10-25T00:30", "2026-10-25T02:30", "2026-10-25T08:00",
    ),
    # Sydney: 5 Apr 03:00 AEDT -> 02:00 AEST (02:30 twice); 4 Oct 02:00 AEST -> 03:00 AEDT.
    ("Australia/Sydney", date(2026, 4, 5)): (
        "2026-04-04T13:30", "2026-04-04T14:30", "2026-04-04T15:30", "2026-04-04T22:00",
    ),
    ("Australia/Sydney", date(2026, 10, 4)): (
        "2026-10-03T14:30", "2026-10-03T15:30", "2026-10-03T16:00", "2026-10-03T21:00",
    ),
    # Lord Howe shifts by 30 minutes: 5 Apr 02:00 (+11) -> 01:30 (+10:30), so 01:30 is
    # ambiguous; 4 Oct 02:00 (+10:30) -> 02:30 (+11), so 02:30 is the first valid minute.
    ("Australia/Lord_Howe", date(2026, 4, 5)): (
        "2026-04-04T13:30", "2026-04-04T14:30", "2026-04-04T16:00", "2026-04-04T21:30",
    ),
    ("Australia/Lord_Howe", date(2026, 10, 4)): (
        "2026-10-03T14:00", "2026-10-03T15:00", "2026-10-03T15:30", "2026-10-03T21:00",
    ),
    # Santiago changes at midnight: 5 Apr 00:00 (-03) -> 4 Apr 23:00 (-04); 6 Sep 00:00 (-04)
    # -> 01:00 (-03), so 00:30 on 6 Sep does not exist and fires at 01:00.
    ("America/Santiago", date(2026, 4, 5)): (
        "2026-04-05T04:30", "2026-04-05T05:30", "2026-04-05T06:30", "2026-04-05T12:00",
    ),
    ("America/Santiago", date(2026, 9, 6)): (
        "2026-09-06T04:00", "2026-09-06T04:30", "2026-09-06T05:30", "2026-09-06T11:00",
    ),
    # The control: +05:30 all year.
    ("Asia/Kolkata", date(2026, 3, 8)): (
        "2026-03-07T19:00", "2026-03-07T20:00", "2026-03-07T21:00", "2026-03-08T02:30",
    ),
    ("Asia/Kolkata", date(2026, 11, 1)): (
        "2026-10-31T19:00", "2026-10-31T20:00", "2026-10-31T21:00", "2026-11-01T02:30",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("zone", "day"), sorted(DST_TABLE))
def test_reminder_times_across_the_2026_transitions(zone, day):
    expected = [z(text) for text in DST_TABLE[(zone, day)]]

    got = [local_instant(day, at, ZoneInfo(zone)) for at in TIMES]

    assert got == expected


@pytest.mark.parametrize(("zone", "day"), sorted(DST_TABLE))
def test_every_instant_shows_the_asked_time_or_the_first_valid_minute_after(zone, day):
    tz = ZoneInfo(zone)
    for at in TIMES:
        instant = local_instant(day, at, tz)
        wall = instant.astimezone(tz).replace(tzinfo=None)
        asked = datetime.combine(day, at)
        if exists(asked, tz):
            assert wall == asked
        else:
            assert wall > asked and (wall - asked).total_seconds() <= 3600


def test_santiago_ambiguous_hour_before_midnight_fires_at_its_first_occurrence():
    instant = local_instant(date(2026, 4, 4), time(23, 30), ZoneInfo("America/Santiago"))

    assert instant == z("2026-04-05T02:30")  # 23:30 at -03, not the second 23:30 at -04


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("local", "start", "end", "expected"),
    [
        ("2026-06-10T22:15", time(21), time(8), "2026-06-11T08:00"),  # over midnight, evening
        ("2026-06-11T06:00", time(21), time(8), "2026-06-11T08:00"),  # over midnight, morning
        ("2026-06-11T12:00", time(21), time(8), "2026-06-11T12:00"),  # outside
        ("2026-06-11T13:00", time(12), time(14), "2026-06-11T14:00"),  # within one day
        ("2026-06-11T13:00", time(9), time(9), "2026-06-11T13:00"),  # no quiet hours
    ],
)
def test_quiet_hours_push_a_text_to_their_end(local, start, end, expected):
    instant = datetime.fromisoformat(local).replace(tzinfo=LONDON)

    later = after_quiet_hours(instant, LONDON, start, end)

    assert later == datetime.fromisoformat(expected).replace(tzinfo=LONDON)
