"""App config for reminders: the outbox, transports and sweeps.

At start-up it listens to profile changes, which move reminder instants, to a clinician's
changes to a regimen, which the patient is told of, and to accounts' requests for messages.
"""

from django.apps import AppConfig

from accounts.signals import message_requested, profile_changed
from schedules.signals import appointment_booked, regimen_changed


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders and workers"

    def ready(self) -> None:
        # Imported here, the one unavoidable late import: services imports the models, which
        # may only be imported once the app registry is ready, and ready() is that moment.
        from . import account_messages
        from .account_requests import message_requested_received
        from .bookings import appointment_booked_received
        from .changes import change_context, regimen_changed_received
        from .messages import register_context
        from .models import Kind
        from .services import profile_changed as profile_changed_received

        profile_changed.connect(profile_changed_received, dispatch_uid="reminders.profile_changed")
        regimen_changed.connect(regimen_changed_received, dispatch_uid="reminders.regimen_changed")
        register_context(Kind.CHANGED, change_context)
        message_requested.connect(
            message_requested_received, dispatch_uid="reminders.message_requested"
        )
        account_messages.register()
        from . import messages_email_change, messages_security, messages_sharing

        messages_email_change.register()
        messages_security.register()
        messages_sharing.register()
        appointment_booked.connect(
            appointment_booked_received, dispatch_uid="reminders.appointment_booked"
        )
        from .stock.wiring import connect as connect_stock

        connect_stock()
