"""Prescription versions: the frozen copy kept before each change, and the details it records.

A version is written once and never edited; the prescription's own number moves on by one.
"""

from __future__ import annotations

from django.forms.models import model_to_dict

from accounts.models import User
from schedules.models import Prescription, PrescriptionVersion

# The treatment: medicine, dose, route, cause and care plan. A clinician amends these.
TREATMENT_FIELDS = (
    "product",
    "brand",
    "strength_mcg_per_ml",
    "dose_mcg",
    "route",
    "cause",
    "neuro",
    "lifelong",
    "given_by",
    "monitoring_plan",
    "adjustment_triggers",
    "notes",
)
# Every detail a change may touch: the treatment, and the start date.
DETAIL_FIELDS = (*TREATMENT_FIELDS, "start_date")


def _snapshot(prescription: Prescription) -> dict[str, object]:
    data = model_to_dict(prescription, fields=(*DETAIL_FIELDS, "regimen_slug", "regimen_name"))
    data["start_date"] = prescription.start_date.isoformat()
    data["phases"] = [
        {
            **model_to_dict(phase, exclude=["id", "prescription"]),
            "closed_on": phase.closed_on.isoformat() if phase.closed_on else None,
            "not_before": phase.not_before.isoformat() if phase.not_before else None,
        }
        for phase in prescription.phases.order_by("order")
    ]
    return data


def keep_version(prescription: Prescription, *, actor: User, reason: str) -> PrescriptionVersion:
    """Freeze the prescription as it is now, then number it one version on."""
    previous = prescription.versions.order_by("-number").first()
    version = PrescriptionVersion.objects.create(
        prescription=prescription,
        number=prescription.version,
        previous=previous,
        snapshot=_snapshot(prescription),
        reason=reason[:200],
        changed_by=actor,
    )
    Prescription.objects.filter(pk=prescription.pk).update(version=prescription.version + 1)
    prescription.version += 1
    return version
