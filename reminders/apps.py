"""App config for reminders: the outbox, transports and sweeps.

At start-up it listens to profile changes, which move reminder instants.
"""

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders and workers"

    def ready(self) -> None:
        from accounts.signals import profile_changed

        from .services import profile_changed as profile_changed_received

        profile_changed.connect(profile_changed_received, dispatch_uid="reminders.profile_changed")
