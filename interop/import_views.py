"""A clinician imports a linked patient's prescription from another system: upload or paste
a FHIR MedicationRequest, review the draft read from it (what was not imported is listed),
then start the prescription or discard the draft. Anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.access import AuthedRequest, clinician_required
from accounts.models import User
from accounts.read_audit import mark_read
from accounts.selectors import patient_for_clinician
from core.forms import submitted
from schedules import selectors as schedule_selectors

from .fhir_import import selectors, services
from .fhir_import.values import DraftValues
from .import_forms import ImportForm, ReviewForm
from .models import PrescriptionDraft


def _patient_page(patient: User) -> str:
    return reverse("clinic:patient_detail", args=[patient.pk])


@never_cache
@clinician_required
def fhir_import(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_for_clinician(clinician=request.user, patient_id=patient_id)
    mark_read(request, patient, "page")
    posted = request.method == "POST"
    form = ImportForm(request.POST, request.FILES) if posted else ImportForm()
    if posted and form.is_valid():
        draft = services.draft_create(
            patient=patient,
            clinician=request.user,
            resource=form.cleaned_data["resource"],
            request=request,
        )
        return redirect("interop:fhir_import_draft", patient_id=patient.pk, draft_id=draft.pk)
    status = 400 if posted else 200
    return render(request, "interop/import.html", {"patient": patient, "form": form}, status=status)


def _reviewed(form: ReviewForm) -> services.Reviewed:
    data = form.cleaned_data
    return services.Reviewed(
        product=data["product"],
        strength_mcg_per_ml=data["strength_mcg_per_ml"],
        dose_mcg=data["dose_mcg"],
        route=data["route"],
        start_date=data["start_date"],
        cause=data["cause"],
        lifelong=data["lifelong"],
    )


def _render_draft(
    request: AuthedRequest,
    patient: User,
    draft: PrescriptionDraft,
    form: ReviewForm,
    *,
    status: int = 200,
) -> HttpResponse:
    values = DraftValues.from_json(draft.mapped)
    context = {
        "patient": patient,
        "draft": draft,
        "form": form,
        "phases": selectors.phase_lines(values),
        "one_dose": values.one_dose_for_all(),
        "startable": draft.state == PrescriptionDraft.State.OPEN and values.schedule_read,
        "active": schedule_selectors.active_prescription(patient=patient),
    }
    return render(request, "interop/import_draft.html", context, status=status)


def _discard(request: AuthedRequest, patient: User, draft: PrescriptionDraft) -> HttpResponse:
    try:
        services.draft_discard(draft=draft, clinician=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("interop:fhir_import_draft", patient_id=patient.pk, draft_id=draft.pk)
    messages.success(request, "The imported draft was discarded. Nothing was prescribed.")
    return redirect(_patient_page(patient))


@never_cache
@clinician_required
def fhir_import_draft(request: AuthedRequest, patient_id: int, draft_id: int) -> HttpResponse:
    patient = patient_for_clinician(clinician=request.user, patient_id=patient_id)
    mark_read(request, patient, "page")
    draft = selectors.draft_for_patient(patient=patient, draft_id=draft_id)
    if request.method != "POST":
        initial = ReviewForm.initial_for(DraftValues.from_json(draft.mapped))
        return _render_draft(request, patient, draft, ReviewForm(initial=initial))
    if request.POST.get("action") == "discard":
        return _discard(request, patient, draft)
    form = ReviewForm(request.POST)
    if form.is_valid():
        started = submitted(
            form,
            lambda: services.draft_apply(
                draft=draft, clinician=request.user, reviewed=_reviewed(form), request=request
            ),
        )
        if started is not None:
            messages.success(request, "The imported prescription has started.")
            return redirect(_patient_page(patient))
    return _render_draft(request, patient, draft, form, status=400)
