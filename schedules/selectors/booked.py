"""The nurse appointment booked for a dose, read in the same query as the dose: pages that
list doses show it without a query more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.db.models import F, FilteredRelation, Q

from schedules.models import Dose, DoseQuerySet


@dataclass(frozen=True)
class Booking:
    """A live appointment, as the pages show it."""

    on: date
    at: time | None
    place: str
    pk: int

    @property
    def words(self) -> str:
        """ "12 Feb, 10:30, Riverside Surgery": the date, then the time and place if given."""
        parts = [f"{self.on:%-d %b}"]
        if self.at is not None:
            parts.append(f"{self.at:%H:%M}")
        if self.place:
            parts.append(self.place)
        return ", ".join(parts)


def with_booking(doses: DoseQuerySet) -> DoseQuerySet:
    """`doses` with their live appointment's fields joined in (at most one per dose, which
    a partial unique constraint keeps so)."""
    live = FilteredRelation("appointments", condition=Q(appointments__cancelled_at__isnull=True))
    return doses.annotate(live_booking=live).annotate(
        booked_id=F("live_booking__pk"),
        booked_on=F("live_booking__on"),
        booked_at=F("live_booking__at"),
        booked_place=F("live_booking__place"),
    )


def booking_of(dose: Dose) -> Booking | None:
    """The live appointment of a dose read through with_booking, while it is still to be
    given (an appointment of a dose given, missed or moved is history, not shown)."""
    on = getattr(dose, "booked_on", None)
    if on is None or dose.injection_id is not None or dose.status not in ("scheduled", "due"):
        return None
    at, place = getattr(dose, "booked_at", None), getattr(dose, "booked_place", "")
    return Booking(on, at, place or "", getattr(dose, "booked_id", 0))
