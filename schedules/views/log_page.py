"""The log page: an injection with its date, site and dose, the too-soon confirmation, and a
message saying whether it counted as a dose."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import AuthedRequest, patient_required
from schedules import selectors, services
from schedules.forms import InjectionForm
from schedules.forms.injections import expired_message, expired_on
from schedules.models import Injection, Prescription, Site
from schedules.services.injections import injection_problems
from schedules.services.too_soon import too_soon_question

from .helpers import (
    form_token,
    patient_today,
    prescription_required,
    site_options,
    status_code,
    submit_injection,
)


def _logged_message(injection: Injection) -> str:
    where = f", {Site(injection.site).label.lower()}" if injection.site else ""
    text = f"Injection logged: {injection.given_on:%A %-d %B}{where}."
    if injection.extra:
        text += " It is recorded as an extra injection, so your schedule does not move."
    elif selectors.injection_is_extra(injection=injection):
        text += (
            " It did not match any planned dose (the date is outside every dose's window), so "
            "it is recorded as an extra injection and your schedule did not change."
        )
    return text


def warn_if_expired(request: AuthedRequest, injection: Injection) -> None:
    """Saved as it happened; the patient hears that the ampoule was past its date."""
    if expired := expired_on(injection.given_on, injection.expiry):
        messages.warning(request, expired_message(expired, injection.given_on))


@patient_required
@prescription_required
def injection_log(request: AuthedRequest, rx: Prescription) -> HttpResponse:
    today = patient_today(request)
    context = selectors.log_context(prescription=rx, today=today)
    initial = {
        "given_on": today,
        "site": context.suggested.site if context.suggested else "",
        "given_by": rx.given_by,
        "dose_mcg": context.next.dose.dose_mcg if context.next else rx.dose_mcg,
        "client_token": form_token(),
    }
    form = InjectionForm(
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
            services.injection_log,
            prescription=rx,
            actor=request.user,
            client_token=form.cleaned_data["client_token"],
            request=request,
        )
        if injection is not None:
            messages.success(request, _logged_message(injection))
            warn_if_expired(request, injection)
            return redirect("home")
    return render(
        request,
        "schedules/log.html",
        {
            "form": form,
            "rx": rx,
            "context": context,
            "site_options": site_options(form, context.sites),
        },
        status=status_code(form),
    )
