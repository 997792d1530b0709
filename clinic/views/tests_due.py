"""The clinician's tests-due list across their patients, and the patient's monitoring plan as
the clinician edits it: add a test or review, move it, mark it done, cancel it (audited)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import AuthedRequest, clinician_required
from clinic.plan_forms import PlanItemChangeForm, PlanItemDoneForm, PlanItemForm
from clinic.selectors import tests_due as reads
from core.forms import submitted
from monitoring import plan
from monitoring.models import PlanItem
from schedules.models import Prescription

from .common import detail_url, patient_of
from .patient import render_patient


@clinician_required
def tests_due(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    page = reads.tests_due_page(
        clinician=request.user,
        now=now,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    context = {
        "page": page,
        "rows": reads.due_rows(page.items, now),
        "due_within": plan.DUE_WITHIN_DAYS,
        "overdue_after": plan.OVERDUE_AFTER_DAYS,
    }
    return render(request, "clinic/tests_due.html", context)


def _active_prescription(patient_id: int) -> Prescription:
    rx = Prescription.objects.filter(patient_id=patient_id, status="active").first()
    if rx is None:
        raise Http404
    return rx


def _item_of(patient_id: int, item_id: int) -> PlanItem:
    item = (
        PlanItem.objects.filter(pk=item_id, patient_id=patient_id)
        .select_related("patient__patient_profile", "prescription")
        .first()
    )
    if item is None:
        raise Http404
    return item


@require_POST
@clinician_required
def plan_item_add(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_of(request, patient_id)
    rx = _active_prescription(patient.pk)
    form = PlanItemForm(request.POST, auto_id="plan_%s")
    if form.is_valid():
        data = form.cleaned_data
        done = submitted(
            form,
            lambda: plan.plan_item_add(
                prescription=rx,
                what=data["what"],
                due_on=data["due_on"],
                note=data["note"],
                actor=request.user,
                request=request,
            ),
        )
        if done:
            messages.success(request, "Added to the monitoring plan.")
            return redirect(detail_url(patient))
    return render_patient(request, patient, status=400, plan_form=form)


def _item_action(
    request: AuthedRequest, patient_id: int, item_id: int, action: str
) -> HttpResponse:
    patient = patient_of(request, patient_id)
    item = _item_of(patient.pk, item_id)
    form: forms.Form
    call: Callable[[], PlanItem]
    if action == "cancel":
        form = forms.Form(request.POST)
        call = lambda: plan.plan_item_cancel(item=item, actor=request.user, request=request)  # noqa: E731
    elif action == "done":
        form = PlanItemDoneForm(request.POST, auto_id=f"plan{item.pk}_done_%s")
        call = lambda: plan.plan_item_done(  # noqa: E731
            item=item, actor=request.user, done_on=form.cleaned_data["done_on"], request=request
        )
    else:
        form = PlanItemChangeForm(request.POST, auto_id=f"plan{item.pk}_move_%s")
        call = lambda: plan.plan_item_change(  # noqa: E731
            item=item,
            due_on=form.cleaned_data["due_on"],
            note=form.cleaned_data["note"],
            actor=request.user,
            request=request,
        )
    saved = submitted(form, call) if form.is_valid() else None
    if saved is not None:
        messages.success(request, "The monitoring plan is updated.")
        return redirect(detail_url(patient))
    # The refused form goes back beside its item, with its errors beside its fields.
    form.item_id = item.pk  # type: ignore[attr-defined]
    form.action = action  # type: ignore[attr-defined]
    return render_patient(request, patient, status=400, plan_failed=form)


@require_POST
@clinician_required
def plan_item_change(request: AuthedRequest, patient_id: int, item_id: int) -> HttpResponse:
    return _item_action(request, patient_id, item_id, "change")


@require_POST
@clinician_required
def plan_item_cancel(request: AuthedRequest, patient_id: int, item_id: int) -> HttpResponse:
    return _item_action(request, patient_id, item_id, "cancel")


@require_POST
@clinician_required
def plan_item_done(request: AuthedRequest, patient_id: int, item_id: int) -> HttpResponse:
    return _item_action(request, patient_id, item_id, "done")
