"""What the patient pages and actions share: the patient behind the URL, the way back to
their page, and the one-line message above a refused form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form
from django.urls import reverse

from accounts.access import AuthedRequest
from accounts.models import User
from accounts.read_audit import mark_read
from accounts.selectors import patient_for_clinician


def patient_of(request: AuthedRequest, patient_id: int) -> User:
    """The patient, if the signed-in clinician holds an active link to them; 404 otherwise.
    The request is marked as reading their record (recorded only if it answers with it)."""
    patient = patient_for_clinician(clinician=request.user, patient_id=patient_id)
    mark_read(request, patient, "page")
    return patient


def detail_url(patient: User) -> str:
    return reverse("clinic:patient_detail", args=[patient.pk])


def error_message(error: ValidationError) -> str:
    return " ".join(error.messages)


def form_message(form: Form) -> str:
    problems = [str(message) for messages in form.errors.values() for message in messages]
    return "Nothing was saved. " + " ".join(problems)
