"""Writes for the calendar feed: making, rotating and stopping its secret address, its
settings, and keeping what it publishes in step with re-plans (receivers of schedules' and
accounts' signals)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User
from core.clock import local_today
from schedules.models import Prescription

from .events import calendar_events_sync
from .models import CalendarFeed
from .tokens import new_token, token_digest

NO_FEED = "You have no calendar feed. Create one first."


def _active(patient: User) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.select_for_update()
        .filter(patient=patient, revoked_at__isnull=True)
        .first()
    )


def _sync_all(patient: User, now: datetime) -> None:
    # Locked like a re-plan locks them, so a re-plan's receiver and this never race.
    today = local_today(patient, now=now)
    for prescription in Prescription.objects.select_for_update().filter(patient=patient):
        calendar_events_sync(prescription=prescription, now=now, today=today)


def feed_create(
    *,
    patient: User,
    detail_level: str,
    alarm: bool,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> tuple[CalendarFeed, str]:
    """A new secret address for the patient's calendar; returns the feed and its token, which
    is shown once and never stored."""
    now = now or timezone.now()
    token = new_token()
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(patient=patient).first()
        if feed is not None and feed.active:
            raise ValidationError("Your calendar feed is already on. Get a new address instead.")
        feed = feed or CalendarFeed(patient=patient)
        feed.token_hash = token_digest(token)
        feed.detail_level, feed.alarm = detail_level, alarm
        feed.created_at, feed.rotated_at, feed.revoked_at, feed.changed_at = now, None, None, now
        feed.revision += 1
        feed.full_clean()
        feed.save()
        _sync_all(patient, now)
        log_action(
            actor=patient,
            action="calendar.created",
            patient=patient,
            obj=feed,
            request=request,
            detail={"detail_level": detail_level, "alarm": alarm},
        )
    return feed, token


def feed_rotate(
    *, patient: User, request: HttpRequest | None = None, now: datetime | None = None
) -> tuple[CalendarFeed, str]:
    """A new address for the same feed: the old one answers 404 from now on."""
    now = now or timezone.now()
    token = new_token()
    with transaction.atomic():
        feed = _active(patient)
        if feed is None:
            raise ValidationError(NO_FEED)
        feed.token_hash = token_digest(token)
        feed.rotated_at = now
        feed.full_clean()
        feed.save(update_fields=["token_hash", "rotated_at"])
        log_action(
            actor=patient, action="calendar.rotated", patient=patient, obj=feed, request=request
        )
    return feed, token


def feed_revoke(
    *, patient: User, request: HttpRequest | None = None, now: datetime | None = None
) -> CalendarFeed:
    """Stop the feed: its address answers 404. Calendars subscribed to it keep what they had
    until the patient removes the subscription."""
    with transaction.atomic():
        feed = _active(patient)
        if feed is None:
            raise ValidationError(NO_FEED)
        feed.revoked_at = now or timezone.now()
        feed.save(update_fields=["revoked_at"])
        log_action(
            actor=patient, action="calendar.revoked", patient=patient, obj=feed, request=request
        )
    return feed


def feed_settings_update(
    *,
    patient: User,
    detail_level: str,
    alarm: bool,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> CalendarFeed:
    with transaction.atomic():
        feed = _active(patient)
        if feed is None:
            raise ValidationError(NO_FEED)
        before = {"detail_level": feed.detail_level, "alarm": feed.alarm}
        feed.detail_level, feed.alarm = detail_level, alarm
        feed.full_clean()
        after = {"detail_level": feed.detail_level, "alarm": feed.alarm}
        if after == before:
            return feed
        feed.changed_at = now or timezone.now()
        feed.revision += 1
        feed.save(update_fields=["detail_level", "alarm", "changed_at", "revision"])
        log_action(
            actor=patient,
            action="calendar.settings_changed",
            patient=patient,
            obj=feed,
            request=request,
            detail={"before": before, "after": after},
        )
    return feed


def record_exported(
    *, actor: User, patient: User, resources: int, request: HttpRequest | None = None
) -> None:
    """Someone (the patient, or their linked clinician) downloaded the patient's whole record:
    who, whose, when, from where, and how much."""
    log_action(
        actor=actor,
        action="fhir.exported",
        patient=patient,
        request=request,
        detail={"resources": resources},
    )


def _plan_moved(prescription: Prescription, today: date | None = None) -> None:
    now = timezone.now()
    touched = CalendarFeed.objects.filter(
        patient_id=prescription.patient_id, revoked_at__isnull=True
    ).update(changed_at=now, revision=F("revision") + 1)
    if touched:  # nobody reads the events of a patient with no feed
        today = today or local_today(prescription.patient, now=now)
        calendar_events_sync(prescription=prescription, now=now, today=today)


def plan_changed_received(
    *, prescription: Prescription, today: date | None = None, **_: object
) -> None:
    """Receiver of schedules' `plan_changed`, inside the re-planning transaction: doses moved,
    given (a logged injection re-plans) or marked missed."""
    _plan_moved(prescription, today)


def prescription_stopped_received(*, prescription: Prescription, **_: object) -> None:
    """Receiver of schedules' `prescription_stopped`: its doses to come are cancelled."""
    _plan_moved(prescription)


def profile_changed_received(*, patient: User, time_changed: bool, **_: object) -> None:
    """Receiver of accounts' `profile_changed`: a new reminder time moves the alarms."""
    if time_changed:
        CalendarFeed.objects.filter(patient=patient, revoked_at__isnull=True).update(
            changed_at=timezone.now(), revision=F("revision") + 1
        )
