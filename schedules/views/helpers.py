"""What the patient pages share: the patient's today, the status a form answers with, the
active prescription (or the page shown without one), and submitting an injection form (log
or correct)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import wraps

from django.core.exceptions import ValidationError
from django.forms import BoundField, Form
from django.forms.boundfield import BoundWidget
from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import AuthedRequest
from core.clock import local_today
from core.forms import attach_errors
from schedules import selectors, services
from schedules.forms import InjectionForm
from schedules.models import Injection, Prescription


def status_code(form: Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def form_token() -> str:
    return uuid.uuid4().hex


def patient_today(request: AuthedRequest) -> date:
    return local_today(request.user)


def prescription_required(
    view: Callable[[AuthedRequest, Prescription], HttpResponse],
) -> Callable[[AuthedRequest], HttpResponse]:
    """A page about the patient's active prescription, which the view is given; without one,
    the page that says to set it up. Goes under @patient_required."""

    @wraps(view)
    def page(request: AuthedRequest) -> HttpResponse:
        rx = selectors.active_prescription(patient=request.user)
        if rx is None:
            return render(request, "schedules/no_prescription.html")
        return view(request, rx)

    return page


def site_options(
    form: Form, uses: list[selectors.SiteUse]
) -> list[tuple[BoundWidget, selectors.SiteUse | None]]:
    """Each radio of the site field beside when that site was last used."""
    by_site = {use.site: use for use in uses}
    field: BoundField = form["site"]
    return [(radio, by_site.get(radio.data["value"])) for radio in field]


def submit_injection(
    form: InjectionForm, service: Callable[..., Injection], **kwargs: object
) -> Injection | None:
    """Log or correct from a valid form; on refusal the form carries the errors (None back)."""
    try:
        return service(confirm=form.cleaned_data["confirm"], **kwargs, **form.values())
    except services.TooSoonError as error:
        _too_soon(form, error)
    except ValidationError as error:
        attach_errors(form, error)
    return None


def _too_soon(form: InjectionForm, error: services.TooSoonError) -> None:
    form.ask_to_confirm(error.messages[0])
