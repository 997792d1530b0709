"""Inviting a patient by email from the patients list; a refusal re-renders that list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.access import AuthedRequest, clinician_required
from accounts.forms import InviteForm

from .patients import patients_context


@require_POST
@clinician_required
def invite(request: AuthedRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            account_services.carelink_invite(
                clinician=request.user, email=form.cleaned_data["email"], request=request
            )
        except ValidationError as error:
            # Every refusal is about the address, so it is shown under that field.
            for message in error.message_dict.get("email", error.messages):
                form.add_error("email", message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("clinic:patients")
    return render(request, "clinic/patients.html", patients_context(request, form), status=400)
