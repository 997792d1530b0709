"""The page behind a booking reminder's "Tell us the date you booked" link: no login, the
signed token is the authority for this one dose's appointment, and nothing else is shown.

Like the one-tap answer pages it is a `pages.token_page` (throttled, never cached, no
referrer, no CSRF check). Unlike them, the link can be used again while the dose is open, to
change the date."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.forms import submitted
from schedules.forms.appointments import AppointmentForm
from schedules.models import Appointment

from .answers.pages import token_page
from .bookings import booking_answer, booking_answerable


@token_page
def answer_booked(request: HttpRequest, token: str) -> HttpResponse:
    answerable = booking_answerable(token)
    dose = answerable.dose
    current = Appointment.objects.live().filter(dose=dose).first()
    initial = {"on": current.on, "at": current.at, "place": current.place} if current else {}
    form = AppointmentForm(request.POST if request.method == "POST" else None, initial=initial)
    booked = None
    if form.is_valid():
        values = form.values()
        booked = submitted(
            form, lambda: booking_answer(answerable=answerable, request=request, **values)
        )
    context = {"form": form, "dose": dose, "current": current, "booked": booked}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "reminders/booking_answer.html", context, status=status)
