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
        from schedules.signals import plan_changed

        from .checkins import checkin_context
        from .checks import plan_changed_reviewed
        from .digest import digest_context
        from .plan import plan_changed_planned, plan_prompt_context
        from .services import plan_changed_received

        # Missed-dose flags first, so the review that follows counts the doses just missed.
        plan_changed.connect(plan_changed_received, dispatch_uid="monitoring.plan_changed")
        plan_changed.connect(plan_changed_reviewed, dispatch_uid="monitoring.review")
        register_context(Kind.FLAG_DIGEST, digest_context)
        register_context(Kind.CHECKIN, checkin_context)
        # The monitoring plan: the checks a starting prescription brings, and their prompts.
        plan_changed.connect(plan_changed_planned, dispatch_uid="monitoring.plan")
        register_context(Kind.LAB_DUE, plan_prompt_context)
        register_context(Kind.REVIEW_DUE, plan_prompt_context)
        # Adjustment triggers: a check-in, a result or an injection changes their evidence.
        from django.db.models.signals import post_save

        from .models import CheckIn, LabResult
        from .triggers import evidence_saved, plan_changed_triggered

        plan_changed.connect(plan_changed_triggered, dispatch_uid="monitoring.triggers")
        post_save.connect(evidence_saved, sender=CheckIn, dispatch_uid="monitoring.checkin_saved")
        post_save.connect(evidence_saved, sender=LabResult, dispatch_uid="monitoring.lab_saved")
