"""The patient's own record as a FHIR R4 Bundle, downloaded from /me/export/fhir.json."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import AuthedRequest, patient_required
from core.clock import local_today

from .fhir_bundle import record_bundle
from .selectors import fhir_record
from .services import record_exported


@never_cache
@require_GET
@patient_required
def fhir_export(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    record = fhir_record(patient=request.user, now=now, today=local_today(request.user, now=now))
    bundle = record_bundle(record)
    record_exported(patient=request.user, resources=len(bundle.entry or []), request=request)
    body = bundle.model_dump_json(indent=2)
    response = HttpResponse(body, content_type="application/fhir+json")
    name = f"b12-record-{now:%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
