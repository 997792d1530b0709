"""Logging an injection for the person a carer cares for: the patient's own form and rules,
recorded as given by a carer, with the carer as the one who logged it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import AuthedRequest, patient_required
from accounts.read_audit import mark_read
from core.clock import local_today
from schedules import selectors as schedule_selectors
from schedules import services as schedule_services
from schedules.choices import GivenBy
from schedules.forms import InjectionForm
from schedules.services.injections import injection_problems
from schedules.services.too_soon import too_soon_question
from schedules.views.helpers import form_token, site_options, status_code, submit_injection

from . import selectors


class CarerInjectionForm(InjectionForm):
    """The patient's injection form, always recorded as given by a carer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_by"] = forms.CharField(widget=forms.HiddenInput, required=False)

    def values(self) -> dict[str, Any]:
        return {**super().values(), "given_by": GivenBy.CARER}


@require_http_methods(["GET", "POST"])
@patient_required
def log_injection(request: AuthedRequest, link_id: int) -> HttpResponse:
    link = selectors.carer_link(carer=request.user, link_id=link_id, to_log=True)
    if link is None:
        raise Http404
    patient = link.patient
    rx = schedule_selectors.active_prescription(patient=patient)
    if rx is None:
        messages.info(request, f"{patient.display_name} has no prescription set up yet.")
        return redirect("carers:patient_overview", link.pk)
    today = local_today(patient)
    context = schedule_selectors.log_context(prescription=rx, today=today)
    initial = {
        "given_on": today,
        "site": context.suggested.site if context.suggested else "",
        "dose_mcg": context.next.dose.dose_mcg if context.next else rx.dose_mcg,
        "client_token": form_token(),
    }
    form = CarerInjectionForm(
        request.POST or None,
        route=rx.route,
        today=today,
        initial=initial,
        check=lambda values: injection_problems(prescription=rx, values=values, today=today),
        too_soon=lambda day: too_soon_question(prescription=rx, given_on=day),
    )
    if form.is_bound and form.is_valid():
        injection = submit_injection(
            form,
            schedule_services.injection_log,
            prescription=rx,
            actor=request.user,
            client_token=form.cleaned_data["client_token"],
            request=request,
            today=today,
        )
        if injection is not None:
            messages.success(
                request,
                f"Injection logged for {patient.display_name}: {injection.given_on:%A %-d %B}.",
            )
            return redirect("carers:patient_overview", link.pk)
    mark_read(request, patient, "page")
    return render(
        request,
        "carers/log_injection.html",
        {
            "form": form,
            "link": link,
            "rx": rx,
            "context": context,
            "site_options": site_options(form, context.sites),
        },
        status=status_code(form),
    )
