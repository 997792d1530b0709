"""Reads for FHIR imports: a linked patient's draft, and the words the review page shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from accounts.models import User
from interop.models import PrescriptionDraft
from schedules.choices import Bound, PhaseKind

from .values import DraftValues, PhaseValues


def draft_for_patient(*, patient: User, draft_id: int) -> PrescriptionDraft:
    """The draft, if it is this patient's (whom the caller has already checked); 404 if not."""
    draft = PrescriptionDraft.objects.filter(pk=draft_id, patient=patient).first()
    if draft is None:
        raise Http404
    return draft


@dataclass(frozen=True)
class PhaseLine:
    number: int
    kind: str
    cadence: str
    bound: str
    dose: str


def _bound_words(phase: PhaseValues) -> str:
    if phase.bound == "count":
        return f"{phase.count} injection{'s' if phase.count != 1 else ''}"
    if phase.bound == "duration":
        return f"for {phase.duration_days} days"
    return {"open": "until you end it", "ongoing": "with no end"}.get(
        phase.bound, str(Bound(phase.bound).label)
    )


def phase_lines(values: DraftValues) -> list[PhaseLine]:
    """Each phase in plain words; a phase with no dose of its own takes the draft's dose."""
    same = values.one_dose_for_all()
    lines = []
    for number, phase in enumerate(values.phases, start=1):
        own = phase.dose_mcg is not None and not same
        lines.append(
            PhaseLine(
                number=number,
                kind=str(PhaseKind(phase.kind).label),
                cadence=phase.spec(1).cadence.describe(),
                bound=_bound_words(phase),
                dose=f"{phase.dose_mcg} mcg" if own else "the dose per injection above",
            )
        )
    return lines
