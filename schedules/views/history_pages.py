"""The history page, and correcting or voiding one of its entries: the original always stays,
marked, and an entry of a stopped prescription stays as it is."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject

from accounts.access import AuthedRequest, patient_required
from core.cache import cache_key, whole_number
from core.forms import submitted
from schedules import selectors, services
from schedules.forms import CorrectionForm, VoidForm
from schedules.models import Injection, Prescription
from schedules.services.injections import injection_problems
from schedules.services.too_soon import too_soon_question

from .helpers import patient_today, site_options, status_code, submit_injection
from .log_page import warn_if_expired


@patient_required
def history(request: AuthedRequest) -> HttpResponse:
    """A page of the history; ?entry=ID opens the page that holds that entry."""
    number = whole_number(request.GET.get("page", "")) or 1
    entry = whole_number(request.GET.get("entry", ""), digits=12)
    # Read only when the template's cached fragment is missing.
    history = SimpleLazyObject(
        lambda: selectors.history_page(patient=request.user, number=number, entry=entry)
    )
    key = cache_key(
        "history",
        request.user.pk,
        request.user.date_joined.timestamp(),
        selectors.history_revision(patient=request.user),
        entry or number,
        "entry" if entry else "page",
    )
    return render(request, "schedules/history.html", {"history": history, "page_key": key})


def _own_injection(request: AuthedRequest, injection_id: int) -> Injection:
    injection = selectors.injection_for_patient(patient=request.user, injection_id=injection_id)
    if injection is None:
        raise Http404
    return injection


def _already_changed(request: AuthedRequest, injection: Injection) -> HttpResponse:
    if injection.status == Injection.Status.RECORDED:
        text = "That entry belongs to a stopped prescription, so it stays as it is."
    else:
        text = f"That entry was already {injection.get_status_display().lower()}; nothing done."
    messages.info(request, text)
    return redirect("schedules:history")


def _changeable(injection: Injection) -> bool:
    return (
        injection.status == Injection.Status.RECORDED
        and injection.prescription.status == Prescription.Status.ACTIVE
    )


@patient_required
def injection_correct(request: AuthedRequest, injection_id: int) -> HttpResponse:
    injection = _own_injection(request, injection_id)
    if not _changeable(injection):
        return _already_changed(request, injection)
    today = patient_today(request)
    names = ("given_on", "given_at", "site", "given_by", "dose_mcg", "lot", "expiry", "notes")
    form = CorrectionForm(
        request.POST or None,
        route=injection.route,
        today=today,
        initial={name: getattr(injection, name) for name in names},
        check=lambda values: injection_problems(
            prescription=injection.prescription,
            values={"route": injection.route, **values},
            today=today,
        ),
        # An entry already kept as extra was confirmed once: correcting it does not ask again.
        too_soon=None
        if injection.extra
        else lambda day: too_soon_question(
            prescription=injection.prescription, given_on=day, exclude=injection.pk
        ),
    )
    if form.is_bound and form.is_valid():
        replacement = submit_injection(
            form,
            services.injection_correct,
            injection=injection,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        if replacement is not None:
            text = "Corrected. The original entry stays in your history."
            if selectors.injection_is_extra(injection=replacement):
                text += " The corrected entry is kept as an extra injection: no dose counts it."
            messages.success(request, text)
            warn_if_expired(request, replacement)
            return redirect("schedules:history")
    uses = selectors.site_uses(patient=request.user, route=injection.route)
    return render(
        request,
        "schedules/correct.html",
        {"form": form, "injection": injection, "site_options": site_options(form, uses)},
        status=status_code(form),
    )


@patient_required
def injection_void(request: AuthedRequest, injection_id: int) -> HttpResponse:
    injection = _own_injection(request, injection_id)
    if not _changeable(injection):
        return _already_changed(request, injection)
    form = VoidForm(request.POST or None)
    if form.is_bound and form.is_valid():
        voided = submitted(
            form,
            lambda: services.injection_void(
                injection=injection,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            ),
        )
        if voided is not None:
            messages.success(request, "Voided. The entry stays in your history, marked as void.")
            return redirect("schedules:history")
    return render(
        request,
        "schedules/void.html",
        {"form": form, "injection": injection},
        status=status_code(form),
    )
