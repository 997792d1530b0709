"""The pages behind a reminder's one-tap links: no login, the signed token is the authority for
its one action only, and nothing else about the patient is shown. Opening a link changes
nothing (mail scanners open links too); only the button on the page answers."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.clock import local_today
from core.forms import attach_errors
from schedules.selectors import site_uses

from . import services, tokens
from .forms import TakenForm
from .pages import page, token_page
from .snooze import snooze_plan, when_text

LinkView = Callable[[HttpRequest, tokens.Answerable], HttpResponse]


def answer_link(action: str) -> Callable[[LinkView], Callable[..., HttpResponse]]:
    """A page behind a signed link for `action` (`pages.token_page`), shown only for a token
    that reads; any other shows the problem and changes nothing."""

    def decorator(view: LinkView) -> Callable[..., HttpResponse]:
        def read_then(request: HttpRequest, token: str) -> HttpResponse:
            return view(request, tokens.read(token, action))

        read_then.__name__ = view.__name__
        read_then.__doc__ = view.__doc__
        return token_page(read_then)

    return decorator


def _asked(answerable: tokens.Answerable) -> services.Asked:
    return services.Asked(
        patient=answerable.patient,
        dose_id=answerable.dose.pk,
        notification_id=answerable.row.pk,
        nonce=answerable.nonce,
        via=answerable.row.channel if answerable.row.channel == "push" else "link",
    )


@answer_link("taken")
def answer_taken(request: HttpRequest, answerable: tokens.Answerable) -> HttpResponse:
    dose, patient = answerable.dose, answerable.patient
    today = local_today(patient)
    prescription = dose.prescription
    sites = site_uses(patient=patient, route=prescription.route)
    suggested = next((use for use in sites if use.suggested), None)
    form = TakenForm(
        request.POST or None,
        dose=dose,
        today=today,
        sites=sites,
        initial={"given_on": min(today, dose.latest), "site": suggested.site if suggested else ""},
    )
    if form.is_bound and form.is_valid():
        try:
            answer = services.taken_answer(
                asked=_asked(answerable),
                given_on=form.cleaned_data["given_on"],
                site=form.cleaned_data["site"],
                request=request,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return page(request, "answer_done.html", {"title": "Logged", "answer": answer})
    context = {
        "title": "Had your injection?",
        "dose": dose,
        "today": today,
        "form": form,
        "too_early": today < dose.earliest,
        "suggested": suggested,
    }
    return page(request, "answer_taken.html", context, 400 if form.is_bound else 200)


@answer_link("later")
def answer_later(request: HttpRequest, answerable: tokens.Answerable) -> HttpResponse:
    dose, patient = answerable.dose, answerable.patient
    if request.method == "POST":
        answer = services.snooze_answer(asked=_asked(answerable), request=request)
        return page(request, "answer_done.html", {"title": "We will remind you", "answer": answer})
    now = timezone.now()
    plan = snooze_plan(dose, patient, now=now)  # too late: the problem page, no button
    context = {
        "title": "Remind me later",
        "dose": dose,
        "when": when_text(plan.first, patient, now=now),
    }
    return page(request, "answer_later.html", context)
