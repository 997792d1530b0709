"""The pages behind a reminder's one-tap links: no login, the signed token is the authority for
its one action only, and nothing else about the patient is shown. Opening a link changes
nothing (mail scanners open links too); only the button on the page answers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.clock import local_today
from core.forms import attach_errors
from schedules.selectors import site_uses

from . import services, tokens
from .forms import TakenForm
from .throttle import over_limit

LinkView = Callable[[HttpRequest, tokens.Answerable], HttpResponse]

# What each problem answers with: a used link is no error, only news.
PROBLEM_STATUS = {
    tokens.LinkProblem.TAMPERED: 400,
    tokens.LinkProblem.WRONG_ACTION: 400,
    tokens.LinkProblem.UNKNOWN: 404,
    tokens.LinkProblem.EXPIRED: 410,
    tokens.LinkProblem.CLOSED: 410,
    tokens.LinkProblem.USED: 200,
    tokens.LinkProblem.SNOOZED: 200,
}
TITLES = {
    tokens.LinkProblem.USED: "Already answered",
    tokens.LinkProblem.SNOOZED: "Already snoozed",
    tokens.LinkProblem.EXPIRED: "This link has expired",
    tokens.LinkProblem.CLOSED: "Nothing to answer",
}


def _private(response: HttpResponse) -> HttpResponse:
    """The token is in the address: it must not leak through a referrer or a search index."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    return _private(render(request, f"reminders/{template}", context, status=status))


def problem_page(request: HttpRequest, problem: tokens.LinkProblem) -> HttpResponse:
    title = TITLES.get(problem.reason_code, "This link cannot be used")
    context = {"problem": problem, "title": title}
    return _page(request, "answer_problem.html", context, PROBLEM_STATUS[problem.reason_code])


def answer_link(action: str) -> Callable[[LinkView], Callable[..., HttpResponse]]:
    """A page behind a signed link for `action`: throttled, never cached, and shown only for a
    token that reads; any other shows the problem and changes nothing.

    No CSRF check: the request carries no session or cookie that grants anything, the token
    in the address is the whole authority, and a page sent with no referrer makes browsers
    post with `Origin: null`, which the check would refuse."""

    def decorator(view: LinkView) -> Callable[..., HttpResponse]:
        @wraps(view)
        @csrf_exempt
        @never_cache
        @require_http_methods(["GET", "POST"])
        def wrapped(request: HttpRequest, token: str) -> HttpResponse:
            if over_limit(request):
                title: dict[str, object] = {"title": "Too many attempts"}
                return _page(request, "answer_throttled.html", title, 429)
            try:
                answerable = tokens.read(token, action)
                return view(request, answerable)
            except tokens.LinkProblem as problem:
                return problem_page(request, problem)

        return wrapped

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
            return _page(request, "answer_done.html", {"title": "Logged", "answer": answer})
    context = {
        "title": "Had your injection?",
        "dose": dose,
        "today": today,
        "form": form,
        "too_early": today < dose.earliest,
        "suggested": suggested,
    }
    return _page(request, "answer_taken.html", context, 400 if form.is_bound else 200)


@answer_link("later")
def answer_later(request: HttpRequest, answerable: tokens.Answerable) -> HttpResponse:
    dose = answerable.dose
    if request.method == "POST":
        answer = services.snooze_answer(asked=_asked(answerable), request=request)
        return _page(request, "answer_done.html", {"title": "We will remind you", "answer": answer})
    until = min(timezone.now() + services.SNOOZE, services.window_end(dose, answerable.patient))
    context = {
        "title": "Remind me later",
        "dose": dose,
        "until": until,
        "zone": answerable.patient.patient_profile.time_zone,
    }
    return _page(request, "answer_later.html", context)
