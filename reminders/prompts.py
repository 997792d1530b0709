"""Prompts the apps above reminders ask for: a symptom check-in, a blood test or a review to
book. The asking app names the kind, a key and the instant; reminders writes one outbox row
per channel the patient receives on (texts after quiet hours), unless the patient turned that
kind off. The asking app renders the message by registering a context builder for its kind
(`messages.register_context`), so reminders never imports it.

Asking twice with the same key is harmless; withdrawing cancels the rows not yet sent.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from accounts.models import User
from core.clock import home_zone

from .models import Notification
from .planner import deliver_at, preferences_for

PROMPT_KEY_LENGTH = 100  # the channel is added to it, within the column's 120


@transaction.atomic
def prompt_enqueue(
    *, patient: User, kind: str, key: str, at: datetime, payload: dict[str, object]
) -> int:
    """Put a prompt of `kind` on the patient's channels for `at`; how many channels it is on.
    `key` names what it is about (e.g. "checkin:12:2026-11-30") and keeps it unique."""
    if len(key) > PROMPT_KEY_LENGTH:
        raise ValueError(f"A prompt key is at most {PROMPT_KEY_LENGTH} characters: {key!r}")
    pref = preferences_for([patient])[patient.pk]
    if not pref.kind_enabled(kind):
        return 0
    rows = [
        Notification(
            recipient=patient,
            kind=kind,
            channel=channel,
            dedupe_key=f"{key}:{channel}",
            payload=payload,
            scheduled_for=at,
            next_attempt_at=deliver_at(channel, at, pref, home_zone(patient)),
        )
        for channel in pref.channels()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def prompt_withdraw(*, key: str, reason: str) -> int:
    """Cancel the prompt rows under `key` that have not gone yet (the test was booked, the
    check-in done); the number cancelled."""
    return Notification.objects.filter(
        dedupe_key__startswith=f"{key}:",
        status=Notification.Status.PENDING,
    ).update(status=Notification.Status.CANCELLED, last_error=reason[:500])
