"""Session URLs: confirming it's you, signing out everywhere and changing the email address."""

from django.urls import URLPattern, path

from . import views_sessions

urlpatterns: list[URLPattern] = [
    path("confirm/", views_sessions.reauth, name="reauth"),
    path("sign-out-everywhere/", views_sessions.sign_out_everywhere, name="sign_out_everywhere"),
    path("email/", views_sessions.email_change, name="email_change"),
    path(
        "email/confirm/<str:token>/",
        views_sessions.email_change_confirm,
        name="email_change_confirm",
    ),
]
