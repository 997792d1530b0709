"""Dose and injection states as query expressions, defined once for every page, sweep and report.

Each builder takes `prefix` so the same rule works across a relation (`"doses__"` in an
aggregate over phases or patients). The words behind them: docs/schedule-semantics.md#statuses.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, CharField, F, Q, Value, When

CANCELLED = "cancelled"
MISSED = "missed"
OPEN_STATUSES = ("scheduled", "due")
RECORDED = "recorded"


def live(prefix: str = "") -> Q:
    """A dose of the plan: anything but cancelled."""
    return ~Q(**{f"{prefix}status": CANCELLED})


def open_(prefix: str = "") -> Q:
    """Still to be given: scheduled or due, and no injection took it."""
    return Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}injection__isnull": True})


def taken(prefix: str = "") -> Q:
    """An injection took the dose."""
    return Q(**{f"{prefix}injection__isnull": False})


def counted(prefix: str = "") -> Q:
    """Taken by a recorded injection that is not extra (a voided or corrected one never counts,
    its replacement does)."""
    return Q(**{f"{prefix}injection__status": RECORDED, f"{prefix}injection__extra": False})


def on_time(prefix: str = "") -> Q:
    """Counted, and given on or before the due date."""
    return counted(prefix) & Q(**{f"{prefix}injection__given_on__lte": F(f"{prefix}due")})


def late(prefix: str = "") -> Q:
    """Counted, and given after the due date (inside its window)."""
    return counted(prefix) & Q(**{f"{prefix}injection__given_on__gt": F(f"{prefix}due")})


def missed(today: date, prefix: str = "") -> Q:
    """A live dose no injection took whose window closed before `today`, or that the missed-dose
    sweep already marked missed (so a page never waits for the sweep, nor contradicts it)."""
    closed = Q(**{f"{prefix}status": MISSED}) | Q(**{f"{prefix}latest__lt": today})
    return live(prefix) & Q(**{f"{prefix}injection__isnull": True}) & closed


def due(today: date, prefix: str = "") -> Q:
    """Window open on `today`, not yet given, not marked missed (Dose.status_on's "due")."""
    window = Q(**{f"{prefix}earliest__lte": today, f"{prefix}latest__gte": today})
    return _waiting(prefix) & window


def scheduled(today: date, prefix: str = "") -> Q:
    """Window not open yet on `today`, not given, not marked missed (its "scheduled")."""
    return _waiting(prefix) & Q(**{f"{prefix}earliest__gt": today})


def _waiting(prefix: str) -> Q:
    return (
        live(prefix) & Q(**{f"{prefix}injection__isnull": True}) & ~Q(**{f"{prefix}status": MISSED})
    )


def status_today(today: date) -> Case:
    """A dose's status on `today` as the schedule page shows it (Dose.status_on in SQL):
    cancelled, taken, missed, due or scheduled. Annotate with it: `.annotate(state=...)`."""
    return Case(
        When(status=CANCELLED, then=Value(CANCELLED)),
        When(taken(), then=Value("taken")),
        When(missed(today), then=Value(MISSED)),
        When(due(today), then=Value("due")),
        default=Value("scheduled"),
        output_field=CharField(),
    )
