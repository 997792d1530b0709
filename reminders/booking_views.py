"""The page behind a booking reminder's "Tell us the date you booked" link: no login, the
signed token is the authority for this one dose's appointment, and nothing else is shown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core.forms import submitted
from schedules.forms.appointments import AppointmentForm
from schedules.models import Appointment

from .answers import tokens
from .bookings import booking_answer, booking_answerable


def _problem(request: HttpRequest, problem: tokens.LinkProblem) -> HttpResponse:
    bad = (tokens.LinkProblem.TAMPERED, tokens.LinkProblem.WRONG_ACTION)
    status = 400 if problem.reason_code in bad else 410
    return render(request, "reminders/answer_problem.html", {"problem": problem}, status=status)


@never_cache
def answer_booked(request: HttpRequest, token: str) -> HttpResponse:
    try:
        answerable = booking_answerable(token)
    except tokens.LinkProblem as problem:
        return _problem(request, problem)
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
