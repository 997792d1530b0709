"""App config for reminders: the outbox, transports, sweeps and the worker heartbeat."""

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders and workers"
