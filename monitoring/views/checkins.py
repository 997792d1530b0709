"""The patient's symptoms page: today's check-in (or a past day's, to edit), the list of past
check-ins, the chart of when symptoms return, and how often to be asked."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import AuthedRequest, patient_required
from core.clock import local_today
from core.forms import submitted
from monitoring import checkins
from monitoring.checkin_forms import CheckInForm, CheckInPlanForm, initial_from


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _page(
    request: AuthedRequest, form: CheckInForm, plan_form: CheckInPlanForm | None = None
) -> HttpResponse:
    data = checkins.checkin_page(
        patient=request.user,
        page=request.GET.get("page"),
        # Today's check-in, if there is one, opens with its answers: a second check-in the
        # same day changes it, so the patient must see what they are changing.
        editing=_day(request.GET.get("on")) or local_today(request.user),
        done=_day(request.GET.get("saved")),
    )
    if not form.is_bound and data.editing is not None:
        form.initial = initial_from(data.editing)
    plan_form = plan_form or CheckInPlanForm(
        initial={
            "every_days": data.plan.every_days,
            "closer_before_dose": data.plan.closer_before_dose,
        }
    )
    bound = form.is_bound or plan_form.is_bound
    errors = bool(form.errors or plan_form.errors)
    context = {"form": form, "plan_form": plan_form, "data": data}
    return render(
        request, "monitoring/checkins.html", context, status=400 if bound and errors else 200
    )


@patient_required
def checkin_page(request: AuthedRequest) -> HttpResponse:
    today = local_today(request.user)
    form = CheckInForm(request.POST or None, today=today, initial={"on": today})
    if request.method == "POST" and form.is_valid():
        saved = submitted(
            form,
            lambda: checkins.checkin_save(
                patient=request.user,
                actor=request.user,
                on=form.cleaned_data["on"],
                values=form.values(),
                today=today,
                request=request,
            ),
        )
        if saved is not None:
            day = saved.checkin.on
            messages.success(request, f"Check-in saved for {day:%A %-d %B}.")
            return redirect(f"{reverse('monitoring:checkins')}?saved={day.isoformat()}")
    return _page(request, form)


@require_POST
@patient_required
def checkin_plan(request: AuthedRequest) -> HttpResponse:
    form = CheckInPlanForm(request.POST)
    if form.is_valid():
        checkins.checkin_plan_set(
            patient=request.user,
            every_days=form.cleaned_data["every_days"],
            closer_before_dose=form.cleaned_data["closer_before_dose"],
            request=request,
        )
        messages.success(request, "Saved: how often we ask you to check in.")
        return redirect("monitoring:checkins")
    today = local_today(request.user)
    return _page(request, CheckInForm(today=today, initial={"on": today}), form)
