"""A record as a FHIR R4 Bundle: the patient's own from /me/export/fhir.json, and a linked
patient's from /clinic/patients/<id>/fhir.json for their clinician (404 for anyone else)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import AuthedRequest, clinician_required, patient_required
from accounts.models import User
from accounts.read_audit import mark_read
from accounts.reauth import recent_auth_required
from accounts.selectors import patient_for_clinician
from core.clock import local_today

from .fhir_bundle import record_bundle
from .selectors import fhir_record
from .services import record_exported


def _download(request: AuthedRequest, patient: User) -> HttpResponse:
    now = timezone.now()
    record = fhir_record(patient=patient, now=now, today=local_today(patient, now=now))
    bundle = record_bundle(record)
    record_exported(
        actor=request.user, patient=patient, resources=len(bundle.entry or []), request=request
    )
    body = bundle.model_dump_json(indent=2)
    response = HttpResponse(body, content_type="application/fhir+json")
    name = f"b12-record-{now:%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@require_GET
@patient_required
@recent_auth_required
def fhir_export(request: AuthedRequest) -> HttpResponse:
    return _download(request, request.user)


@never_cache
@require_GET
@clinician_required
@recent_auth_required
def fhir_export_patient(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_for_clinician(clinician=request.user, patient_id=patient_id)
    mark_read(request, patient, "export")
    return _download(request, patient)
