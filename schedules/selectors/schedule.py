"""Reads for the schedule page: every live dose and extra injection as one dated list, and
the month calendar built from it."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q

from schedules import states
from schedules.models import Dose, Injection, Phase, Prescription, Site

from .booked import Booking, booking_of, with_booking
from .prescription import RegimenText, describe_regimen, phases_with_counts


@dataclass(frozen=True)
class Entry:
    """One line of the schedule: a planned dose or an extra injection."""

    day: date
    status: str  # taken, due, missed, scheduled or extra; "appointment" on the calendar only
    dose_mcg: int
    phase: Phase | None = None
    sequence: int | None = None
    earliest: date | None = None
    latest: date | None = None
    given_on: date | None = None
    site: str = ""
    starts_phase: bool = False
    booking: Booking | None = None  # the nurse appointment booked for a dose still to give

    @property
    def site_label(self) -> str:
        return Site(self.site).label if self.site else ""


# The list starts this far back unless the patient asks for every dose: a page costs the same
# after ten years as after one.
RECENT = timedelta(days=92)
COUNT_ORDER = ("taken", "missed", "due", "scheduled", "extra")
# And ends eight weeks ahead, unless asked for all: an open-ended every-other-day phase plans
# a year of dates. Never fewer than the next thirteen doses, so a year of monthly doses (a
# short list) stays whole.
AHEAD = timedelta(weeks=8)
AHEAD_AT_LEAST = 13


@dataclass
class Schedule:
    prescription: Prescription
    phases: list[Phase]
    entries: list[Entry]  # the list: from `since` on (every one when `since` is None)
    counts: dict[str, int] = field(default_factory=dict)  # over the whole plan
    month_entries: list[Entry] = field(default_factory=list)  # the calendar's month
    since: date | None = None
    earlier: int = 0  # live doses before `since`, not listed
    continuing: Phase | None = None  # the phase the list opens in, begun before `since`
    regimen: RegimenText | None = None
    later: int = 0  # doses after the list's end, not listed
    until: date | None = None  # the list's last day, when later doses are left out


def schedule_for(
    *,
    prescription: Prescription,
    today: date,
    month: date | None = None,
    every: bool = False,
    ahead: bool = False,
) -> Schedule:
    """The list of doses and extra injections from three months back (all of them with
    `every`) to eight weeks ahead (all of them with `ahead`), the calendar `month`'s, and
    counts over the whole plan: five queries, however long the history."""
    month = month or today.replace(day=1)
    end = shift_month(month, 1)
    # A prescription younger than the window is listed whole, as "every dose".
    since = None if every or prescription.start_date >= today - RECENT else today - RECENT
    counted = phases_with_counts(prescription=prescription, today=today)
    firsts = {phase.pk: phase.first_due for phase in counted}
    phases: list[Phase] = list(counted)
    by_id = {phase.pk: phase for phase in phases}
    wanted = _wanted("due", since, month, end)
    doses = with_booking(
        Dose.objects.live().filter(wanted, prescription=prescription).select_related("injection")
    ).order_by("due")
    entries = [_dose_entry(dose, by_id[dose.phase_id], firsts, today) for dose in doses]
    appointments = [_appointment_entry(entry) for entry in entries if entry.booking]
    # Extra injections are few (each one needed a confirmation), so all are read and counted.
    extras = list(
        Injection.objects.recorded()
        .not_doses()
        .filter(prescription=prescription)
        .order_by("given_on", "pk")
    )
    entries += [_extra_entry(extra) for extra in extras if _shown(extra.given_on, since, month)]
    entries.sort(key=lambda entry: (entry.day, entry.status == "extra"))
    listed = [entry for entry in entries if since is None or entry.day >= since]
    until = None if ahead else _list_end(listed, today)
    later = [entry for entry in listed if until is not None and entry.day > until]
    listed = listed[: len(listed) - len(later)]
    counts, earlier = _counts(prescription, today, since, extras=len(extras))
    return Schedule(
        prescription,
        phases,
        listed,
        counts,
        month_entries=[entry for entry in entries + appointments if month <= entry.day < end],
        since=since,
        earlier=earlier,
        continuing=_continuing(listed),
        regimen=describe_regimen(phases=counted),
        later=len(later),
        until=until if later else None,
    )


def _list_end(listed: list[Entry], today: date) -> date | None:
    """The last day listed: eight weeks ahead, or the thirteenth dose from today if later;
    None (the list runs to the end) when no more than thirteen doses are to come."""
    coming = [entry.day for entry in listed if entry.day >= today and entry.status != "extra"]
    if len(coming) <= AHEAD_AT_LEAST:
        return None
    return max(today + AHEAD, coming[AHEAD_AT_LEAST - 1])


def _shown(day: date, since: date | None, month: date) -> bool:
    return since is None or day >= since or (day.year, day.month) == (month.year, month.month)


def _wanted(field: str, since: date | None, month: date, end: date) -> Q:
    """Rows dated from `since` on, or in the calendar's month; every row when `since` is None."""
    if since is None:
        return Q()
    return Q(**{f"{field}__gte": since}) | Q(**{f"{field}__gte": month, f"{field}__lt": end})


def _dose_entry(dose: Dose, phase: Phase, firsts: dict[int, date | None], today: date) -> Entry:
    injection = dose.injection
    return Entry(
        day=dose.due,
        status=dose.status_on(today),
        dose_mcg=dose.dose_mcg,
        phase=phase,
        sequence=dose.sequence,
        earliest=dose.earliest,
        latest=dose.latest,
        given_on=injection.given_on if injection else None,
        site=injection.site if injection else "",
        starts_phase=dose.due == firsts.get(phase.pk),
        booking=booking_of(dose),
    )


def _appointment_entry(entry: Entry) -> Entry:
    """The calendar's mark on the day of a dose's nurse appointment."""
    assert entry.booking is not None
    return Entry(
        day=entry.booking.on,
        status="appointment",
        dose_mcg=entry.dose_mcg,
        phase=entry.phase,
        sequence=entry.sequence,
        booking=entry.booking,
    )


def _extra_entry(extra: Injection) -> Entry:
    return Entry(
        day=extra.given_on,
        status="extra",
        dose_mcg=extra.dose_mcg,
        given_on=extra.given_on,
        site=extra.site,
    )


def _continuing(listed: list[Entry]) -> Phase | None:
    first = next((entry for entry in listed if entry.phase is not None), None)
    return first.phase if first is not None and not first.starts_phase else None


def _counts(
    prescription: Prescription, today: date, since: date | None, *, extras: int
) -> tuple[dict[str, int], int]:
    """How many doses of the whole plan are in each status on `today` (the SQL forms of
    Dose.status_on, statuses with none left out) with the extra injections; and how many
    live doses are dated before `since`."""
    # Aliases must not be field names ("due"), or later filters would read the aggregate.
    doses = Dose.objects.filter(prescription=prescription).aggregate(
        n_taken=Count("pk", filter=states.live() & states.taken()),
        n_missed=Count("pk", filter=states.missed(today)),
        n_due=Count("pk", filter=states.due(today)),
        n_scheduled=Count("pk", filter=states.scheduled(today)),
        n_earlier=Count("pk", filter=states.live() & Q(due__lt=since or date.min)),
    )
    doses["n_extra"] = extras
    counts = {status: doses[f"n_{status}"] for status in COUNT_ORDER}
    return {status: n for status, n in counts.items() if n}, doses["n_earlier"]


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
