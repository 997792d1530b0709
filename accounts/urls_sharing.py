"""The patient's sharing URLs: ask a clinician to see the record, and withdraw the request."""

from django.urls import URLPattern, path

from . import views_sharing

urlpatterns: list[URLPattern] = [
    path("care-team/share/", views_sharing.share, name="share"),
    path(
        "care-team/requests/<int:link_id>/withdraw/",
        views_sharing.share_withdraw,
        name="share_withdraw",
    ),
]
