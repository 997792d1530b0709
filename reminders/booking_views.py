"""The page behind a booking reminder's "Tell us the date you booked" link: no login, the
signed token is the authority for this one dose's appointment, and nothing else is shown.

Like the one-tap answer pages (answers/views.py): throttled, never cached, no referrer, no
CSRF check (the token in the address is the whole authority). Unlike them, the link can be
used again while the dose is open, to change the date."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.forms import submitted
from schedules.forms.appointments import AppointmentForm
from schedules.models import Appointment

from .answers import tokens
from .answers.throttle import over_limit
from .answers.views import problem_page
from .bookings import booking_answer, booking_answerable


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def answer_booked(request: HttpRequest, token: str) -> HttpResponse:
    if over_limit(request):
        context: dict[str, object] = {"title": "Too many attempts"}
        return _private(render(request, "reminders/answer_throttled.html", context, status=429))
    try:
        answerable = booking_answerable(token)
    except tokens.LinkProblem as problem:
        return problem_page(request, problem)
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
    return _private(render(request, "reminders/booking_answer.html", context, status=status))
