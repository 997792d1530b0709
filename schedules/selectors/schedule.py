"""Reads for the schedule page: every live dose and extra injection as one dated list, and
the month calendar built from it."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from schedules.models import Dose, Injection, Phase, Prescription, Site


@dataclass(frozen=True)
class Entry:
    """One line of the schedule: a planned dose or an extra injection."""

    day: date
    status: str  # taken, due, missed, scheduled or extra
    dose_mcg: int
    phase: Phase | None = None
    sequence: int | None = None
    earliest: date | None = None
    latest: date | None = None
    given_on: date | None = None
    site: str = ""
    starts_phase: bool = False

    @property
    def site_label(self) -> str:
        return Site(self.site).label if self.site else ""


@dataclass
class Schedule:
    prescription: Prescription
    phases: list[Phase]
    entries: list[Entry]
    counts: dict[str, int] = field(default_factory=dict)


def schedule_for(*, prescription: Prescription, today: date) -> Schedule:
    """Every live dose and every extra injection, in date order (three queries)."""
    phases = list(prescription.phases.order_by("order"))
    by_id = {phase.pk: phase for phase in phases}
    doses = (
        Dose.objects.live()
        .filter(prescription=prescription)
        .select_related("injection")
        .order_by("due")
    )
    entries: list[Entry] = []
    seen_phases: set[int] = set()
    for dose in doses:
        injection = dose.injection
        entries.append(
            Entry(
                day=dose.due,
                status=dose.status_on(today),
                dose_mcg=dose.dose_mcg,
                phase=by_id[dose.phase_id],
                sequence=dose.sequence,
                earliest=dose.earliest,
                latest=dose.latest,
                given_on=injection.given_on if injection else None,
                site=injection.site if injection else "",
                starts_phase=dose.phase_id not in seen_phases,
            )
        )
        seen_phases.add(dose.phase_id)
    extras = Injection.objects.recorded().not_doses().filter(prescription=prescription)
    for extra in extras.order_by("given_on", "pk"):
        entries.append(
            Entry(
                day=extra.given_on,
                status="extra",
                dose_mcg=extra.dose_mcg,
                given_on=extra.given_on,
                site=extra.site,
            )
        )
    entries.sort(key=lambda entry: (entry.day, entry.status == "extra"))
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[entry.status] += 1
    return Schedule(prescription, phases, entries, dict(counts))


@dataclass(frozen=True)
class CalendarDay:
    day: date | None  # None pads the first and last week
    entries: tuple[Entry, ...] = ()
    today: bool = False


def month_weeks(entries: list[Entry], month: date, today: date) -> list[list[CalendarDay]]:
    """The month as weeks of seven days (Monday first), each day with its entries."""
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for entry in entries:
        if (entry.day.year, entry.day.month) == (month.year, month.month):
            by_day[entry.day].append(entry)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append(
            [
                CalendarDay(day, tuple(by_day.get(day, ())), day == today)
                if day.month == month.month
                else CalendarDay(None)
                for day in week
            ]
        )
    return weeks


def shift_month(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
