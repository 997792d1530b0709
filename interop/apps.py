"""App config for interop: the record in other systems' words (calendar feed, FHIR), built over
the other apps' selectors and services; it owns no clinical rules.

At start-up it listens to re-plans and stopped prescriptions (the feed's events follow the
doses) and to profile changes (a new reminder time moves the feed's alarms)."""

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "Interoperability"

    def ready(self) -> None:
        from accounts.signals import profile_changed
        from schedules.signals import plan_changed, prescription_stopped

        from .services import (
            plan_changed_received,
            prescription_stopped_received,
            profile_changed_received,
        )

        plan_changed.connect(plan_changed_received, dispatch_uid="interop.plan_changed")
        prescription_stopped.connect(
            prescription_stopped_received, dispatch_uid="interop.prescription_stopped"
        )
        profile_changed.connect(profile_changed_received, dispatch_uid="interop.profile_changed")
