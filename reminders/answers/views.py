"""The pages behind a reminder's one-tap links: no login, the signed token is the authority for
its one action only, and nothing else about the patient is shown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import tokens


def _problem(request: HttpRequest, problem: tokens.LinkProblem) -> HttpResponse:
    status = 200 if problem.reason_code == tokens.LinkProblem.USED else 410
    if problem.reason_code in (tokens.LinkProblem.TAMPERED, tokens.LinkProblem.WRONG_ACTION):
        status = 400
    return render(request, "reminders/answer_problem.html", {"problem": problem}, status=status)


def answer_taken(request: HttpRequest, token: str) -> HttpResponse:
    try:
        answerable = tokens.read(token, "taken")
    except tokens.LinkProblem as problem:
        return _problem(request, problem)
    return render(request, "reminders/answer_taken.html", {"answerable": answerable})


def answer_later(request: HttpRequest, token: str) -> HttpResponse:
    try:
        answerable = tokens.read(token, "later")
    except tokens.LinkProblem as problem:
        return _problem(request, problem)
    return render(request, "reminders/answer_later.html", {"answerable": answerable})
