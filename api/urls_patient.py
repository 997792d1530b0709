"""Patient endpoints: /api/v1/me/… (names in the `api` namespace, prefixed `me_`)."""

from django.urls import path

from .views import patient

urlpatterns = [
    path("prescription/", patient.PrescriptionView.as_view(), name="me_prescription"),
    path("doses/", patient.DoseList.as_view(), name="me_doses"),
]
