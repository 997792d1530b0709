"""The calendar feed and the FHIR exchange."""

from django.urls import URLPattern

app_name = "interop"

urlpatterns: list[URLPattern] = []
