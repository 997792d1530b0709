"""The prescription pages: the new-prescription wizard with its live preview, the checklist
page, changing the details and stopping it."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.access import AuthedRequest, patient_required
from core.forms import attach_errors, submitted
from schedules import engine, regimens, selectors, services
from schedules.forms import CUSTOM, PrescriptionEditForm, PrescriptionForm, RegimenForm, StopForm
from schedules.models import Prescription
from schedules.selectors.wizard import WizardPreview, wizard_preview
from schedules.services.joining import prescription_plan_input

from .helpers import patient_today, prescription_required, status_code


def _already_active(request: AuthedRequest) -> HttpResponse:
    messages.info(request, "Your prescription is saved. To change it, use “Change details”.")
    return redirect("schedules:prescription")


@patient_required
def prescription_new(request: AuthedRequest) -> HttpResponse:
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
        status=status_code(form),
    )


def _wizard_initial(slug: str, today: date) -> dict[str, object]:
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


def _preview_context(form: PrescriptionForm, today: date) -> dict[str, object]:
    """The wizard's preview, planned from what the service would save (or the errors)."""
    context: dict[str, object] = {"form": form, "preview": None, "today": today}
    # The nerve-symptoms question changes no date: the dates are shown beside it.
    if not form.is_valid() and set(form.errors) - {"neuro"}:
        return context
    try:
        plan_input = prescription_plan_input(**form.plan_args(), today=today)
        preview = wizard_preview(
            phases=plan_input.specs,
            start=plan_input.start,
            given=plan_input.given,
            ticked=form.cleaned_data["taken"],
            today=today,
        )
    except ValidationError as error:
        attach_errors(form, error)
        return context
    except engine.EngineError as error:
        form.add_error(None, str(error))
        return context
    return context | {
        "preview": preview.upcoming,
        "wizard": preview,
        "ticked": set(form.cleaned_data["taken"]),
    }


def _needs_answer(form: PrescriptionForm, context: dict[str, object]) -> bool:
    """Past dates the patient has not been asked about yet: ask before saving."""
    preview = context.get("wizard")
    if not isinstance(preview, WizardPreview) or not preview.past:
        return False
    if set(preview.past) <= form.reviewed():
        return False
    form.add_error(
        None,
        "Some dates of this plan are already past. Tick the ones you had, then save again: "
        "the others are recorded as missed.",
    )
    return True


@patient_required
def prescription_details(request: AuthedRequest) -> HttpResponse:
    slug = request.POST.get("regimen") or request.GET.get("regimen", "")
    regimen = regimens.REGIMENS.get(slug)
    if regimen is None and slug != CUSTOM:
        return redirect("schedules:prescription_new")
    if selectors.active_prescription(patient=request.user):
        return _already_active(request)
    today = patient_today(request)
    form = PrescriptionForm(
        request.POST or None, regimen=slug, initial=_wizard_initial(slug, today)
    )
    context: dict[str, object] = {"form": form, "regimen": regimen, "preview": None}
    if form.is_bound:
        context |= _preview_context(form, today)
    saving = form.is_bound and "preview" not in request.POST
    if saving and form.is_valid() and not _needs_answer(form, context):
        created = submitted(
            form,
            lambda: services.prescription_create(
                patient=request.user,
                actor=request.user,
                request=request,
                today=today,
                **form.create_args(),
            ),
        )
        if created is not None:
            messages.success(request, _saved_message(created))
            return redirect("schedules:prescription")
    return render(request, "schedules/prescription_form.html", context, status=status_code(form))


def _saved_message(rx: Prescription) -> str:
    text = "Your prescription is saved and your doses are planned."
    if rx.joined_stage != "start":
        text += (
            f" Your last injection ({rx.start_date:%-d %b %Y}) is in your history. To add the "
            "ones before it, use “Add past injections” on your history page."
        )
    return text


@patient_required
def prescription_preview(request: AuthedRequest) -> HttpResponse:
    """The live preview of first dates (htmx swaps it in as the wizard's fields change)."""
    slug = request.GET.get("regimen", "")
    if slug not in regimens.REGIMENS and slug != CUSTOM:
        raise Http404
    form = PrescriptionForm(request.GET, regimen=slug)
    context = _preview_context(form, patient_today(request))
    return render(request, "schedules/includes/preview.html", context)


@patient_required
@prescription_required
def prescription(request: AuthedRequest, rx: Prescription) -> HttpResponse:
    today = patient_today(request)
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


def _edit_initial(rx: Prescription) -> dict[str, object]:
    initial = {name: getattr(rx, name) for name in services.DETAIL_FIELDS}
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
@prescription_required
def prescription_edit(request: AuthedRequest, rx: Prescription) -> HttpResponse:
    form = PrescriptionEditForm(
        request.POST or None, initial=_edit_initial(rx), regimen=rx.regimen_slug
    )
    if form.is_bound and form.is_valid():
        summary = submitted(
            form,
            lambda: services.prescription_update(
                prescription=rx,
                actor=request.user,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
                request=request,
            ),
        )
        if summary is not None:
            messages.success(request, _change_message(form, summary))
            return redirect("schedules:prescription")
    return render(
        request,
        "schedules/prescription_edit.html",
        {"form": form, "rx": rx},
        status=status_code(form),
    )


@patient_required
def prescription_stop(request: AuthedRequest, prescription_id: int) -> HttpResponse:
    """Confirm, with a reason, then stop: the wizard opens again for the right prescription."""
    rx = selectors.prescription_for_patient(patient=request.user, prescription_id=prescription_id)
    if rx is None:
        raise Http404
    if rx.status != Prescription.Status.ACTIVE:
        messages.info(request, "That prescription was already stopped; nothing done.")
        return redirect("schedules:prescription_new")
    form = StopForm(request.POST or None)
    if form.is_bound and form.is_valid():
        stopped = submitted(
            form,
            lambda: services.prescription_stop(
                prescription=rx,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            ),
        )
        if stopped is not None:
            messages.success(
                request,
                "Your prescription is stopped. Its injections stay in your history. "
                "Now set up the new one.",
            )
            return redirect("schedules:prescription_new")
    return render(
        request,
        "schedules/prescription_stop.html",
        {"form": form, "rx": rx},
        status=status_code(form),
    )
