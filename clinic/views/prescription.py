"""What a clinician changes on a patient's prescription: confirm it as checked, amend it, end
an open-ended loading phase, change the maintenance interval. Services decide; a refusal
shows its reason beside the form and writes nothing. The flags an action answers end with it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AuthedRequest, clinician_required
from accounts.models import User
from clinic import intervals
from clinic.forms import IntervalForm, PhaseCloseForm, PrescriptionAmendForm
from clinic.selectors.overview import phase_for_patient
from core.forms import submitted
from monitoring import endings
from schedules import selectors as schedule_selectors
from schedules import services as schedule_services
from schedules.models import Phase, Prescription

from .common import detail_url, error_message, form_message, patient_of
from .patient import render_patient

NO_PRESCRIPTION = "This patient has no active prescription."
INACTIVE = "That prescription is no longer active."


@require_POST
@clinician_required
def prescription_confirm(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_of(request, patient_id)
    prescription = schedule_selectors.active_prescription(patient=patient)
    if prescription is None:
        return render_patient(request, patient, status=400, error=NO_PRESCRIPTION)
    try:
        with transaction.atomic():
            schedule_services.prescription_confirm(
                prescription=prescription, clinician=request.user, request=request
            )
            _end_answered(request, prescription, endings.CONFIRMED, "prescription confirmed")
    except ValidationError as error:
        return render_patient(request, patient, status=400, error=error_message(error))
    messages.success(request, "Prescription confirmed as checked by you.")
    return redirect(detail_url(patient))


@clinician_required
def prescription_edit(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_of(request, patient_id)
    prescription = schedule_selectors.active_prescription(patient=patient)
    if prescription is None:
        raise Http404
    if request.method != "POST":
        form = PrescriptionAmendForm(initial=PrescriptionAmendForm.initial_for(prescription))
        return _render_edit(request, patient, prescription, form)
    form = PrescriptionAmendForm(request.POST)
    if form.is_valid() and _amend(request, prescription, form):
        return redirect(detail_url(patient))
    return _render_edit(request, patient, prescription, form, status=400)


def _amend(request: AuthedRequest, prescription: Prescription, form: PrescriptionAmendForm) -> bool:
    """Amend through the service and say what happened; False with the form's errors if not."""
    summary = submitted(
        form,
        lambda: schedule_services.prescription_update(
            prescription=prescription,
            actor=request.user,
            changes=form.changes(),
            reason=form.cleaned_data["reason"],
            request=request,
        ),
    )
    if summary is None:
        return False
    if not summary.fields:
        messages.info(request, "Nothing was changed.")
    elif summary.dates_moved:
        messages.success(request, "Prescription amended; the doses still to come were re-planned.")
    else:
        messages.success(request, "Prescription amended; the dates of future doses stay the same.")
    return True


def _render_edit(
    request: AuthedRequest,
    patient: User,
    prescription: Prescription,
    form: PrescriptionAmendForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "clinic/prescription_edit.html",
        {"patient": patient, "prescription": prescription, "form": form},
        status=status,
    )


@require_POST
@clinician_required
def phase_close(request: AuthedRequest, patient_id: int, phase_id: int) -> HttpResponse:
    patient = patient_of(request, patient_id)
    phase = phase_for_patient(patient=patient, phase_id=phase_id)
    if phase is None:
        raise Http404
    form = PhaseCloseForm(request.POST, auto_id="close_%s")
    if _close(request, phase, form):
        return redirect(detail_url(patient))
    return render_patient(request, patient, status=400, error=form_message(form), close_form=form)


def _close(request: AuthedRequest, phase: Phase, form: PhaseCloseForm) -> bool:
    """End the phase on the form's date and say so; False with the form's errors if not."""
    if phase.prescription.status != Prescription.Status.ACTIVE:
        form.is_valid()
        form.add_error(None, INACTIVE)
        return False
    if not form.is_valid():
        return False
    closed_on = form.cleaned_data["closed_on"]

    def close() -> Phase:
        with transaction.atomic():
            closed = schedule_services.phase_close(
                phase=phase, actor=request.user, closed_on=closed_on, request=request
            )
            done = f"loading ended on {closed_on:%-d %b}"
            _end_answered(request, phase.prescription, endings.PHASE_CLOSED, done)
        return closed

    if submitted(form, close) is None:
        return False
    messages.success(
        request, f"Loading ended on {closed_on:%-d %b %Y}; maintenance doses are now planned."
    )
    return True


@require_POST
@clinician_required
def interval_change(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_of(request, patient_id)
    prescription = schedule_selectors.active_prescription(patient=patient)
    form = IntervalForm(request.POST, auto_id="interval_%s")
    if _change_interval(request, prescription, form):
        return redirect(detail_url(patient))
    return render_patient(
        request, patient, status=400, error=form_message(form), interval_form=form
    )


def _change_interval(
    request: AuthedRequest, prescription: Prescription | None, form: IntervalForm
) -> bool:
    """Change maintenance from today and say so; False with the form's errors if not."""
    if prescription is None:
        form.is_valid()
        form.add_error(None, NO_PRESCRIPTION)
        return False
    if not form.is_valid() or not _confirmed(request, prescription, form):
        return False
    data = form.cleaned_data

    def change() -> Phase:
        with transaction.atomic():
            phase = schedule_services.maintenance_interval_change(
                prescription=prescription,
                actor=request.user,
                unit=data["unit"],
                every=data["every"],
                every_max=data["every_max"],
                reason=data["reason"],
                request=request,
            )
            done = f"interval changed to {phase.cadence().describe()}"
            _end_answered(request, prescription, endings.INTERVAL_CHANGED, done)
        return phase

    phase = submitted(form, change)
    if phase is None:
        return False
    messages.success(request, f"Maintenance is now {phase.cadence().describe()}, from today on.")
    return True


def _confirmed(request: AuthedRequest, prescription: Prescription, form: IntervalForm) -> bool:
    """An interval no built-in regimen uses needs the box ticked for it; until then the form
    comes back with what the change would mean, and nothing is saved."""
    cadence = form.cadence()
    key = intervals.cadence_key(cadence)
    if intervals.is_usual(cadence) or form.confirms(key):
        return True
    text = intervals.consequence(prescription=prescription, actor=request.user, cadence=cadence)
    if text is None:
        return True  # refused whatever the answer: the change itself says why
    form.ask_to_confirm(key, text)
    return False


def _end_answered(
    request: AuthedRequest, prescription: Prescription, action: str, done: str
) -> None:
    """End the flags this action answers, in its transaction, noting what was done."""
    endings.flags_end_after(prescription=prescription, action=action, actor=request.user, done=done)
