"""Carer and dependent URLs, under /care/."""

from django.urls import path

from . import views, views_dependents, views_log

app_name = "carers"
urlpatterns = [
    # The patient's carers.
    path("my-carers/", views.my_carers, name="my_carers"),
    path("my-carers/<int:link_id>/", views.carer_edit, name="carer_edit"),
    path("my-carers/<int:link_id>/remove/", views.carer_revoke, name="carer_revoke"),
    # The invitation's link.
    path("invitation/<str:token>/", views.accept_invite, name="accept_invite"),
    # The carer's side.
    path("people/", views.caring_for, name="caring_for"),
    path("people/<int:link_id>/", views.patient_overview, name="patient_overview"),
    path("people/<int:link_id>/log/", views_log.log_injection, name="log_injection"),
    path("people/<int:link_id>/leave/", views.carer_leave, name="carer_leave"),
    # Dependents.
    path("dependents/add/", views_dependents.dependent_add, name="dependent_add"),
    path("dependents/<int:dependent_id>/switch/", views_dependents.switch, name="switch"),
    path("dependents/switch-back/", views_dependents.switch_back, name="switch_back"),
]
