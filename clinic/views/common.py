"""What the patient pages and actions share: the patient behind the URL, the way back to
their page, and the one-line message above a refused form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form
from django.urls import reverse

from accounts.access import AuthedRequest
from accounts.models import User
from accounts.selectors import patient_for_clinician


def patient_of(request: AuthedRequest, patient_id: int) -> User:
    """The patient, if the signed-in clinician holds an active link to them; 404 otherwise."""
    return patient_for_clinician(clinician=request.user, patient_id=patient_id)


def detail_url(patient: User) -> str:
    return reverse("clinic:patient_detail", args=[patient.pk])


def error_message(error: ValidationError) -> str:
    return " ".join(error.messages)


def form_message(form: Form) -> str:
    problems = [str(message) for messages in form.errors.values() for message in messages]
    return "Nothing was saved. " + " ".join(problems)
