"""Flags that end by themselves: when the clinician did what a flag asked (confirmed the
prescription, changed the interval, ended loading) or when its reason went away.

Each ending is a guarded update of a flag still waiting for an answer, with the reason as the
last line of its note, and an audit event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User
from schedules.models import Prescription

from .actions import appended_note
from .models import Flag

CONFIRMED = "prescription.confirmed"
INTERVAL_CHANGED = "prescription.interval_changed"
PHASE_CLOSED = "phase.closed"

# What each of the clinician's actions answers: a review is done by checking the prescription;
# repeated misses and the three-month review ask whether the interval should change; an
# open-ended loading phase waits for the clinician to end it (or to confirm it goes on).
ENDED_BY: dict[str, tuple[str, ...]] = {
    CONFIRMED: (
        Flag.Kind.LOADING_REVIEW,
        Flag.Kind.THREE_MONTH_REVIEW,
        Flag.Kind.REGIMEN_MISMATCH,
    ),
    # The adjustment triggers ask for a different interval: a change answers them.
    INTERVAL_CHANGED: (
        Flag.Kind.REPEATED_MISSES,
        Flag.Kind.THREE_MONTH_REVIEW,
        Flag.Kind.SYMPTOMS_RETURN_EARLY,
        Flag.Kind.TINGLING_WORSE,
        Flag.Kind.LOW_B12_ON_MAINTENANCE,
    ),
    PHASE_CLOSED: (Flag.Kind.LOADING_REVIEW,),
}


def end_flags(
    flags: Iterable[Flag], *, why: str, now: datetime, actor: User | None = None
) -> list[Flag]:
    """End each flag still open or acknowledged, noting why; the ones it ended come back."""
    values: dict[str, object] = {
        "status": Flag.Status.RESOLVED,
        "note": appended_note(why),
        "acted_at": now,
    }
    if actor is not None:
        values["acted_by"] = actor
    ended = []
    for flag in flags:
        if Flag.objects.filter(pk=flag.pk, status__in=Flag.UNRESOLVED).update(**values):
            log_action(
                actor=actor,
                action="flag.ended",
                patient=flag.patient,
                obj=flag,
                detail={"kind": flag.kind, "why": why},
            )
            ended.append(flag)
    return ended


def flags_end_after(
    *, prescription: Prescription, action: str, actor: User, done: str, now: datetime | None = None
) -> list[Flag]:
    """After the clinician's `action` on the prescription (say, "interval changed to every 2
    months"), end the flags it answers: "Ended: … by Dr X on 30 Nov"."""
    now = now or timezone.now()
    flags = Flag.objects.filter(
        prescription=prescription, kind__in=ENDED_BY[action], status__in=Flag.UNRESOLVED
    ).select_related("patient")
    why = f"Ended: {done} by {actor.display_name} on {timezone.localtime(now):%-d %b}."
    return end_flags(flags, why=why, now=now, actor=actor)
