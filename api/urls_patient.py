"""Patient endpoints: /api/v1/me/… (names in the `api` namespace, prefixed `me_`)."""

from django.urls import path

from .views import patient, patient_injections, patient_monitoring, patient_stock

urlpatterns = [
    path("prescription/", patient.PrescriptionView.as_view(), name="me_prescription"),
    path("doses/", patient.DoseList.as_view(), name="me_doses"),
    path("injections/", patient_injections.InjectionList.as_view(), name="me_injections"),
    path(
        "injections/<int:injection_id>/",
        patient_injections.InjectionDetail.as_view(),
        name="me_injection",
    ),
    path(
        "injections/<int:injection_id>/correct/",
        patient_injections.InjectionCorrect.as_view(),
        name="me_injection_correct",
    ),
    path(
        "injections/<int:injection_id>/void/",
        patient_injections.InjectionVoid.as_view(),
        name="me_injection_void",
    ),
    path("checkins/", patient_monitoring.CheckInList.as_view(), name="me_checkins"),
    path("labs/", patient_monitoring.LabList.as_view(), name="me_labs"),
    path("stock/", patient_stock.StockView.as_view(), name="me_stock"),
    path("stock/batches/", patient_stock.BatchAdd.as_view(), name="me_stock_batches"),
]
