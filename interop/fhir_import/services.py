"""Writes for FHIR imports: a draft from a checked MedicationRequest, starting the
prescription a clinician reviewed, and discarding a draft. Each is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User
from interop.models import PrescriptionDraft
from schedules import services as schedule_services
from schedules.models import Prescription

from .mapping import map_request
from .values import DraftValues

JSON = dict[str, Any]
CLOSED = "This draft was already started or discarded."
ACTIVE = (
    "This patient already has an active prescription. Stop it first from their page, then "
    "start this one."
)


@dataclass(frozen=True)
class Reviewed:
    """The values the clinician confirmed on the review form."""

    product: str
    strength_mcg_per_ml: int
    dose_mcg: int
    route: str
    start_date: date
    cause: str
    lifelong: bool


def draft_create(
    *, patient: User, clinician: User, resource: JSON, request: HttpRequest | None = None
) -> PrescriptionDraft:
    """A draft from a MedicationRequest that parsing.parse_resource accepted."""
    result = map_request(resource)
    with transaction.atomic():
        draft = PrescriptionDraft.objects.create(
            patient=patient,
            made_by=clinician,
            source=resource,
            mapped=result.values.to_json(),
            not_mapped=result.notes_json(),
            missing=result.missing_json(),
        )
        log_action(
            actor=clinician,
            action="fhir.imported",
            patient=patient,
            obj=draft,
            request=request,
            detail={
                "phases": len(result.values.phases),
                "not_mapped": len(result.not_mapped),
                "missing": [item.field for item in result.missing],
            },
        )
    return draft


def _locked_open(draft: PrescriptionDraft) -> PrescriptionDraft:
    locked = PrescriptionDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.state != PrescriptionDraft.State.OPEN:
        raise ValidationError(CLOSED)
    return locked


def _close(draft: PrescriptionDraft, state: str, prescription: Prescription | None) -> None:
    draft.state, draft.closed_at = state, timezone.now()
    draft.applied_prescription = prescription
    draft.save(update_fields=["state", "closed_at", "applied_prescription"])


def draft_apply(
    *,
    draft: PrescriptionDraft,
    clinician: User,
    reviewed: Reviewed,
    request: HttpRequest | None = None,
) -> Prescription:
    """Start the draft's prescription with the reviewed values and the draft's phases.
    Refused when the draft's schedule could not be read or the patient already has an active
    prescription."""
    with transaction.atomic():
        locked = _locked_open(draft)
        values = DraftValues.from_json(locked.mapped)
        if not values.schedule_read or not values.phases:
            raise ValidationError(
                "The schedule could not be read from this resource, so this draft cannot be "
                "started. Set up the prescription by hand."
            )
        if Prescription.objects.filter(patient=locked.patient, status="active").exists():
            raise ValidationError(ACTIVE)
        prescription = schedule_services.prescription_create(
            patient=locked.patient,
            actor=clinician,
            product=reviewed.product,
            strength_mcg_per_ml=reviewed.strength_mcg_per_ml,
            dose_mcg=reviewed.dose_mcg,
            route=reviewed.route,
            start_date=reviewed.start_date,
            phases=values.specs(reviewed.dose_mcg),
            cause=reviewed.cause,
            lifelong=reviewed.lifelong,
            request=request,
        )
        _close(locked, PrescriptionDraft.State.APPLIED, prescription)
        log_action(
            actor=clinician,
            action="fhir.import_applied",
            patient=locked.patient,
            obj=locked,
            request=request,
            detail={"prescription": prescription.pk},
        )
    return prescription


def draft_discard(
    *, draft: PrescriptionDraft, clinician: User, request: HttpRequest | None = None
) -> PrescriptionDraft:
    with transaction.atomic():
        locked = _locked_open(draft)
        _close(locked, PrescriptionDraft.State.DISCARDED, None)
        log_action(
            actor=clinician,
            action="fhir.import_discarded",
            patient=locked.patient,
            obj=locked,
            request=request,
        )
    return locked
