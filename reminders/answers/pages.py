"""What every page behind a reminder's signed link shares (the one-tap answers and the booking
answer): no login, throttled, never cached, sent with no referrer and not indexed.

No CSRF check: the request carries no session or cookie that grants anything, the token in
the address is the whole authority, and a page sent with no referrer makes browsers post with
`Origin: null`, which the check would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import tokens
from .throttle import over_limit

TokenView = Callable[[HttpRequest, str], HttpResponse]

# What each problem answers with: a used link is no error, only news.
PROBLEM_STATUS = {
    tokens.LinkProblem.TAMPERED: 400,
    tokens.LinkProblem.WRONG_ACTION: 400,
    tokens.LinkProblem.UNKNOWN: 404,
    tokens.LinkProblem.EXPIRED: 410,
    tokens.LinkProblem.CLOSED: 410,
    tokens.LinkProblem.NO_REMINDER: 410,
    tokens.LinkProblem.USED: 200,
    tokens.LinkProblem.SNOOZED: 200,
}
TITLES = {
    tokens.LinkProblem.USED: "Already answered",
    tokens.LinkProblem.SNOOZED: "Already snoozed",
    tokens.LinkProblem.EXPIRED: "This link has expired",
    tokens.LinkProblem.CLOSED: "Nothing to answer",
    tokens.LinkProblem.NO_REMINDER: "We cannot remind you later",
}


def private(response: HttpResponse) -> HttpResponse:
    """The token is in the address: it must not leak through a referrer or a search index."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    return private(render(request, f"reminders/{template}", context, status=status))


def problem_page(request: HttpRequest, problem: tokens.LinkProblem) -> HttpResponse:
    title = TITLES.get(problem.reason_code, "This link cannot be used")
    context = {"problem": problem, "title": title}
    return page(request, "answer_problem.html", context, PROBLEM_STATUS[problem.reason_code])


def token_page(view: TokenView) -> Callable[..., HttpResponse]:
    """A page behind a signed link: GET or POST, throttled per client address, never cached,
    private; a LinkProblem the view raises shows the problem page (the view has written
    nothing by then: services raise before their transaction commits)."""

    @wraps(view)
    @csrf_exempt
    @never_cache
    @require_http_methods(["GET", "POST"])
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        if over_limit(request):
            return page(request, "answer_throttled.html", {"title": "Too many attempts"}, 429)
        try:
            return private(view(request, token))
        except tokens.LinkProblem as problem:
            return problem_page(request, problem)

    return wrapped
