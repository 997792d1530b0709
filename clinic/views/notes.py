"""A clinician's note on a patient's record, written to the audit log by monitoring."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.access import AuthedRequest, clinician_required
from clinic.forms import NoteForm
from core.forms import submitted
from monitoring import actions

from .common import detail_url, form_message, patient_of
from .patient import render_patient


@require_POST
@clinician_required
def note_add(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_of(request, patient_id)
    form = NoteForm(request.POST, auto_id="note_%s")
    if form.is_valid():
        added = submitted(
            form,
            lambda: actions.patient_note_add(
                patient=patient, actor=request.user, note=form.cleaned_data["note"], request=request
            ),
        )
        if added is not None:
            messages.success(request, "Note added to the record.")
            return redirect(detail_url(patient))
    return render_patient(request, patient, status=400, error=form_message(form), note_form=form)
