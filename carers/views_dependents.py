"""Dependents: adding someone the guardian looks after, and switching the session to act in
their record and back."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import AuthedRequest, patient_required
from accounts.audit import log_action
from core.forms import submitted

from . import selectors, services
from .acting import SESSION_KEY
from .forms import DependentForm


@require_http_methods(["GET", "POST"])
@patient_required
def dependent_add(request: AuthedRequest) -> HttpResponse:
    form = DependentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dependent = submitted(
            form,
            lambda: services.dependent_add(
                guardian=request.user, request=request, **form.cleaned_data
            ),
        )
        if dependent is not None:
            messages.success(
                request,
                f"Added {dependent.display_name}. Switch to their record to set up their "
                "prescription and reminders.",
            )
            return redirect("carers:caring_for")
    return render(
        request, "carers/dependent_add.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
@patient_required
def switch(request: AuthedRequest, dependent_id: int) -> HttpResponse:
    """Act in a dependent's record: every patient page is theirs until switching back."""
    dependent = selectors.dependent_of(guardian=request.user, dependent_id=dependent_id)
    if dependent is None:
        raise Http404
    request.session[SESSION_KEY] = dependent.pk
    log_action(
        actor=request.user, action="guardian.switched_to", patient=dependent, request=request
    )
    return redirect("home")


@require_POST
@patient_required
def switch_back(request: AuthedRequest) -> HttpResponse:
    """Back to the guardian's own record (carers pages always run as the guardian)."""
    dependent_id = request.session.pop(SESSION_KEY, None)
    dependent = selectors.dependent_of(guardian=request.user, dependent_id=dependent_id)
    if dependent is not None:
        log_action(
            actor=request.user, action="guardian.switched_back", patient=dependent, request=request
        )
        messages.success(
            request, f"You are back in your own record, not {dependent.display_name}'s."
        )
    return redirect("home")
