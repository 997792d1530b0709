"""Planning the outbox: which reminder goes to whom, on which channel, at which UTC instant.

Sweeps here write Notification rows only; dispatcher.py sends them. Each is idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from core.clock import home_zone, local_today
from schedules import states
from schedules.models import Appointment, Dose

from . import timing
from .models import DOSE_REMINDER_KINDS, Channel, Kind, Notification, ReminderPreference

HORIZON = timedelta(hours=48)
PLANNED_KINDS = (Kind.UPCOMING, Kind.DUE, Kind.BOOKING)
# A missed-dose message is worth sending only while the miss is news.
MISSED_NEWS_DAYS = 2
_DAY = timedelta(days=1)

Key = tuple[int | None, str, str]  # (dose id, kind, channel); planned rows all have a dose


@dataclass
class PlanResult:
    created: int = 0
    updated: int = 0
    revived: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class Wanted:
    recipient_id: int
    scheduled_for: datetime
    next_attempt_at: datetime


# --- preferences and instants -----------------------------------------------------------------


def preferences_for(patients: Iterable[User]) -> dict[int, ReminderPreference]:
    """Saved preferences by patient id, with unsaved defaults for those who have none."""
    by_id = {patient.pk: patient for patient in patients}
    saved = {p.patient_id: p for p in ReminderPreference.objects.filter(patient_id__in=by_id)}
    return {
        pk: saved.get(pk) or ReminderPreference(patient=patient) for pk, patient in by_id.items()
    }


def reminder_instant(kind: str, due: date, pref: ReminderPreference, patient: User) -> datetime:
    """When a reminder of `kind` about a dose due on `due` fires, in UTC. The day-of time (booking
    reminders use it too) is the profile's preferred reminder time."""
    day: dict[str, date] = {
        Kind.UPCOMING: due - _DAY,
        Kind.BOOKING: due - timedelta(days=pref.booking_days_before),
    }
    at: dict[str, time] = {Kind.UPCOMING: pref.upcoming_time, Kind.NUDGE: pref.nudge_time}
    return timing.local_instant(
        day.get(kind, due), at.get(kind, patient.patient_profile.reminder_time), home_zone(patient)
    )


def expires_at(kind: str, due: date, zone: ZoneInfo) -> datetime:
    """After this instant a reminder not yet planned is pointless (the day it spoke of began)."""
    if kind == Kind.DUE or kind == Kind.NUDGE:
        return timing.start_of_day(due + _DAY, zone)
    return timing.start_of_day(due, zone)


# Channels that buzz a phone wait out the quiet hours: nobody wants one at 3 am.
QUIET_CHANNELS = (Channel.SMS, Channel.PUSH)


def deliver_at(
    channel: str, instant: datetime, pref: ReminderPreference, zone: ZoneInfo
) -> datetime:
    """When a message meant for `instant` may go: texts and phone notifications wait for the
    end of the patient's quiet hours; email goes at once. The planner and the dispatcher
    (which checks again at sending time) both ask this."""
    if channel not in QUIET_CHANNELS:
        return instant
    return timing.after_quiet_hours(instant, zone, pref.quiet_start, pref.quiet_end)


# --- the plan sweep ----------------------------------------------------------------------------


def cancel_settled(*, patient: User | None = None) -> int:
    """Pending reminders whose dose was taken, missed or cancelled (moved doses are cancelled
    and replaced by a new dose row) will never be sent; nor booking reminders of a dose whose
    appointment is booked."""
    settled = ~states.open_("dose__")
    stale_missed = Q(kind=Kind.MISSED) & ~Q(dose__status=Dose.Status.MISSED)
    rows = Notification.objects.filter(status=Notification.Status.PENDING, dose__isnull=False)
    if patient is not None:
        rows = rows.filter(recipient=patient)
    cancelled = rows.filter((Q(kind__in=DOSE_REMINDER_KINDS) & settled) | stale_missed).update(
        status=Notification.Status.CANCELLED, last_error="The dose no longer needs this message."
    )
    # Booked meanwhile (the booking's own receiver cancels the rows it sees): nothing to ask.
    return cancelled + cancel_booked(rows)


def booked_reason(on: date) -> str:
    return f"Booked for {on:%-d %b %Y}."


def cancel_booked(rows: QuerySet[Notification]) -> int:
    """Cancel the pending booking reminders among `rows` whose dose has a live appointment,
    saying the date booked. The booking's receiver calls it for the dose just booked; the plan
    sweep for a row a planner wrote beside a booking."""
    pending = rows.filter(status=Notification.Status.PENDING, kind=Kind.BOOKING)
    live = Appointment.objects.live().filter(dose_id__in=pending.values("dose_id"))
    cancelled = 0
    for dose_id, on in live.values_list("dose_id", "on"):
        cancelled += pending.filter(dose_id=dose_id).update(
            status=Notification.Status.CANCELLED, last_error=booked_reason(on)
        )
    return cancelled


def _dose_rows() -> QuerySet[Dose]:
    return (
        Dose.objects.open()
        .filter(prescription__status="active")
        .select_related("prescription__patient__patient_profile")
    )


def candidate_doses(*, now: datetime, patient: User | None = None) -> list[Dose]:
    """Open doses that may have a reminder in the next 48 hours. Two narrow date ranges on
    the (status, due) index: the cost follows the doses near now, not the whole table."""
    today = now.date()
    near = _dose_rows().filter(due__range=(today - _DAY, today + timedelta(days=4)))
    if patient is not None:
        near = near.filter(prescription__patient=patient)
    doses = {dose.pk: dose for dose in near}
    # Booking reminders look further ahead, but only at nurse-given doses; a dose nearer than
    # the lead time still gets its (late) booking reminder.
    lead = max(_booking_leads(patient))
    booked = _dose_rows().filter(
        prescription__given_by="nurse", due__range=(today - _DAY, today + timedelta(days=lead + 4))
    )
    if patient is not None:
        booked = booked.filter(prescription__patient=patient)
    doses.update((dose.pk, dose) for dose in booked)
    return list(doses.values())


def _booking_leads(patient: User | None) -> set[int]:
    rows = ReminderPreference.objects.filter(booking_enabled=True)
    if patient is not None:
        rows = rows.filter(patient=patient)
    leads = set(rows.values_list("booking_days_before", flat=True).distinct())
    return leads | {ReminderPreference._meta.get_field("booking_days_before").default}


def wanted_rows(
    doses: Iterable[Dose], *, now: datetime, kinds: Iterable[str] = PLANNED_KINDS
) -> tuple[dict[Key, Wanted], dict[Key, Wanted]]:
    """Every row the preferences allow for these doses, with its instants, and the subset
    that is due to exist now (within 48 hours, and not yet pointless)."""
    doses = list(doses)
    prefs = preferences_for(dose.prescription.patient for dose in doses)
    booked = _booked(doses) if Kind.BOOKING in kinds else set()
    allowed: dict[Key, Wanted] = {}
    timely: set[Key] = set()
    for dose in doses:
        patient = dose.prescription.patient
        pref, zone = prefs[patient.pk], home_zone(patient)
        for kind in kinds:
            if not pref.kind_enabled(kind):
                continue
            if kind == Kind.BOOKING and (
                dose.prescription.given_by != "nurse" or dose.pk in booked
            ):
                continue
            instant = reminder_instant(kind, dose.due, pref, patient)
            in_time = instant <= now + HORIZON and now < expires_at(kind, dose.due, zone)
            for channel in pref.channels():
                key = (dose.pk, kind, channel)
                allowed[key] = Wanted(patient.pk, instant, deliver_at(channel, instant, pref, zone))
                if in_time:
                    timely.add(key)
    return {key: allowed[key] for key in timely}, allowed


def _booked(doses: list[Dose]) -> set[int]:
    """The nurse-given doses among `doses` with a live appointment: nothing left to book."""
    nurse = [dose.pk for dose in doses if dose.prescription.given_by == "nurse"]
    if not nurse:
        return set()
    live = Appointment.objects.live().filter(dose_id__in=nurse)
    return set(live.values_list("dose_id", flat=True))


def reconcile(
    doses: list[Dose], *, now: datetime, kinds: Iterable[str] = PLANNED_KINDS
) -> PlanResult:
    """Make the outbox match what the doses and preferences want: create the missing rows,
    move pending instants, revive cancelled rows that are wanted again, cancel disallowed ones."""
    kinds = tuple(kinds)
    wanted, allowed = wanted_rows(doses, now=now, kinds=kinds)
    result = PlanResult()
    # Rows with a dedupe key were put there by hand (the demo's reminder): left alone.
    existing = Notification.objects.filter(
        dose_id__in=[dose.pk for dose in doses], kind__in=kinds, dedupe_key=""
    ).only(
        "id", "dose_id", "kind", "channel", "status", "attempts", "scheduled_for", "next_attempt_at"
    )
    to_cancel = []
    for row in existing:
        key = (row.dose_id, row.kind, row.channel)
        timely = wanted.pop(key, None)
        if row.status == Notification.Status.PENDING and key not in allowed:
            to_cancel.append(row.pk)
        elif row.status == Notification.Status.PENDING:
            want = allowed[key]
            moved = row.scheduled_for != want.scheduled_for
            # An untried row follows quiet-hour changes; a retried one keeps its backoff.
            requiet = row.attempts == 0 and row.next_attempt_at != want.next_attempt_at
            if moved or requiet:
                result.updated += _guarded(row, Notification.Status.PENDING, want)
        elif timely is not None and row.status == Notification.Status.CANCELLED:
            result.revived += _guarded(row, Notification.Status.CANCELLED, timely, revive=True)
    if to_cancel:
        result.cancelled += Notification.objects.filter(
            pk__in=to_cancel, status=Notification.Status.PENDING
        ).update(status=Notification.Status.CANCELLED, last_error="Turned off in preferences.")
    new = [_new_row(key, want, now=now) for key, want in wanted.items()]
    # A parallel planner may have inserted the same rows: the unique key makes that harmless.
    Notification.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    result.created = len(new)
    return result


def _new_row(
    key: Key, want: Wanted, *, now: datetime, next_attempt_at: datetime | None = None
) -> Notification:
    """The outbox row for a wanted reminder, first tried at `next_attempt_at` if given."""
    dose_id, kind, channel = key
    return Notification(
        recipient_id=want.recipient_id,
        dose_id=dose_id,
        kind=kind,
        channel=channel,
        scheduled_for=want.scheduled_for,
        next_attempt_at=next_attempt_at or want.next_attempt_at,
        created_at=now,
    )


def _guarded(row: Notification, status: str, want: Wanted, *, revive: bool = False) -> int:
    values: dict[str, object] = {
        "scheduled_for": want.scheduled_for,
        "next_attempt_at": want.next_attempt_at,
    }
    if revive:
        values.update(
            status=Notification.Status.PENDING,
            attempts=0,
            last_error="",
            claim="",
            lease_until=None,
        )
    return Notification.objects.filter(pk=row.pk, status=status).update(**values)


def plan_notifications(*, now: datetime) -> PlanResult:
    """The plan sweep: outbox rows for the reminders of the next 48 hours."""
    cancelled = cancel_settled()
    result = reconcile(candidate_doses(now=now), now=now)
    result.cancelled += cancelled
    return result


def replan_patient(*, patient: User, now: datetime) -> PlanResult:
    """After a change of home zone or preferences: pending instants are recomputed (sent rows
    stay as they were) and the next 48 hours re-planned for this patient."""
    cancelled = cancel_settled(patient=patient)
    pending = Notification.objects.filter(
        states.open_("dose__"),
        recipient=patient,
        status=Notification.Status.PENDING,
        kind__in=PLANNED_KINDS,
    ).select_related("dose__prescription__patient__patient_profile")
    doses = {dose.pk: dose for dose in candidate_doses(now=now, patient=patient)}
    doses.update((row.dose.pk, row.dose) for row in pending if row.dose is not None)
    result = reconcile(list(doses.values()), now=now)
    result.cancelled += cancelled
    return result


# --- nudges and missed-dose messages ---------------------------------------------------------


def plan_nudges(*, now: datetime) -> int:
    """The nudge sweep: a dose due today and still not logged by the patient's evening nudge
    time gets one nudge (the unique key keeps it to one)."""
    today = now.date()
    nudged = Notification.objects.filter(dose=OuterRef("pk"), kind=Kind.NUDGE)
    doses = [
        dose
        for dose in _dose_rows()
        .filter(due__range=(today - _DAY, today + _DAY))
        .exclude(Exists(nudged))
        if local_today(dose.prescription.patient, now=now) == dose.due
    ]
    wanted, _ = wanted_rows(doses, now=now, kinds=(Kind.NUDGE,))
    rows = [
        _new_row(key, want, now=now, next_attempt_at=max(want.next_attempt_at, now))
        for key, want in wanted.items()
        if want.scheduled_for <= now
    ]
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def enqueue_missed(*, doses: Iterable[Dose], today: date, now: datetime) -> int:
    """A 'missed' message per channel for each dose whose window closed in the last days."""
    doses = [dose for dose in doses if (today - dose.latest).days <= MISSED_NEWS_DAYS]
    prefs = preferences_for(dose.prescription.patient for dose in doses)
    rows = []
    for dose in doses:
        patient = dose.prescription.patient
        pref, zone = prefs[patient.pk], home_zone(patient)
        if not pref.kind_enabled(Kind.MISSED):
            continue
        for channel in pref.channels():
            rows.append(
                Notification(
                    recipient_id=patient.pk,
                    dose_id=dose.pk,
                    kind=Kind.MISSED,
                    channel=channel,
                    scheduled_for=now,
                    next_attempt_at=deliver_at(channel, now, pref, zone),
                    created_at=now,
                )
            )
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)
