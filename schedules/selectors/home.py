"""Reads for the home page: the next dose and its state, progress through the phase, the
latest missed dose and the site to use; four queries whatever the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from accounts.models import User
from schedules.models import Dose, Phase, Prescription, volume_for

from .booked import Booking, booking_of, with_booking
from .prescription import RegimenText, active_prescription, describe_regimen, phases_with_counts
from .sites import SiteUse, site_uses, suggested_site

if TYPE_CHECKING:
    from .prescription import CountedPhase


@dataclass(frozen=True)
class NextDose:
    dose: Dose
    today: date
    strength: int

    @property
    def days_away(self) -> int:
        return (self.dose.due - self.today).days

    @property
    def volume_ml(self) -> Decimal:
        return volume_for(self.dose.dose_mcg, self.strength)

    @property
    def booking(self) -> Booking | None:
        """The nurse appointment booked for it, if any."""
        return booking_of(self.dose)

    @property
    def state(self) -> str:
        """due_today, overdue (after its date, window still open), open (early) or scheduled."""
        if self.dose.due == self.today:
            return "due_today"
        if self.dose.due < self.today:
            return "overdue"
        return "open" if self.dose.earliest <= self.today else "scheduled"


@dataclass(frozen=True)
class Progress:
    phase: Phase
    number: int | None  # which dose of the phase the next one is
    total: int | None  # None while the phase has no fixed end


def next_dose(*, prescription: Prescription, today: date) -> Dose | None:
    """The first dose still to be given whose window has not closed, with its booked nurse
    appointment (selectors.booked)."""
    doses = Dose.objects.open().filter(prescription=prescription, latest__gte=today)
    return with_booking(doses).select_related("phase").order_by("due").first()


def _progress(phases: list[CountedPhase], dose: Dose | None) -> Progress | None:
    if dose is None:
        return None
    phase = next(p for p in phases if p.pk == dose.phase_id)
    if phase.bound == "count" and not phase.closed_on:
        return Progress(phase, phase.taken + 1, phase.count)
    if phase.bound == "duration" or phase.closed_on:
        return Progress(phase, dose.sequence, phase.total)
    if phase.bound == "open":
        return Progress(phase, dose.sequence, None)
    return Progress(phase, None, None)


@dataclass(frozen=True)
class HomeSummary:
    prescription: Prescription
    next: NextDose | None
    progress: Progress | None
    missed_since_last: date | None  # the latest missed dose, if none was taken after it
    sites: list[SiteUse]
    regimen: RegimenText

    @property
    def suggested(self) -> SiteUse | None:
        return suggested_site(self.sites)


def _latest(phases: list[CountedPhase], name: str) -> date | None:
    return max((getattr(p, name) for p in phases if getattr(p, name)), default=None)


def home_summary(
    *, patient: User, today: date, prescription: Prescription | None = None
) -> HomeSummary | None:
    """Four queries, whatever the history: prescription (unless given), phases with counts,
    next dose, sites."""
    prescription = prescription or active_prescription(patient=patient)
    if prescription is None:
        return None
    phases = phases_with_counts(prescription=prescription, today=today)
    dose = next_dose(prescription=prescription, today=today)
    last_missed, last_taken = _latest(phases, "last_missed"), _latest(phases, "last_taken")
    return HomeSummary(
        prescription=prescription,
        next=NextDose(dose, today, prescription.strength_mcg_per_ml) if dose else None,
        progress=_progress(phases, dose),
        missed_since_last=last_missed
        if last_missed and last_missed > (last_taken or date.min)
        else None,
        sites=site_uses(patient=patient, route=prescription.route),
        regimen=describe_regimen(phases=phases),
    )
