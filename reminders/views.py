"""Staff-only operations pages: the system status page."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .selectors import worker_status


@staff_member_required(login_url="accounts:login")
def system_status(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(request, "reminders/status.html", {"status": worker_status(now=now), "now": now})
