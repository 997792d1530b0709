"""One patient's timeline for their clinician: doses as they fell due, injection entries that
took no dose (voided, corrected, extra), flags, prescription changes and notes, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from accounts.models import AuditEvent, User
from core.clock import zone_today
from monitoring.actions import PATIENT_NOTE
from monitoring.models import Flag
from schedules.models import Dose, Injection

if TYPE_CHECKING:
    from .rated import RatedDose, RatedInjection

CHANGE_ACTIONS = {
    "prescription.created": "Prescription recorded",
    "prescription.changed": "Prescription changed",
    "prescription.confirmed": "Prescription confirmed",
    "prescription.interval_changed": "Maintenance interval changed",
    "phase.closed": "Loading phase ended",
    "flag.acknowledged": "Flag acknowledged",
    "flag.resolved": "Flag resolved",
    "flag.note_added": "Note added to a flag",
    PATIENT_NOTE: "Note",
}


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    kind: str  # dose, injection, flag, change, note
    title: str
    detail: str = ""
    status: str = ""


def change_events(patient: User, since: date | None) -> list[AuditEvent]:
    """The audit events the timeline shows, newest first; from `since` when given."""
    rows = AuditEvent.objects.filter(
        patient=patient, action__in=list(CHANGE_ACTIONS)
    ).select_related("actor__clinician_profile", "actor__patient_profile")
    if since is not None:
        rows = rows.filter(at__date__gte=since)
    return list(rows.order_by("-at", "-pk"))


def timeline(
    doses: list[RatedDose],
    injections: list[RatedInjection],
    flags: list[Flag],
    events: list[AuditEvent],
    *,
    today: date,
    zone: str,
    since: date | None,
) -> list[TimelineEntry]:
    """Every entry dated on or after `since` (all when None), newest first; instants are
    dated in the patient's zone."""
    entries = [_dose_entry(dose, today) for dose in doses if dose.due <= today or dose.injection_id]
    # Voided and corrected entries, and extra ones: confirmed as too soon, or dated outside
    # every window (docs/schedule-semantics.md#extra-injections).
    entries += [
        _injection_entry(i)
        for i in injections
        if i.status != Injection.Status.RECORDED or i.is_extra
    ]
    entries += [_flag_entry(flag, zone) for flag in flags]
    entries += [_event_entry(event, zone) for event in events]
    if since is not None:
        entries = [entry for entry in entries if entry.day >= since]
    return sorted(entries, key=lambda entry: entry.day, reverse=True)


def _dose_entry(dose: RatedDose, today: date) -> TimelineEntry:
    # Missed by the same rule as the counts beside the timeline; otherwise the engine's rating.
    status = Dose.Status.MISSED if dose.is_missed else dose.status_on(today)
    title = f"{dose.phase.get_kind_display()} dose {dose.sequence} due"
    injection = dose.injection
    if status == Dose.Status.TAKEN and injection is not None:
        late = (injection.given_on - dose.due).days
        when = "on time" if late <= 0 else f"{late} day{'s' if late != 1 else ''} late"
        detail = f"Given on {injection.given_on:%-d %b %Y}, {when}"
        if injection.replaces_id:
            detail += " (a corrected entry)"
        return TimelineEntry(dose.due, "dose", title, detail, "late" if late > 0 else "taken")
    if status == Dose.Status.MISSED:
        detail = f"Missed: not given by {dose.latest:%-d %b %Y}"
    else:
        detail = f"Not given yet; window until {dose.latest:%-d %b %Y}"
    return TimelineEntry(dose.due, "dose", title, detail, status)


def _injection_entry(injection: Injection) -> TimelineEntry:
    if injection.status == Injection.Status.VOIDED:
        return TimelineEntry(
            injection.given_on,
            "injection",
            "Injection entry voided",
            injection.reason or "No reason given",
            "voided",
        )
    if injection.status == Injection.Status.CORRECTED:
        return TimelineEntry(
            injection.given_on,
            "injection",
            "Injection entry corrected",
            injection.reason or "Replaced by a corrected entry",
            "corrected",
        )
    why = "Given too soon after another" if injection.extra else "Outside every dose window"
    return TimelineEntry(
        injection.given_on,
        "injection",
        "Extra injection (not a dose)",
        f"{why}; it does not move the schedule",
        "extra",
    )


def _flag_entry(flag: Flag, zone: str) -> TimelineEntry:
    detail = flag.get_status_display()
    if flag.summary:
        detail += f". {flag.summary}"
    if flag.note:
        detail += f". {flag.note.splitlines()[-1]}"
    day = zone_today(zone, now=flag.raised_at)
    return TimelineEntry(day, "flag", f"Flag: {flag.get_kind_display()}", detail, flag.status)


def _event_entry(event: AuditEvent, zone: str) -> TimelineEntry:
    who = event.actor.display_name if event.actor else "Automatic"
    title = CHANGE_ACTIONS.get(event.action, event.action)
    day = zone_today(zone, now=event.at)
    if event.action == PATIENT_NOTE:
        return TimelineEntry(day, "note", f"Note by {who}", event.detail.get("text", ""))
    if event.action == "prescription.interval_changed":
        return TimelineEntry(day, "change", title, f"{_interval_detail(event.detail)}By {who}")
    return TimelineEntry(day, "change", title, f"By {who}")


def _interval_detail(detail: dict[str, object]) -> str:
    """'From every month to every 2 months. Reason: … ' as far as the event recorded it
    (older events name only the new interval, or nothing)."""
    new, old, reason = (str(detail.get(key) or "") for key in ("cadence", "before", "reason"))
    text = ""
    if new and old:
        text = f"From {old} to {new}. "
    elif new:
        text = f"Now {new}. "
    if reason:
        text += f"Reason: {reason}. "
    return text
