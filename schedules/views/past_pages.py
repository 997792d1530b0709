"""The past-prescriptions pages: the patient's stopped prescriptions, and one of their own
prescriptions with its doses and injections, read only."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts.access import AuthedRequest, patient_required
from schedules.selectors.past import past_prescription, past_prescriptions

from .helpers import patient_today


@patient_required
def past_list(request: AuthedRequest) -> HttpResponse:
    past = past_prescriptions(patient=request.user, today=patient_today(request))
    return render(request, "schedules/past_list.html", {"past": past})


@patient_required
def past_detail(request: AuthedRequest, prescription_id: int) -> HttpResponse:
    today = patient_today(request)
    detail = past_prescription(patient=request.user, prescription_id=prescription_id, today=today)
    if detail is None:
        raise Http404
    return render(request, "schedules/past_detail.html", {"detail": detail, "today": today})
