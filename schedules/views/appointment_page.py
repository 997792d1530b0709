"""The before-your-appointment page: the regimen, adherence so far, the late and missed
doses, and questions to ask, built from the record; for nurse-given doses, the nurse
appointment booked for the next one, with its book, change and cancel actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AuthedRequest, patient_required
from core.forms import submitted
from schedules import regimens, selectors
from schedules.forms.appointments import AppointmentForm
from schedules.models import Appointment, Dose, GivenBy, Prescription
from schedules.selectors.booked import Booking, booking_of
from schedules.services.appointments import appointment_book, appointment_cancel

from .helpers import patient_today, prescription_required, status_code


def _page(
    request: AuthedRequest, rx: Prescription, form: AppointmentForm | None = None
) -> HttpResponse:
    today = patient_today(request)
    summary = selectors.appointment_summary(prescription=rx, today=today)
    context: dict[str, object] = {
        "summary": summary,
        "regimen": regimens.REGIMENS.get(rx.regimen_slug),
        "today": today,
    }
    if rx.given_by == GivenBy.NURSE:
        dose = selectors.next_dose(prescription=rx, today=today)
        booking = booking_of(dose) if dose else None
        if form is None and dose is not None:
            initial = (
                {"on": booking.on, "at": booking.at, "place": booking.place} if booking else {}
            )
            form = AppointmentForm(initial=initial)
        context |= {"next": dose, "booking": booking, "form": form}
    return render(
        request,
        "schedules/appointment.html",
        context,
        status=status_code(form) if form is not None else 200,
    )


@patient_required
@prescription_required
def appointment(request: AuthedRequest, rx: Prescription) -> HttpResponse:
    return _page(request, rx)


@require_POST
@patient_required
@prescription_required
def appointment_booking(request: AuthedRequest, rx: Prescription) -> HttpResponse:
    """Record or change the nurse appointment of the dose the page showed."""
    dose = Dose.objects.filter(pk=_dose_id(request), prescription=rx).first()
    if dose is None:
        raise Http404
    form = AppointmentForm(request.POST)
    if form.is_valid():
        values = form.values()
        booked = submitted(
            form,
            lambda: appointment_book(dose=dose, actor=request.user, request=request, **values),
        )
        if booked is not None:
            messages.success(request, f"Saved: your nurse appointment is on {booked.on:%A %-d %B}.")
            return redirect("schedules:appointment")
    return _page(request, rx, form)


@require_POST
@patient_required
def appointment_cancelling(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    booked = get_object_or_404(
        Appointment.objects.live(), pk=appointment_id, prescription__patient=request.user
    )
    appointment_cancel(appointment=booked, actor=request.user, request=request)
    messages.success(
        request,
        f"Cancelled the appointment of {booked.on:%-d %B}. We will remind you to book again.",
    )
    return redirect("schedules:appointment")


def _initial(booking: Booking | None) -> dict[str, object]:
    return {"on": booking.on, "at": booking.at, "place": booking.place} if booking else {}


def _dose_id(request: AuthedRequest) -> int:
    try:
        return int(request.POST.get("dose", ""))
    except ValueError:
        raise Http404 from None
