"""Inviting a patient by email from the patients list, sending a pending invitation again,
and withdrawing one; a refusal re-renders that list."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.access import AuthedRequest, clinician_required
from accounts.forms import InviteForm
from accounts.models import CareLink
from core.forms import submitted

from .patients import patients_context


@require_POST
@clinician_required
def invite(request: AuthedRequest) -> HttpResponse:
    """A new address is invited; one with a pending invitation is sent it again."""
    form = InviteForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        pending = CareLink.objects.filter(
            clinician=request.user, invited_email__iexact=email, status=CareLink.Status.PENDING
        ).exists()
        link = submitted(
            form,
            lambda: account_services.carelink_invite(
                clinician=request.user, email=email, request=request
            ),
        )
        if link is not None:
            done = "Invitation sent again to" if pending else "Invitation sent to"
            messages.success(request, f"{done} {link.invited_email}.")
            return redirect("clinic:patients")
    return render(request, "clinic/patients.html", patients_context(request, form), status=400)


@require_POST
@clinician_required
def invitation_withdraw(request: AuthedRequest) -> HttpResponse:
    """Only the clinician's own pending invitation can be withdrawn; anything else is 404."""
    form = InviteForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        link = account_services.carelink_withdraw(
            clinician=request.user, email=form.cleaned_data["email"], request=request
        )
    except CareLink.DoesNotExist:
        raise Http404 from None
    messages.success(request, f"Invitation to {link.invited_email} withdrawn.")
    return redirect("clinic:patients")
