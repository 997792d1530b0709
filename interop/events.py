"""The feed's events: one per dose of a phase (its number), whatever date re-planning gives
it, and the SEQUENCE that rises when that date moves or the dose is given, missed or
cancelled."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from schedules.models import Dose, Prescription

from .models import CalendarEvent

# The feed lists doses due from a year ago on: a calendar keeps what it has seen, and a feed
# costs the same after ten years as after one.
LOOK_BACK = timedelta(days=365)
# Re-planning keeps a dose's number but may move its date by a few weeks: published states
# are read this much further back than the doses.
MOVE_MARGIN = timedelta(days=92)

Key = tuple[int, int]  # (phase id, the dose's number in its phase)


def event_key(dose: Dose) -> Key:
    return (dose.phase_id, dose.sequence)


def uid_for(key: Key) -> str:
    """Stable while the phase's dose keeps its number, across every date it is given."""
    return f"dose-{key[0]}-{key[1]}@b12tracker"


def current_doses(doses: Iterable[Dose], published: Mapping[Key, date]) -> dict[Key, Dose]:
    """For each (phase, number): its live dose; when every row of it is cancelled, the one on
    the date last published, else the latest. A re-plan cancels the row of a date it leaves
    and writes one for the new date, so several rows can share a key."""
    chosen: dict[Key, Dose] = {}
    for dose in doses:
        key = event_key(dose)
        held = chosen.get(key)
        if held is None or _rank(dose, published.get(key)) > _rank(held, published.get(key)):
            chosen[key] = dose
    return chosen


def _rank(dose: Dose, published: date | None) -> tuple[bool, bool, date]:
    return (dose.status != Dose.Status.CANCELLED, dose.due == published, dose.due)


# A dose's status on a day, in the words of the feed (scheduled and due are both "planned").
STATES: dict[str, str] = {
    Dose.Status.TAKEN: CalendarEvent.State.DONE,
    Dose.Status.MISSED: CalendarEvent.State.MISSED,
    Dose.Status.CANCELLED: CalendarEvent.State.CANCELLED,
}


def event_state(dose: Dose, today: date) -> str:
    """What the event says of its dose on `today`, from the dose's status there
    (`Dose.status_on`, as schedules.states defines it)."""
    return STATES.get(str(dose.status_on(today)), CalendarEvent.State.PLANNED)


def calendar_events_sync(*, prescription: Prescription, now: datetime, today: date) -> int:
    """Bring what the feed publishes for `prescription` in line with its doses on the
    patient's `today`, raising the SEQUENCE of each event whose date or state changed; returns
    how many changed. Called inside the transaction that changed the doses (the prescription
    is locked)."""
    since = now.date() - LOOK_BACK - MOVE_MARGIN
    doses = Dose.objects.filter(prescription=prescription, due__gte=since).only(
        "phase_id", "sequence", "due", "status", "earliest", "latest", "injection_id"
    )
    states = {
        (state.phase_id, state.number): state
        for state in CalendarEvent.objects.filter(prescription=prescription)
    }
    chosen = current_doses(doses, {key: state.due for key, state in states.items()})
    creates: list[CalendarEvent] = []
    updates: list[CalendarEvent] = []
    for key, dose in chosen.items():
        shown = event_state(dose, today)
        state = states.get(key)
        if state is None:
            creates.append(
                CalendarEvent(
                    prescription=prescription,
                    phase_id=key[0],
                    number=key[1],
                    due=dose.due,
                    state=shown,
                    changed_at=now,
                )
            )
        elif (state.due, state.state) != (dose.due, shown):
            state.due, state.state, state.changed_at = dose.due, shown, now
            state.sequence += 1
            updates.append(state)
    CalendarEvent.objects.bulk_create(creates, batch_size=500)
    CalendarEvent.objects.bulk_update(
        updates, ["due", "state", "sequence", "changed_at"], batch_size=500
    )
    return len(creates) + len(updates)
