"""Reads for the new-prescription wizard: the built-in regimens and a preview of the first
dates, planned by the engine before anything is saved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from schedules import engine, regimens

PREVIEW_LENGTH = 10
_KIND_LABELS = {
    "repletion": "Loading",
    "consolidation": "Consolidation",
    "maintenance": "Maintenance",
}


@dataclass(frozen=True)
class PreviewDose:
    due: date
    earliest: date
    latest: date
    dose_mcg: int
    phase_label: str
    starts_phase: bool


def preview_for(
    *,
    regimen_slug: str | None,
    phases: list[engine.PhaseSpec] | None,
    dose_mcg: int,
    start: date,
    today: date,
) -> list[PreviewDose]:
    """The first dates of a built-in regimen (at this dose) or of custom phases."""
    if regimen_slug:
        phases = [replace(spec, dose_mcg=dose_mcg) for spec in regimens.get(regimen_slug).phases]
    return plan_preview(phases=phases or [], start=start, today=today)


def plan_preview(
    *, phases: list[engine.PhaseSpec], start: date, today: date, length: int = PREVIEW_LENGTH
) -> list[PreviewDose]:
    """The first dates a new prescription would give, before anything is saved."""
    plan = engine.plan(phases, start=start, given=[], today=today, until=start + timedelta(400))
    return _labelled(plan.doses, phases, length)


@dataclass(frozen=True)
class WizardPreview:
    upcoming: list[PreviewDose]  # the first dates from today on
    past: list[date]  # dates whose window has closed: had or missed, the patient says which
    given: list[date]  # the back-filled dates the plan was made with
    next_due: date | None


def wizard_preview(
    *,
    phases: list[engine.PhaseSpec],
    start: date,
    given: list[date],
    ticked: list[date],
    today: date,
) -> WizardPreview:
    """What a new prescription would give, with `given` as back-filled injections: the
    first dates ahead and the past ones to ask about (`ticked` are those said to be had)."""
    given_rows = [engine.Given(id=i, given_on=day) for i, day in enumerate(given)]
    until = max(start, today) + timedelta(400)
    plan = engine.plan(phases, start=start, given=given_rows, today=today, until=until)
    ahead = [dose for dose in plan.doses if dose.latest >= today and dose.status != "taken"]
    missed = {dose.due for dose in plan.doses if dose.status == "missed"}
    return WizardPreview(
        upcoming=_labelled(ahead, phases),
        past=sorted(missed | set(ticked)),
        given=given,
        next_due=ahead[0].due if ahead else None,
    )


def _labelled(
    doses: Sequence[engine.PlannedDose],
    phases: list[engine.PhaseSpec],
    length: int = PREVIEW_LENGTH,
) -> list[PreviewDose]:
    labels = [_KIND_LABELS.get(spec.kind, spec.kind) for spec in phases]
    preview: list[PreviewDose] = []
    previous = None
    for dose in doses[:length]:
        preview.append(
            PreviewDose(
                dose.due,
                dose.earliest,
                dose.latest,
                dose.dose_mcg,
                f"{labels[dose.phase_index]} ({phases[dose.phase_index].cadence.describe()})",
                dose.phase_index != previous,
            )
        )
        previous = dose.phase_index
    return preview


def regimen_choices() -> list[regimens.Regimen]:
    return list(regimens.REGIMENS.values())
