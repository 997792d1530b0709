"""App config for carers: at start-up it gives reminders the carer messages and listens to
re-planning, which withdraws alerts about doses logged in the meantime."""

from django.apps import AppConfig


class CarersConfig(AppConfig):
    name = "carers"
    verbose_name = "Carers and dependents"

    def ready(self) -> None:
        # Imported here: these modules import models, which exist only once the registry is.
        from reminders.account_messages import register_account_kind
        from reminders.addresses import register_email_resolver
        from reminders.messages import register_context
        from reminders.models import Kind
        from schedules.signals import plan_changed, prescription_stopped

        from .alerts import alert_context, plan_changed_received
        from .messages import invite_context, invite_gone
        from .selectors import guardian_address

        register_account_kind(Kind.CARER_INVITE, context=invite_context, stale=invite_gone)
        register_context(Kind.CARER_ALERT, alert_context)
        # A dependent's reminders by email reach the guardian who holds the record.
        register_email_resolver(guardian_address)
        plan_changed.connect(plan_changed_received, dispatch_uid="carers.plan_changed")
        prescription_stopped.connect(plan_changed_received, dispatch_uid="carers.stopped")
