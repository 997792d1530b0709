from django.urls import path

from . import views

app_name = "clinic"
urlpatterns = [
    path("", views.patients, name="patients"),
    path("patients.csv", views.patients_csv, name="patients_csv"),
    path("invite/", views.invite, name="invite"),
    path("flags/", views.flags, name="flags"),
    path("patients/<int:patient_id>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:patient_id>/report/", views.patient_report, name="patient_report"),
    path(
        "patients/<int:patient_id>/prescription/confirm/",
        views.prescription_confirm,
        name="prescription_confirm",
    ),
    path(
        "patients/<int:patient_id>/prescription/edit/",
        views.prescription_edit,
        name="prescription_edit",
    ),
    path(
        "patients/<int:patient_id>/phases/<int:phase_id>/close/",
        views.phase_close,
        name="phase_close",
    ),
    path(
        "patients/<int:patient_id>/maintenance-interval/",
        views.interval_change,
        name="interval_change",
    ),
    path("patients/<int:patient_id>/notes/", views.note_add, name="note_add"),
    path(
        "patients/<int:patient_id>/flags/<int:flag_id>/acknowledge/",
        views.flag_acknowledge,
        name="flag_acknowledge",
    ),
    path(
        "patients/<int:patient_id>/flags/<int:flag_id>/resolve/",
        views.flag_resolve,
        name="flag_resolve",
    ),
    path(
        "patients/<int:patient_id>/flags/<int:flag_id>/note/",
        views.flag_note,
        name="flag_note",
    ),
]
