"""App config for schedules: prescriptions, phases, dated doses and injections."""

from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "schedules"
    verbose_name = "Schedules"
