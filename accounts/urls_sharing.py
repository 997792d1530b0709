"""Placeholder: this part's account URLs are added here in this change."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
