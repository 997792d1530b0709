"""Monitoring's patient pages, mounted under /me/ beside the schedule's."""

from django.urls import URLPattern

app_name = "monitoring"

urlpatterns: list[URLPattern] = []
