"""Carer pages: the patient's carers (invite, change, remove), the invitation a carer answers,
and the carer's side (the people they care for, an overview of each, logging for them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import AuthedRequest, patient_required
from accounts.models import Role
from accounts.read_audit import mark_read
from core.forms import submitted

from . import selectors, services
from .forms import CarerInviteForm, CarerPermissionsForm
from .models import CarerLink


@require_http_methods(["GET", "POST"])
@patient_required
def my_carers(request: AuthedRequest) -> HttpResponse:
    """The patient's carers and invitations, and the form that invites one."""
    form = CarerInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        link = submitted(
            form,
            lambda: services.carer_invite(
                patient=request.user, request=request, **form.cleaned_data
            ),
        )
        if link is not None:
            messages.success(request, f"Invitation sent to {link.invited_email}.")
            return redirect("carers:my_carers")
    links = list(selectors.links_of_patient(patient=request.user))
    return render(
        request,
        "carers/my_carers.html",
        {
            "form": form,
            "active": [link for link in links if link.status == CarerLink.Status.ACTIVE],
            "pending": [link for link in links if link.status == CarerLink.Status.PENDING],
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@patient_required
def carer_edit(request: AuthedRequest, link_id: int) -> HttpResponse:
    """What one carer may do: log injections, and be alerted when a dose is not logged."""
    link = selectors.patient_link(patient=request.user, link_id=link_id)
    if link is None:
        raise Http404
    initial = {
        "can_log": link.can_log,
        "gets_alerts": link.gets_alerts,
        "alert_after_hours": link.alert_after_hours,
    }
    form = CarerPermissionsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = submitted(
            form,
            lambda: services.carer_permissions_update(
                patient=request.user, link_id=link.pk, request=request, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "Saved what this carer can do.")
            return redirect("carers:my_carers")
    return render(
        request,
        "carers/carer_edit.html",
        {"form": form, "link": link},
        status=400 if form.errors else 200,
    )


@require_POST
@patient_required
def carer_revoke(request: AuthedRequest, link_id: int) -> HttpResponse:
    if selectors.patient_link(patient=request.user, link_id=link_id) is None:
        raise Http404
    try:
        link = services.carer_remove(patient=request.user, link_id=link_id, request=request)
    except ValidationError:
        messages.error(request, "That invitation or link had already changed; nothing was done.")
    else:
        done = "Invitation withdrawn." if link.status == "withdrawn" else "Access removed."
        messages.success(request, done)
    return redirect("carers:my_carers")


@require_http_methods(["GET", "POST"])
@login_required
def accept_invite(request: AuthedRequest, token: str) -> HttpResponse:
    """The link in the invitation: GET shows who asks and what for (mail scanners open links,
    so a GET changes nothing); POST accepts or declines."""
    link = selectors.invitation(token=token)
    if link is None or request.user.role != Role.PATIENT or link.patient_id == request.user.pk:
        raise Http404
    if link.status != CarerLink.Status.PENDING:
        return render(request, "carers/accept_invite.html", {"gone": True}, status=404)
    if request.method == "GET":
        return render(request, "carers/accept_invite.html", {"link": link})
    answer = services.carer_accept if request.POST.get("answer") == "accept" else None
    try:
        if answer is not None:
            answer(token=token, carer=request.user, request=request)
            messages.success(request, f"You now care for {link.patient.display_name}.")
        else:
            services.carer_decline(token=token, carer=request.user, request=request)
            messages.success(request, "Invitation declined.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("carers:caring_for")


@patient_required
def caring_for(request: AuthedRequest) -> HttpResponse:
    """The people the user cares for, invitations waiting for them, and their dependents."""
    return render(
        request,
        "carers/caring_for.html",
        {
            "links": list(selectors.caring_links(carer=request.user)),
            "invitations": list(selectors.invitations_for(user=request.user)),
            "dependents": list(selectors.dependents_of(guardian=request.user)),
        },
    )


@require_POST
@patient_required
def carer_leave(request: AuthedRequest, link_id: int) -> HttpResponse:
    link = selectors.carer_link(carer=request.user, link_id=link_id)
    if link is None:
        raise Http404
    try:
        services.carer_leave(carer=request.user, link_id=link.pk, request=request)
    except ValidationError:
        messages.error(request, "That link had already changed; nothing was done.")
    else:
        messages.success(request, f"You no longer care for {link.patient.display_name}.")
    return redirect("carers:caring_for")


@patient_required
def patient_overview(request: AuthedRequest, link_id: int) -> HttpResponse:
    """What a carer sees of one patient: the next doses and the recent injections."""
    link = selectors.carer_link(carer=request.user, link_id=link_id)
    if link is None:
        raise Http404
    overview = selectors.overview(patient=link.patient)
    mark_read(request, link.patient, "page")
    return render(request, "carers/patient_overview.html", {"link": link, "overview": overview})
