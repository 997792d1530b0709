"""The patient's start page (served at / by b12tracker.views.home) and the about page.

The start page shows the next dose, the phase progress and any care-link invitations.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts import selectors as account_selectors
from accounts.access import AuthedRequest, patient_required
from accounts.models import CareLink
from core.cache import cache_key, remember
from schedules import selectors
from schedules.selectors.past import has_stopped

from .helpers import form_token, patient_today


@patient_required
def home(request: AuthedRequest) -> HttpResponse:
    """The patient's start page (served at / by b12tracker.views.home)."""
    today = patient_today(request)
    links = list(account_selectors.links_for_patient(patient=request.user))
    rx = selectors.active_prescription(patient=request.user)
    # The patient, the prescription (a restored database reuses ids, not creation instants),
    # its revision and the day: everything the summary and the cached banners depend on.
    key = (
        ("home", request.user.pk, rx.pk, rx.created_at.timestamp(), rx.revision, today)
        if rx is not None
        else ()
    )
    summary = (
        remember(
            key,
            lambda: selectors.home_summary(patient=request.user, today=today, prescription=rx),
        )
        if rx is not None
        else None
    )
    return render(
        request,
        "schedules/home.html",
        {
            "summary": summary,
            "page_key": cache_key(*key),
            "today": today,
            # Only without an active prescription: whether it was stopped, or never recorded.
            "stopped": rx is None and has_stopped(patient=request.user),
            "token": form_token(),
            "profile": request.user.patient_profile,
            "pending": [link for link in links if link.status == CareLink.Status.PENDING],
            "active": [link for link in links if link.status == CareLink.Status.ACTIVE],
        },
    )


@patient_required
def about(request: AuthedRequest) -> HttpResponse:
    return render(request, "schedules/about.html")
