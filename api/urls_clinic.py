"""Clinician endpoints: /api/v1/clinic/… (names in the `api` namespace, prefixed `clinic_`)."""

urlpatterns: list[object] = []
