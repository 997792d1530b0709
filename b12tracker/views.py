"""The one address everyone starts from: each role lands on its own start page.

It lives in the project package because it routes to pages of several apps.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import Role
from schedules.views import home as patient_home


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return render(request, "home_anonymous.html")
    if user.role == Role.CLINICIAN:
        return redirect("clinic:patients")
    if user.role == Role.PATIENT:
        return patient_home(request)
    return render(request, "home_staff.html")
