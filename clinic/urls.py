"""The clinician pages' URLs; every one that names a patient is checked by tests/clinic's
access tests, which list them all."""

from django.urls import path

from .views import flags, invitations, notes, patient, patients, prescription, tests_due

app_name = "clinic"
urlpatterns = [
    path("", patients.patients, name="patients"),
    path("patients.csv", patients.patients_csv, name="patients_csv"),
    path("invite/", invitations.invite, name="invite"),
    path("invite/withdraw/", invitations.invitation_withdraw, name="invitation_withdraw"),
    path("invitations/", invitations.invitations, name="invitations"),
    path("requests/<int:link_id>/accept/", invitations.share_accept, name="share_accept"),
    path("requests/<int:link_id>/decline/", invitations.share_decline, name="share_decline"),
    path("flags/", flags.flags, name="flags"),
    path("tests-due/", tests_due.tests_due, name="tests_due"),
    path("patients/<int:patient_id>/", patient.patient_detail, name="patient_detail"),
    path("patients/<int:patient_id>/report/", patient.patient_report, name="patient_report"),
    path(
        "patients/<int:patient_id>/prescription/confirm/",
        prescription.prescription_confirm,
        name="prescription_confirm",
    ),
    path(
        "patients/<int:patient_id>/prescription/edit/",
        prescription.prescription_edit,
        name="prescription_edit",
    ),
    path(
        "patients/<int:patient_id>/phases/<int:phase_id>/close/",
        prescription.phase_close,
        name="phase_close",
    ),
    path(
        "patients/<int:patient_id>/maintenance-interval/",
        prescription.interval_change,
        name="interval_change",
    ),
    path("patients/<int:patient_id>/notes/", notes.note_add, name="note_add"),
    path("patients/<int:patient_id>/plan/", tests_due.plan_item_add, name="plan_item_add"),
    path(
        "patients/<int:patient_id>/plan/<int:item_id>/move/",
        tests_due.plan_item_change,
        name="plan_item_change",
    ),
    path(
        "patients/<int:patient_id>/plan/<int:item_id>/cancel/",
        tests_due.plan_item_cancel,
        name="plan_item_cancel",
    ),
    path(
        "patients/<int:patient_id>/plan/<int:item_id>/done/",
        tests_due.plan_item_done,
        name="plan_item_done",
    ),
    path(
        "patients/<int:patient_id>/flags/<int:flag_id>/acknowledge/",
        flags.flag_acknowledge,
        name="flag_acknowledge",
    ),
    path(
        "patients/<int:patient_id>/flags/<int:flag_id>/resolve/",
        flags.flag_resolve,
        name="flag_resolve",
    ),
    path(
        "patients/<int:patient_id>/flags/<int:flag_id>/note/",
        flags.flag_note,
        name="flag_note",
    ),
]
