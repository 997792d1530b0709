"""Sending the outbox: claim due rows, send each through its transport, record the outcome.

Safe with several workers: a claim is a guarded update (plus SKIP LOCKED on PostgreSQL), a
lease bounds how long a claim lasts, and every write after it checks the claim is still ours.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from core.clock import home_zone, local_today
from schedules import states
from schedules.models import Dose

from . import account_messages, push
from .addresses import email_for
from .messages import render
from .models import (
    ACCOUNT_KINDS,
    DOSE_REMINDER_KINDS,
    Channel,
    Kind,
    Notification,
    ReminderPreference,
)
from .planner import deliver_at
from .services import channel_disable
from .transports import Outgoing, TransportError, transport_for

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 20
BACKOFF_SECONDS = (30, 120, 600, 1800)  # after attempts 1..4; the 5th failure is final
Status = Notification.Status


def lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)


def send_margin() -> timedelta:
    """Time one send may take (the transports' timeouts), capped at half a lease."""
    # A phone notification's connect and read may each take PUSH_TIMEOUT_SECONDS (its
    # devices are sent to side by side).
    push_longest = 2 * settings.PUSH_TIMEOUT_SECONDS
    longest = max(settings.EMAIL_TIMEOUT, settings.SMS_TIMEOUT, push_longest) + 5
    return min(timedelta(seconds=longest), lease() / 2)


# While a provider is down, its rows wait this long (jittered, so that they do not all
# knock at once) without using up an attempt; the first to find it back sends the rest.
OUTAGE_WAIT_SECONDS = (30, 90)


def outage_wait() -> timedelta:
    return timedelta(seconds=random.uniform(*settings.OUTAGE_WAIT_SECONDS))


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    deferred: int = 0
    released: int = 0
    # Rows put back to wait because their provider did not answer (no attempt used).
    held: int = 0
    outages: set[str] = field(default_factory=set)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.cancelled + self.deferred + self.held


# --- claiming -----------------------------------------------------------------------------------


def release_expired(*, now: datetime) -> int:
    """Rows whose sender vanished mid-send (killed, lost) go back to pending after the lease,
    or fail if they have used every attempt."""
    stuck = Notification.objects.filter(status=Status.SENDING, lease_until__lt=now)
    failed = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED,
        claim="",
        lease_until=None,
        last_error="Sender lost on last attempt.",
        last_error_at=now,
    )
    released = stuck.update(status=Status.PENDING, claim="", lease_until=None, next_attempt_at=now)
    return failed + released


def held_before(ids: list[int], *, now: datetime, batch: int) -> list[int]:
    """Rows an outage holds a little longer (each its own jittered wait) on the channels of the
    rows `ids`, meant to go before the latest of them: taken with them, so that when a provider
    answers again its rows go in their intended order, not in the jitter's."""
    latest = (
        Notification.objects.filter(pk__in=ids)
        .values("channel")
        .annotate(last=Max("scheduled_for"))
        .values_list("channel", "last")
    )
    before = Q(pk__in=[])
    for channel, last in latest:
        before |= Q(channel=channel, scheduled_for__lt=last)
    held_until = now + timedelta(seconds=max(settings.OUTAGE_WAIT_SECONDS))
    held = Notification.objects.filter(
        before,
        status=Status.PENDING,
        held=True,
        next_attempt_at__gt=now,
        next_attempt_at__lte=held_until,
    ).exclude(pk__in=ids)
    if connection.features.has_select_for_update_skip_locked:
        held = held.select_for_update(skip_locked=True)
    return list(held.order_by("scheduled_for", "pk").values_list("pk", flat=True)[:batch])


def claim(*, now: datetime, batch: int = BATCH, ids: list[int] | None = None) -> list[Notification]:
    """Take up to `batch` due rows for this sender, oldest first (only among `ids` if given)."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        if ids is not None:
            due = due.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        # In the order they were meant to go, so rows held through an outage keep their place.
        ids = list(due.order_by("scheduled_for", "pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return []
        ids += held_before(ids, now=now, batch=batch)
        # Guarded: a row another sender took in the meantime is no longer pending.
        Notification.objects.filter(pk__in=ids, status=Status.PENDING).update(
            status=Status.SENDING,
            held=False,
            claim=token,
            attempts=F("attempts") + 1,
            lease_until=now + lease(),
        )
    return list(
        Notification.objects.filter(pk__in=ids, claim=token, status=Status.SENDING)
        .select_related(
            "recipient__patient_profile",
            "recipient__reminder_preference",
            "dose__prescription",
        )
        .order_by("scheduled_for", "pk")
    )


def _ours(row: Notification) -> QuerySet[Notification]:
    return Notification.objects.filter(pk=row.pk, claim=row.claim, status=Status.SENDING)


def renew(row: Notification, *, now: datetime) -> bool:
    """Extend a claim that is still ours and still running; a lapsed one (its row may be on its
    way back to pending) is never revived."""
    until = now + lease()
    renewed = _ours(row).filter(lease_until__gt=now).update(lease_until=until) == 1
    if renewed:
        row.lease_until = until
    return renewed


def _finish(row: Notification, **values: object) -> bool:
    """Record the outcome, unless the lease ran out and another sender took the row."""
    values.setdefault("claim", "")
    values.setdefault("lease_until", None)
    return _ours(row).update(**values) == 1


# --- delivering ---------------------------------------------------------------------------------


def _preference(row: Notification) -> ReminderPreference | None:
    """The patient's preferences, which apply to reminders and prompts only."""
    if row.kind == Kind.FLAG_DIGEST or row.kind in ACCOUNT_KINDS:
        return None
    return ReminderPreference.of(row.account)


def why_not(row: Notification, pref: ReminderPreference | None) -> str:
    """Why this row must not be sent any more ("" when it should go)."""
    if row.kind in ACCOUNT_KINDS:
        return account_messages.why_not(row, now=timezone.now())
    dose = row.dose
    if dose is not None:
        settled = dose.status not in states.OPEN_STATUSES or dose.injection_id is not None
        if settled and row.kind in DOSE_REMINDER_KINDS:
            return f"The dose is {dose.status}."
        if row.kind in DOSE_REMINDER_KINDS and dose.latest < local_today(row.account):
            return "Not delivered: the dose's window closed before it could be sent."
        if row.kind == Kind.MISSED and dose.status != Dose.Status.MISSED:
            return "The dose is no longer missed."
    if pref is not None:
        if row.channel not in pref.channels():
            return f"{Channel(row.channel).label} is turned off."
        if not pref.kind_enabled(row.kind):
            return "This kind of message is turned off."
    return ""


def address(row: Notification, pref: ReminderPreference | None) -> str:
    """Where the row goes: its own address, the verified number, the email address, or for a
    phone notification the patient (every device of theirs)."""
    if row.address:
        return row.address
    if row.channel == Channel.PUSH:
        return str(row.account.pk)
    return pref.sms_number if row.channel == Channel.SMS and pref else email_for(row.account)


def send(row: Notification, pref: ReminderPreference | None) -> str:
    if row.channel == Channel.PUSH:
        return transport_for(row.channel).send(push_outgoing(row, pref))
    message = render(row)
    outgoing = Outgoing(
        to=address(row, pref), subject=message.subject, body=message.body, key=row.message_key
    )
    return transport_for(row.channel).send(outgoing)


def push_outgoing(row: Notification, pref: ReminderPreference | None) -> Outgoing:
    """A phone notification says what the text message says (short, the minimum) without its
    links, under a title, with the row's key as its tag so that a repeat replaces it on the
    device; its buttons are the answer links and a tap opens the message's page."""
    message = render(row)
    notification = push.PushMessage(
        title=push.title_of(row),
        body=message.body,
        url=message.url or settings.SITE_URL + "/",
        tag=row.message_key,
        ttl=push.ttl_of(row, now=timezone.now()),
        links=message.links,
    )
    return Outgoing(
        to=address(row, pref),
        body=notification.body,
        key=row.message_key,
        subject=notification.title,
        data=notification.payload(),
        ttl=notification.ttl,
    )


def deliver(row: Notification, *, result: DispatchResult) -> None:
    now = timezone.now()
    # Nobody else takes the row before its lease ends (release_expired waits for that), so
    # a lease with time to spare needs no database round trip. One too close to its end is
    # renewed first, so that leases can stay short and a dead sender's rows come back soon.
    if row.lease_until is None:
        return
    if now + send_margin() >= row.lease_until and not renew(row, now=now):
        return
    if row.channel in result.outages:  # its provider just failed for another row: wait too
        result.held += _finish(
            row,
            status=Status.PENDING,
            held=True,
            attempts=F("attempts") - 1,
            next_attempt_at=now + outage_wait(),
        )
        return
    pref = _preference(row)
    reason = why_not(row, pref)
    if reason:
        _cancel(row, reason, result=result)
        return
    # The quiet hours may have begun since the row was planned: the planner's rule again.
    if pref is not None:
        later = deliver_at(row.channel, now, pref, home_zone(row.account))
        if later > now:
            result.deferred += _finish(
                row, status=Status.PENDING, next_attempt_at=later, attempts=F("attempts") - 1
            )
            return
    try:
        provider_id = send(row, pref)
    except TransportError as error:
        _failed_attempt(row, error, now=now, result=result)
    except Exception as error:  # a bug must not wedge the row: retry, bounded, and log it
        log.exception("Notification %s could not be sent", row.pk)
        _failed_attempt(row, TransportError(repr(error)[:400]), now=now, result=result)
    else:
        sent = _finish(
            row, status=Status.SENT, provider_id=provider_id[:200], sent_at=timezone.now()
        )
        result.sent += sent


def _cancel(row: Notification, reason: str, *, result: DispatchResult) -> None:
    cancelled = _finish(row, status=Status.CANCELLED, last_error=reason)
    result.cancelled += cancelled
    if cancelled and row.kind in ACCOUNT_KINDS:
        account_messages.gave_up(row, reason=reason)


def _failed_for_good(row: Notification, error: TransportError, message: str, now: datetime) -> None:
    """A permanent error turns off the patient's own channel; an account message went to an
    address the patient gave for that once (an invitation, a number being checked), so it
    never does."""
    if row.kind in ACCOUNT_KINDS:
        account_messages.gave_up(row, reason=message)
    elif error.permanent and row.kind != Kind.FLAG_DIGEST:
        channel_disable(patient=row.account, channel=row.channel, reason=message, now=now)


def _failed_attempt(
    row: Notification, error: TransportError, *, now: datetime, result: DispatchResult
) -> None:
    message = str(error)[:500]
    if error.outage:
        # The provider is down, not this message: wait, keep the attempt, try again soon.
        result.outages.add(row.channel)
        result.held += _finish(
            row,
            status=Status.PENDING,
            held=True,
            attempts=F("attempts") - 1,
            last_error=message,
            last_error_at=now,
            next_attempt_at=now + outage_wait(),
        )
        return
    if error.permanent or row.attempts >= MAX_ATTEMPTS:
        failed = _finish(row, status=Status.FAILED, last_error=message, last_error_at=now)
        result.failed += failed
        if failed:
            _failed_for_good(row, error, message, now)
        return
    result.retried += _finish(
        row,
        status=Status.PENDING,
        last_error=message,
        last_error_at=now,
        next_attempt_at=now + backoff(row.attempts),
    )


def dispatch_due(
    *, budget_seconds: float = 50.0, batch: int = BATCH, ids: list[int] | None = None
) -> DispatchResult:
    """The dispatch sweep: release lapsed leases, then claim and send until nothing is due
    or the time budget is spent (the next beat tick carries on). With `ids`, only those rows
    (just written, sent at once rather than at the next tick); lapsed leases are the sweep's."""
    result = DispatchResult()
    if ids is None:
        result.released = release_expired(now=timezone.now())
    deadline = time.monotonic() + budget_seconds
    while time.monotonic() < deadline:
        rows = claim(now=timezone.now(), batch=batch, ids=ids)
        if not rows:
            break
        for row in rows:
            deliver(row, result=result)
    return result
