"""Clinician pages: the patients list, invitations and one patient's page.

Every patient page goes through `patient_for_clinician`, which answers 404 without a link.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.access import clinician_required
from accounts.forms import InviteForm


@clinician_required
def patients(request: HttpRequest) -> HttpResponse:
    links = list(selectors.links_for_clinician(clinician=request.user))
    return render(
        request,
        "clinic/patients.html",
        {
            "active": [link for link in links if link.status == "active"],
            "pending": [link for link in links if link.status == "pending"],
            "form": InviteForm(),
        },
    )


@require_POST
@clinician_required
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.carelink_invite(
                clinician=request.user, email=form.cleaned_data["email"], request=request
            )
        except ValidationError as error:
            for message in error.message_dict.get("email", error.messages):
                form.add_error("email", message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("clinic:patients")
    links = list(selectors.links_for_clinician(clinician=request.user))
    return render(
        request,
        "clinic/patients.html",
        {
            "active": [link for link in links if link.status == "active"],
            "pending": [link for link in links if link.status == "pending"],
            "form": form,
        },
        status=400,
    )


@clinician_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_for_clinician(clinician=request.user, patient_id=patient_id)
    return render(request, "clinic/patient_detail.html", {"patient": patient})
