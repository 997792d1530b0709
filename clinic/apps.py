"""App config for clinic: clinician pages built over selectors, with no models of their own."""

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"
