from django.urls import path

from . import views

app_name = "clinic"
urlpatterns = [
    path("", views.patients, name="patients"),
    path("invite/", views.invite, name="invite"),
    path("patients/<int:patient_id>/", views.patient_detail, name="patient_detail"),
]
