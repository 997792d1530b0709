"""The schedule page: a month calendar and the list of every dose and extra injection.

The month comes from ?month=YYYY-MM, this month when absent or malformed.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import AuthedRequest, patient_required
from schedules import selectors

from .helpers import no_prescription, patient_today


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
def schedule(request: AuthedRequest) -> HttpResponse:
    rx = selectors.active_prescription(patient=request.user)
    if rx is None:
        return no_prescription(request)
    today = patient_today(request)
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
