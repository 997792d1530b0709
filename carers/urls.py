"""Placeholder: the carer and dependent URLs are added here in this change."""

from django.urls import URLPattern

app_name = "carers"
urlpatterns: list[URLPattern] = []
