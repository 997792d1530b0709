"""Monitoring's patient pages, mounted under /me/ beside the schedule's."""

from django.urls import URLPattern, path

from .views import checkins, labs, plan

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    path("tests/", plan.tests, name="tests"),
    path("symptoms/", checkins.checkin_page, name="checkins"),
    path("symptoms/plan/", checkins.checkin_plan, name="checkin_plan"),
    path("labs/", labs.labs, name="labs"),
    path("labs/add/", labs.lab_add, name="lab_add"),
    path("labs/<int:result_id>/edit/", labs.lab_edit, name="lab_edit"),
    path("labs/<slug:test>/", labs.lab_trend, name="lab_trend"),
]
