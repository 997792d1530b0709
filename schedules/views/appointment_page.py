"""The before-your-appointment page: the regimen, adherence so far, the late and missed
doses, and questions to ask, built from the record."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import AuthedRequest, patient_required
from schedules import regimens, selectors
from schedules.models import Prescription

from .helpers import patient_today, prescription_required


@patient_required
@prescription_required
def appointment(request: AuthedRequest, rx: Prescription) -> HttpResponse:
    today = patient_today(request)
    summary = selectors.appointment_summary(prescription=rx, today=today)
    return render(
        request,
        "schedules/appointment.html",
        {"summary": summary, "regimen": regimens.REGIMENS.get(rx.regimen_slug), "today": today},
    )
