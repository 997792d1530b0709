"""Session URLs: confirming it's you, signing out everywhere and changing the email address."""

from django.urls import URLPattern, path

from . import views_sessions

urlpatterns: list[URLPattern] = [
    path("confirm/", views_sessions.reauth, name="reauth"),
]
