"""App config for monitoring: review flags, later lab results and check-ins.

At start-up it listens to schedules' re-planning (missed-dose flags, then the review of that
prescription) and gives reminders the digest's context.
"""

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from reminders.messages import register_context
        from reminders.models import Kind
        from schedules.signals import plan_changed, prescription_stopped

        from .checkins import checkin_context
        from .checks import plan_changed_reviewed
        from .digest import digest_context
        from .plan import (
            plan_changed_planned,
            plan_prompt_context,
            prescription_stopped_received,
        )
        from .services import plan_changed_received

        # Missed-dose flags first, so the review that follows counts the doses just missed.
        plan_changed.connect(plan_changed_received, dispatch_uid="monitoring.plan_changed")
        plan_changed.connect(plan_changed_reviewed, dispatch_uid="monitoring.review")
        register_context(Kind.FLAG_DIGEST, digest_context)
        register_context(Kind.CHECKIN, checkin_context)
        # The monitoring plan: the checks a starting prescription brings, and their prompts.
        plan_changed.connect(plan_changed_planned, dispatch_uid="monitoring.plan")
        prescription_stopped.connect(
            prescription_stopped_received, dispatch_uid="monitoring.plan_stopped"
        )
        register_context(Kind.LAB_DUE, plan_prompt_context)
        register_context(Kind.REVIEW_DUE, plan_prompt_context)
        # Adjustment triggers: a check-in, a lab result, or an injection logged or moved
        # changes their evidence.
        from .signals import evidence_recorded
        from .triggers import evidence_recorded_received, plan_changed_triggered

        plan_changed.connect(plan_changed_triggered, dispatch_uid="monitoring.triggers")
        evidence_recorded.connect(evidence_recorded_received, dispatch_uid="monitoring.evidence")
