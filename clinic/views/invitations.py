"""Inviting a patient by email from the patients list, sending a pending invitation again,
and withdrawing one (a refusal re-renders that list); the invitations page, where patients'
requests to share are accepted or declined."""

from __future__ import annotations

from typing import Protocol

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts import sharing
from accounts.access import AuthedRequest, clinician_required
from accounts.forms import InviteForm
from accounts.models import CareLink, User
from clinic.selectors.patients import pending_invitations
from core.forms import submitted

from .patients import patients_context

ASKED_ALREADY = (
    "This patient has already asked to share their record with you. "
    "Accept their request on your Invitations page."
)


class ShareAnswer(Protocol):
    """sharing.share_accept and share_decline, as the views call them."""

    def __call__(
        self, *, link_id: int, clinician: User, request: HttpRequest | None
    ) -> CareLink: ...


@require_POST
@clinician_required
def invite(request: AuthedRequest) -> HttpResponse:
    """A new address is invited; one with a pending invitation is sent it again."""
    form = InviteForm(request.POST)
    if form.is_valid() and _asked_already(request, form.cleaned_data["email"]):
        form.add_error("email", ASKED_ALREADY)
    elif form.is_valid():
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


def _asked_already(request: AuthedRequest, email: str) -> bool:
    """The patient already asked this clinician to share: inviting them would be a second open
    link for the same pair; their request is the one to accept."""
    return CareLink.objects.filter(
        clinician=request.user, invited_email__iexact=email, status=CareLink.Status.REQUESTED
    ).exists()


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


@clinician_required
def invitations(request: AuthedRequest) -> HttpResponse:
    """Patients' requests to share, the practice code to give them, and records closed."""
    profile = getattr(request.user, "clinician_profile", None)
    return render(
        request,
        "clinic/invitations.html",
        {
            "practice_code": profile.practice_code if profile is not None else "",
            "requests": account_selectors.share_requests_for_clinician(clinician=request.user),
            "pending": pending_invitations(clinician=request.user),
            "closed": account_selectors.closed_links_for_clinician(clinician=request.user),
        },
    )


def _answer(request: AuthedRequest, link_id: int, service: ShareAnswer, done: str) -> HttpResponse:
    try:
        link = service(link_id=link_id, clinician=request.user, request=request)
    except CareLink.DoesNotExist:
        raise Http404 from None
    except ValidationError:
        messages.error(request, "That request had already been withdrawn or answered.")
    else:
        name = link.patient.display_name if link.patient is not None else link.invited_email
        messages.success(request, done.format(name=name))
    return redirect("clinic:invitations")


@require_POST
@clinician_required
def share_accept(request: AuthedRequest, link_id: int) -> HttpResponse:
    done = "Accepted. {name} is now one of your patients."
    return _answer(request, link_id, sharing.share_accept, done)


@require_POST
@clinician_required
def share_decline(request: AuthedRequest, link_id: int) -> HttpResponse:
    return _answer(request, link_id, sharing.share_decline, "Request from {name} declined.")
