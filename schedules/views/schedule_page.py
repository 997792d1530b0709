"""The schedule page: a month calendar and the list of doses and extra injections.

The month comes from ?month=YYYY-MM (this month when absent or malformed); the list starts
three months back, or at the start with ?list=all, and ends eight weeks ahead, or at the end
of the plan with ?ahead=all.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from accounts.access import AuthedRequest, patient_required
from core.cache import cache_key
from schedules import selectors
from schedules.models import Prescription

from .helpers import patient_today, prescription_required


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
@prescription_required
def schedule(request: AuthedRequest, rx: Prescription) -> HttpResponse:
    today = patient_today(request)
    month = _month(request.GET.get("month", ""), today)
    every = request.GET.get("list") == "all"
    ahead = request.GET.get("ahead") == "all"
    # Computed only when the template's cached fragment is missing (a new revision or day).
    plan = SimpleLazyObject(
        lambda: selectors.schedule_for(
            prescription=rx, today=today, month=month, every=every, ahead=ahead
        )
    )
    return render(
        request,
        "schedules/schedule.html",
        {
            "plan": plan,
            "month": month,
            "rx": rx,
            "weeks": SimpleLazyObject(
                lambda: selectors.month_weeks(plan.month_entries, month, today)
            ),
            "every": every,
            "ahead": ahead,
            "page_key": cache_key(
                "schedule", request.user.pk, rx.pk, rx.created_at.timestamp(), rx.revision
            ),
            "previous_month": selectors.shift_month(month, -1),
            "next_month": selectors.shift_month(month, 1),
            "today": today,
        },
    )
