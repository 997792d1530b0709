"""The patient's own pages, under /me/; each shows only the logged-in patient's records.

The patient home page is served at / by b12tracker.views.home, which calls views.home.
"""

from django.urls import path

from . import views
from .views import appointment_page, backfill_pages, past_pages
from .views.record_pages import record, record_csv

app_name = "schedules"
urlpatterns = [
    path("about/", views.about, name="about"),
    path("prescription/", views.prescription, name="prescription"),
    path("prescription/new/", views.prescription_new, name="prescription_new"),
    path("prescription/new/details/", views.prescription_details, name="prescription_details"),
    path("prescription/new/preview/", views.prescription_preview, name="prescription_preview"),
    path("prescription/edit/", views.prescription_edit, name="prescription_edit"),
    path(
        "prescription/<int:prescription_id>/stop/",
        views.prescription_stop,
        name="prescription_stop",
    ),
    path("prescriptions/past/", past_pages.past_list, name="past_prescriptions"),
    path("prescriptions/<int:prescription_id>/", past_pages.past_detail, name="past_prescription"),
    path("log/", views.injection_log, name="injection_log"),
    path("schedule/", views.schedule, name="schedule"),
    path("history/", views.history, name="history"),
    path("history/backfill/", backfill_pages.injection_backfill, name="injection_backfill"),
    path("history/<int:injection_id>/correct/", views.injection_correct, name="injection_correct"),
    path("history/<int:injection_id>/void/", views.injection_void, name="injection_void"),
    path("record/", record, name="record"),
    path("record.csv", record_csv, name="record_csv"),
    path("appointment/", views.appointment, name="appointment"),
    path("appointment/booking/", appointment_page.appointment_booking, name="appointment_booking"),
    path(
        "appointment/<int:appointment_id>/cancel/",
        appointment_page.appointment_cancelling,
        name="appointment_cancel",
    ),
]
