"""The patient's side of sharing on the care team page: ask a clinician (by email or practice
code) to see the record, withdraw the request, and the page's context with who read it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.forms import attach_errors

from . import selectors, sharing
from .access import AuthedRequest, patient_required
from .models import CareLink

# The same words whether or not the email or code belongs to a clinician: the form must not
# tell a stranger who uses b12tracker.
SHARE_ANSWER = (
    "If a clinician with that address or code uses b12tracker, they will see your request."
)
PAST = (CareLink.Status.DECLINED, CareLink.Status.REVOKED, CareLink.Status.WITHDRAWN)


class ShareForm(forms.Form):
    target = forms.CharField(
        label="Clinician's email address or practice code",
        max_length=254,
        help_text="Your clinician can find their practice code on their Invitations page.",
        error_messages={"required": "Enter your clinician's email address or practice code."},
    )

    def clean_target(self) -> str:
        target: str = self.cleaned_data["target"].strip()
        if "@" in target:
            forms.EmailField().clean(target)
        elif not sharing.CODE_SHAPE.match(sharing.normalise_code(target)):
            raise ValidationError(
                "Enter an email address, or a practice code of 8 letters and digits."
            )
        return target


def care_team_context(request: AuthedRequest, share_form: ShareForm) -> dict[str, object]:
    links = list(selectors.links_for_patient(patient=request.user))
    return {
        "pending": [link for link in links if link.status == CareLink.Status.PENDING],
        "active": [link for link in links if link.status == CareLink.Status.ACTIVE],
        "requested": [link for link in links if link.status == CareLink.Status.REQUESTED],
        "past": [link for link in links if link.status in PAST],
        "share_form": share_form,
        "reads": selectors.recent_reads(patient=request.user, now=timezone.now()),
    }


@require_POST
@patient_required
def share(request: AuthedRequest) -> HttpResponse:
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            sharing.share_request(
                patient=request.user, target=form.cleaned_data["target"], request=request
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, SHARE_ANSWER)
            return redirect("accounts:care_team")
    context = care_team_context(request, form)
    return render(request, "accounts/care_team.html", context, status=400)


@require_POST
@patient_required
def share_withdraw(request: AuthedRequest, link_id: int) -> HttpResponse:
    """Only the patient's own request can be withdrawn; anything else is 404."""
    try:
        sharing.share_withdraw(link_id=link_id, patient=request.user, request=request)
    except CareLink.DoesNotExist:
        raise Http404 from None
    except ValidationError:
        messages.error(request, "That request had already been answered; nothing was done.")
    else:
        messages.success(request, "Request withdrawn.")
    return redirect("accounts:care_team")
