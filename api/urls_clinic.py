"""Clinician endpoints: /api/v1/clinic/… (names in the `api` namespace, prefixed `clinic_`)."""

from django.urls import path

from .views import clinic

urlpatterns = [
    path("patients/", clinic.PatientList.as_view(), name="clinic_patients"),
    path("patients/<int:patient_id>/", clinic.PatientDetail.as_view(), name="clinic_patient"),
    path("flags/", clinic.FlagList.as_view(), name="clinic_flags"),
    path(
        "flags/<int:flag_id>/acknowledge/",
        clinic.FlagAcknowledge.as_view(),
        name="clinic_flag_acknowledge",
    ),
    path("flags/<int:flag_id>/resolve/", clinic.FlagResolve.as_view(), name="clinic_flag_resolve"),
]
