"""Celery tasks for monitoring: periodic sweeps, thin wrappers taking no arguments."""

from celery import shared_task
from django.utils import timezone

from core.sweeps import sweep

from . import checkins, checks, plan, review, services, triggers


@shared_task
@sweep("raise_review_flags")
def raise_review_flags() -> int:
    # A safety net: a change to a prescription's data already ran its review.
    now = timezone.now()
    return (
        review.raise_review_flags(now=now).total
        + checks.raise_all_record_flags(now=now)
        + triggers.run_all_triggers(now=now)
    )


@shared_task
@sweep("plan_flag_digests")
def plan_flag_digests() -> int:
    return services.plan_flag_digests(now=timezone.now())


@shared_task
@sweep("plan_checkin_prompts")
def plan_checkin_prompts() -> int:
    return checkins.plan_checkin_prompts(now=timezone.now())


@shared_task
@sweep("plan_monitoring_checks")
def plan_monitoring_checks() -> int:
    return plan.plan_sweep(now=timezone.now()).total


@shared_task
@sweep("refresh_patient_summaries")
def refresh_patient_summaries() -> int:
    """The 90-day counts move with the days: recount the summaries whose fresh_until has come."""
    from .summary_sync import summaries_refresh_stale

    return summaries_refresh_stale(now=timezone.now())
