"""Patient pages: home, the prescription wizard and checklist, logging, schedule and history.

Each view parses, checks access (a patient sees only their own records: 404 otherwise),
calls a service or a selector, and renders.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts import selectors as account_selectors
from accounts.access import patient_required
from accounts.models import CareLink
from core.clock import local_today
from core.forms import attach_errors

from . import engine, regimens, selectors, services
from .forms import (
    CUSTOM,
    CorrectionForm,
    InjectionForm,
    PrescriptionEditForm,
    PrescriptionForm,
    RegimenForm,
    StopForm,
    VoidForm,
)
from .models import Injection, Prescription, Site


def _status(form: Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _token() -> str:
    return uuid.uuid4().hex


def _today(request: HttpRequest) -> date:
    return local_today(request.user)


def _no_prescription(request: HttpRequest) -> HttpResponse:
    return render(request, "schedules/no_prescription.html")


@patient_required
def home(request: HttpRequest) -> HttpResponse:
    """The patient's start page (served at / by b12tracker.views.home)."""
    today = _today(request)
    links = list(account_selectors.links_for_patient(patient=request.user))
    return render(
        request,
        "schedules/home.html",
        {
            "summary": selectors.home_summary(patient=request.user, today=today),
            "today": today,
            "token": _token(),
            "profile": request.user.patient_profile,
            "pending": [link for link in links if link.status == CareLink.Status.PENDING],
            "active": [link for link in links if link.status == CareLink.Status.ACTIVE],
        },
    )


@patient_required
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "schedules/about.html")


# --- prescriptions ---------------------------------------------------------------------------


def _already_active(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Your prescription is saved. To change it, use “Change details”.")
    return redirect("schedules:prescription")


@patient_required
def prescription_new(request: HttpRequest) -> HttpResponse:
    if selectors.active_prescription(patient=request.user):
        return _already_active(request)
    choices = [(r.slug, r.name) for r in selectors.regimen_choices()]
    form = RegimenForm(request.GET or None, choices=choices)
    if form.is_bound and form.is_valid():
        url = reverse("schedules:prescription_details")
        return redirect(f"{url}?regimen={form.cleaned_data['regimen']}")
    return render(
        request,
        "schedules/prescription_start.html",
        {"form": form, "regimens": selectors.regimen_choices(), "custom": CUSTOM},
        status=_status(form),
    )


def _wizard_initial(slug: str, today: date) -> dict:
    regimen = regimens.REGIMENS.get(slug)
    dose = regimen.phases[0].dose_mcg if regimen else 1000
    product = "cyanocobalamin" if regimen and regimen.product_hint == "cyanocobalamin" else None
    return {
        "product": product or "hydroxocobalamin",
        "strength_mcg_per_ml": 1000,
        "dose_mcg": dose,
        "route": "IM",
        "cause": "unknown",
        "neuro": "yes" if slug == "bnf-neuro" else "no",
        "given_by": "self",
        "start_date": today,
    }


def _preview_context(form: PrescriptionForm, today: date) -> dict:
    if not form.is_valid():
        return {"preview": None, "form": form}
    data = form.cleaned_data
    try:
        preview = selectors.preview_for(
            regimen_slug=None if form.is_custom else data["regimen"],
            phases=form.phase_specs(),
            dose_mcg=data["dose_mcg"],
            start=data["start_date"],
            today=today,
        )
    except engine.EngineError as error:
        form.add_error(None, str(error))
        return {"preview": None, "form": form}
    return {"preview": preview, "form": form}


@patient_required
def prescription_details(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("regimen") or request.GET.get("regimen", "")
    regimen = regimens.REGIMENS.get(slug)
    if regimen is None and slug != CUSTOM:
        return redirect("schedules:prescription_new")
    if selectors.active_prescription(patient=request.user):
        return _already_active(request)
    today = _today(request)
    form = PrescriptionForm(
        request.POST or None, regimen=slug, initial=_wizard_initial(slug, today)
    )
    context = {"form": form, "regimen": regimen, "preview": None}
    if form.is_bound and "preview" in request.POST:
        context |= _preview_context(form, today)
    elif form.is_bound and form.is_valid():
        try:
            services.prescription_create(
                patient=request.user, actor=request.user, request=request, **form.create_args()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Your prescription is saved and your doses are planned.")
            return redirect("schedules:prescription")
    return render(request, "schedules/prescription_form.html", context, status=_status(form))


@patient_required
def prescription_preview(request: HttpRequest) -> HttpResponse:
    """The live preview of first dates (htmx swaps it in as the wizard's fields change)."""
    slug = request.GET.get("regimen", "")
    if slug not in regimens.REGIMENS and slug != CUSTOM:
        raise Http404
    form = PrescriptionForm(request.GET, regimen=slug)
    context = _preview_context(form, _today(request))
    return render(request, "schedules/includes/preview.html", context)


@patient_required
def prescription(request: HttpRequest) -> HttpResponse:
    rx = selectors.active_prescription(patient=request.user)
    if rx is None:
        return _no_prescription(request)
    today = _today(request)
    checklist = selectors.prescription_checklist(prescription=rx)
    phases = selectors.phases_with_counts(prescription=rx, today=today)
    return render(
        request,
        "schedules/prescription_detail.html",
        {
            "rx": rx,
            "regimen": regimens.REGIMENS.get(rx.regimen_slug),
            "phases": phases,
            # Not the start date: a Mon/Wed/Fri course starts on the first of those days.
            "first_due": min((p.first_due for p in phases if p.first_due), default=None),
            "checklist": checklist,
            "missing": [item for item in checklist if item.missing],
            "today": today,
        },
    )


def _edit_initial(rx: Prescription) -> dict:
    names = services.DETAIL_FIELDS
    initial = {name: getattr(rx, name) for name in names}
    initial["neuro"] = "yes" if rx.neuro else "no"
    return initial


def _change_message(form: PrescriptionEditForm, summary: services.ChangeSummary) -> str:
    if not summary.fields:
        return "Nothing was different, so nothing changed."
    labels = ", ".join(form.SHORT_NAMES.get(name, name) for name in summary.fields)
    text = f"Saved. You changed: {labels}."
    if summary.dates_moved:
        before = ", ".join(f"{day:%-d %b}" for day in summary.before) or "none"
        after = ", ".join(f"{day:%-d %b}" for day in summary.after) or "none"
        text += f" Your next dates were {before}; they are now {after}."
    else:
        text += " Your upcoming dates stay the same."
    if count := summary.past_unlogged:
        doses = "1 dose is" if count == 1 else f"{count} doses are"
        text += (
            f" With this start date, {doses} now in the past with no injection logged. If you "
            "had them, log each one on the day you had it; if not, choose a later start date."
        )
    return text


@patient_required
def prescription_edit(request: HttpRequest) -> HttpResponse:
    rx = selectors.active_prescription(patient=request.user)
    if rx is None:
        return _no_prescription(request)
    form = PrescriptionEditForm(request.POST or None, initial=_edit_initial(rx))
    if form.is_bound and form.is_valid():
        try:
            summary = services.prescription_update(
                prescription=rx,
                actor=request.user,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _change_message(form, summary))
            return redirect("schedules:prescription")
    return render(
        request, "schedules/prescription_edit.html", {"form": form, "rx": rx}, status=_status(form)
    )


@patient_required
def prescription_stop(request: HttpRequest, prescription_id: int) -> HttpResponse:
    """Confirm, with a reason, then stop: the wizard opens again for the right prescription."""
    rx = selectors.prescription_for_patient(patient=request.user, prescription_id=prescription_id)
    if rx is None:
        raise Http404
    if rx.status != Prescription.Status.ACTIVE:
        messages.info(request, "That prescription was already stopped; nothing done.")
        return redirect("schedules:prescription_new")
    form = StopForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.prescription_stop(
                prescription=rx,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                "Your prescription is stopped. Its injections stay in your history. "
                "Now set up the new one.",
            )
            return redirect("schedules:prescription_new")
    return render(
        request, "schedules/prescription_stop.html", {"form": form, "rx": rx}, status=_status(form)
    )


# --- injections ------------------------------------------------------------------------------


def _site_options(form: Form, uses: list[selectors.SiteUse]) -> list[tuple]:
    """Each radio of the site field beside when that site was last used."""
    by_site = {use.site: use for use in uses}
    return [(radio, by_site.get(radio.data["value"])) for radio in form["site"]]


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


@patient_required
def injection_log(request: HttpRequest) -> HttpResponse:
    rx = selectors.active_prescription(patient=request.user)
    if rx is None:
        return _no_prescription(request)
    today = _today(request)
    context = selectors.log_context(prescription=rx, today=today)
    initial = {
        "given_on": today,
        "site": context.suggested.site if context.suggested else "",
        "given_by": rx.given_by,
        "dose_mcg": context.next.dose.dose_mcg if context.next else rx.dose_mcg,
        "client_token": _token(),
    }
    form = InjectionForm(request.POST or None, route=rx.route, today=today, initial=initial)
    if form.is_bound and form.is_valid():
        injection = _injection_service(
            form,
            services.injection_log,
            prescription=rx,
            actor=request.user,
            client_token=form.cleaned_data["client_token"],
            request=request,
        )
        if injection is not None:
            messages.success(request, _logged_message(injection))
            return redirect("home")
    return render(
        request,
        "schedules/log.html",
        {
            "form": form,
            "rx": rx,
            "context": context,
            "site_options": _site_options(form, context.sites),
        },
        status=_status(form),
    )


def _injection_service(
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
    """The full explanation goes above the form with the confirm box; a short note by the date."""
    form.too_soon = error.messages[0]
    form.add_error(
        "given_on",
        "This is too close to another injection. Change the date, or tick the box above to "
        "confirm you had it.",
    )


def _own_injection(request: HttpRequest, injection_id: int) -> Injection:
    injection = selectors.injection_for_patient(patient=request.user, injection_id=injection_id)
    if injection is None:
        raise Http404
    return injection


def _already_changed(request: HttpRequest, injection: Injection) -> HttpResponse:
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
def injection_correct(request: HttpRequest, injection_id: int) -> HttpResponse:
    injection = _own_injection(request, injection_id)
    if not _changeable(injection):
        return _already_changed(request, injection)
    today = _today(request)
    names = ("given_on", "given_at", "site", "given_by", "dose_mcg", "lot", "expiry", "notes")
    form = CorrectionForm(
        request.POST or None,
        route=injection.route,
        today=today,
        initial={name: getattr(injection, name) for name in names},
    )
    if form.is_bound and form.is_valid():
        replacement = _injection_service(
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
            return redirect("schedules:history")
    uses = selectors.site_uses(patient=request.user, route=injection.route)
    return render(
        request,
        "schedules/correct.html",
        {"form": form, "injection": injection, "site_options": _site_options(form, uses)},
        status=_status(form),
    )


@patient_required
def injection_void(request: HttpRequest, injection_id: int) -> HttpResponse:
    injection = _own_injection(request, injection_id)
    if not _changeable(injection):
        return _already_changed(request, injection)
    form = VoidForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.injection_void(
                injection=injection,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Voided. The entry stays in your history, marked as void.")
            return redirect("schedules:history")
    return render(
        request,
        "schedules/void.html",
        {"form": form, "injection": injection},
        status=_status(form),
    )


# --- schedule, history, appointment ---------------------------------------------------------


def _month(value: str, today: date) -> date:
    """The month asked for as ?month=YYYY-MM; this month when absent or malformed."""
    try:
        year, month = (int(part) for part in value.split("-"))
        if 1900 <= year <= 2200:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


@patient_required
def schedule(request: HttpRequest) -> HttpResponse:
    rx = selectors.active_prescription(patient=request.user)
    if rx is None:
        return _no_prescription(request)
    today = _today(request)
    month = _month(request.GET.get("month", ""), today)
    plan = selectors.schedule_for(prescription=rx, today=today)
    return render(
        request,
        "schedules/schedule.html",
        {
            "plan": plan,
            "month": month,
            "weeks": selectors.month_weeks(plan.entries, month, today),
            "previous_month": selectors.shift_month(month, -1),
            "next_month": selectors.shift_month(month, 1),
            "today": today,
        },
    )


def _entry_names(injections: list[Injection]) -> None:
    """Give each entry a name for its Correct and Void links that no other entry shares."""
    seen: dict[str, int] = defaultdict(int)
    for injection in reversed(injections):  # oldest first, so numbering follows the day
        parts = [f"{injection.given_on.day} {injection.given_on:%b %Y}"]
        if injection.given_at:
            parts.append(f"{injection.given_at:%H:%M}")
        if injection.site:
            parts.append(injection.get_site_display().lower())
        name = ", ".join(parts)
        seen[name] += 1
        if seen[name] > 1:
            name += f" (entry {seen[name]} of that day)"
        injection.entry_name = name


@patient_required
def history(request: HttpRequest) -> HttpResponse:
    injections = list(selectors.injection_history(patient=request.user))
    _entry_names(injections)
    return render(request, "schedules/history.html", {"injections": injections})


@patient_required
def appointment(request: HttpRequest) -> HttpResponse:
    rx = selectors.active_prescription(patient=request.user)
    if rx is None:
        return _no_prescription(request)
    today = _today(request)
    summary = selectors.appointment_summary(prescription=rx, today=today)
    return render(
        request,
        "schedules/appointment.html",
        {"summary": summary, "regimen": regimens.REGIMENS.get(rx.regimen_slug), "today": today},
    )
