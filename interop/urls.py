"""The calendar feed (the patient's page under /me/ and the secret feed address) and the
patient's FHIR export, a clinician's FHIR import into a linked patient's draft
prescription, and the patient's leaving pages (download everything, close the account)."""

from django.urls import path

from .export_views import fhir_export, fhir_export_patient
from .import_views import fhir_import, fhir_import_draft
from .leaving_views import close_account, download_everything
from .views import (
    calendar_create,
    calendar_page,
    calendar_revoke,
    calendar_rotate,
    calendar_settings,
    feed,
)

app_name = "interop"

urlpatterns = [
    path("me/calendar/", calendar_page, name="calendar"),
    path("me/calendar/create/", calendar_create, name="calendar_create"),
    path("me/calendar/settings/", calendar_settings, name="calendar_settings"),
    path("me/calendar/rotate/", calendar_rotate, name="calendar_rotate"),
    path("me/calendar/stop/", calendar_revoke, name="calendar_revoke"),
    path("calendar/<slug:token>.ics", feed, name="feed"),
    path("me/export/fhir.json", fhir_export, name="fhir_export"),
    path("me/leaving/download/", download_everything, name="download_everything"),
    path("me/leaving/close/", close_account, name="close_account"),
    path(
        "clinic/patients/<int:patient_id>/fhir.json",
        fhir_export_patient,
        name="fhir_export_patient",
    ),
    path("clinic/patients/<int:patient_id>/fhir-import/", fhir_import, name="fhir_import"),
    path(
        "clinic/patients/<int:patient_id>/fhir-import/<int:draft_id>/",
        fhir_import_draft,
        name="fhir_import_draft",
    ),
]
