"""The patient's "Your tests and reviews" page: the blood tests and reviews planned for them,
when each is due, and which are done."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import AuthedRequest, patient_required
from core.clock import local_today
from monitoring import plan


@patient_required
def tests(request: AuthedRequest) -> HttpResponse:
    today = local_today(request.user)
    items = []
    for item in plan.plan_for_patient(patient=request.user):
        status = plan.item_status(item, today)
        items.append({"item": item, "status": status, "word": plan.STATUS_WORDS[status]})
    context = {
        "items": items,
        "today": today,
        "due_within": plan.DUE_WITHIN_DAYS,
        "remind_days": plan.REMIND_DAYS_BEFORE,
    }
    return render(request, "monitoring/tests.html", context)
