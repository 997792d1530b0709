"""Reads for logging an injection: the dose it is likely for and the sites to choose from,
and afterwards whether it ended up as no dose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schedules.models import Injection, Prescription

from .home import NextDose, next_dose
from .sites import SiteUse, site_uses, suggested_site


@dataclass(frozen=True)
class LogContext:
    next: NextDose | None
    sites: list[SiteUse]

    @property
    def suggested(self) -> SiteUse | None:
        return suggested_site(self.sites)


def log_context(*, prescription: Prescription, today: date) -> LogContext:
    dose = next_dose(prescription=prescription, today=today)
    return LogContext(
        next=NextDose(dose, today, prescription.strength_mcg_per_ml) if dose else None,
        sites=site_uses(patient=prescription.patient, route=prescription.route),
    )


def injection_is_extra(*, injection: Injection) -> bool:
    """Whether a just-logged injection ended up as no dose (one query)."""
    return Injection.objects.not_doses().filter(pk=injection.pk).exists()
