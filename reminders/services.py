"""Writes for reminders: preferences, SMS number verification, STOP replies, disabled channels,
staff re-queuing failed outbox rows, and the outbox rows other apps ask for.

Every service is keyword-only, runs in one transaction and leaves an audit event.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.audit import log_action
from accounts.models import Role, User
from accounts.services import patient_reminder_time_update
from accounts.validators import validate_e164
from core.clock import local_today

from .models import (
    ACCOUNT_KINDS,
    DOSE_REMINDER_KINDS,
    Channel,
    Kind,
    Notification,
    ReminderPreference,
)
from .planner import replan_patient

CODE_LIFETIME = timedelta(minutes=10)
CODE_RESEND_AFTER = timedelta(seconds=60)
CODE_MAX_TRIES = 5
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
STOPPED = "You replied STOP to one of our texts, so text reminders are off."
PREFERENCE_FIELDS = (
    "email_enabled",
    "sms_enabled",
    "upcoming_enabled",
    "upcoming_time",
    "due_enabled",
    "nudge_enabled",
    "nudge_time",
    "missed_enabled",
    "booking_enabled",
    "booking_days_before",
    "checkin_enabled",
    "lab_due_enabled",
    "quiet_start",
    "quiet_end",
    "detailed_messages",
)
# The page edits the day-of reminder time too; it is the profile's, and accounts writes it.
EDITABLE = (*PREFERENCE_FIELDS, "reminder_time")


def preference_get(*, patient: User, lock: bool = False) -> ReminderPreference:
    """The patient's preferences, created with the defaults on first use."""
    if patient.role != Role.PATIENT:
        raise ValidationError("Only patients have reminder preferences.")
    rows = ReminderPreference.objects.select_for_update() if lock else ReminderPreference.objects
    pref = rows.filter(patient=patient).first()
    if pref is None:
        pref = ReminderPreference(patient=patient)
        pref.full_clean()
        ReminderPreference.objects.bulk_create([pref], ignore_conflicts=True)
        pref = rows.get(patient=patient)
    return pref


def cancel_pending(*, patient: User, channel: str, reason: str) -> int:
    """A channel turned off takes its waiting reminders with it; account messages (a reset, a
    code to a number being checked) were asked for, and go whatever the preferences say."""
    return (
        Notification.objects.filter(
            recipient=patient, channel=channel, status=Notification.Status.PENDING
        )
        .exclude(kind__in=ACCOUNT_KINDS)
        .update(status=Notification.Status.CANCELLED, last_error=reason[:500])
    )


@transaction.atomic
def preference_update(
    *,
    patient: User,
    values: dict[str, object],
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> ReminderPreference:
    """The settings of the reminders page: preferences here, the day-of reminder time on the
    profile (through accounts), then one re-plan of the patient's reminders."""
    now = now or timezone.now()
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    pref = preference_get(patient=patient, lock=True)
    if values.get("sms_enabled") and not pref.sms_number:
        raise ValidationError(
            {"sms_enabled": "Confirm your mobile number before turning texts on."}
        )
    changed = [
        name
        for name, value in values.items()
        if name in PREFERENCE_FIELDS and getattr(pref, name) != value
    ]
    for name in changed:
        setattr(pref, name, values[name])
    if "email_enabled" in changed and pref.email_enabled:
        pref.email_disabled_reason = ""  # turning a channel back on is the patient's answer
    if "sms_enabled" in changed and pref.sms_enabled:
        pref.sms_disabled_reason = ""
    pref.full_clean()
    pref.save()
    # After the preferences are saved: a new time is announced (profile_changed), and the
    # re-plan that answers the announcement must see them.
    reminder_time = values.get("reminder_time")
    time_changed = isinstance(reminder_time, time) and patient_reminder_time_update(
        user=patient, reminder_time=reminder_time, now=now
    )
    if time_changed:
        changed.append("reminder_time")
    log_action(
        actor=patient,
        action="reminders.preferences_updated",
        patient=patient,
        obj=pref,
        request=request,
        detail={"changed": sorted(changed)},
    )
    if not time_changed:  # a new time was re-planned on its announcement: once is enough
        replan_patient(patient=patient, now=now)
    return pref


def profile_changed(
    *,
    patient: User,
    zone_changed: bool,
    time_changed: bool,
    now: datetime | None = None,
    **_: object,
) -> None:
    """Receiver of accounts' `profile_changed`: a new home zone moves pending instants (dose
    dates stay), a new preferred reminder time moves the day-of reminders."""
    if zone_changed or time_changed:
        replan_patient(patient=patient, now=now or timezone.now())


def channel_disable(*, patient: User, channel: str, reason: str, now: datetime) -> None:
    """A permanent delivery error: stop using the channel and say why on the home page."""
    texts: dict[str, str] = {
        Channel.SMS: f"Texts to your number could not be delivered ({reason[:120]}).",
        Channel.PUSH: "Phone notifications stopped: no device of yours accepts them any more. "
        "Turn them on again on the reminders page.",
    }
    text = texts.get(channel, f"Emails to {patient.email} could not be delivered ({reason[:120]}).")
    with transaction.atomic():
        if channel == Channel.SMS:
            changed = ReminderPreference.objects.filter(patient=patient, sms_enabled=True).update(
                sms_enabled=False, sms_disabled_reason=text[:200]
            )
        elif channel == Channel.PUSH:
            changed = ReminderPreference.objects.filter(patient=patient, push_enabled=True).update(
                push_enabled=False, push_disabled_reason=text[:200]
            )
        else:
            pref = preference_get(patient=patient, lock=True)
            changed = ReminderPreference.objects.filter(pk=pref.pk, email_enabled=True).update(
                email_enabled=False, email_disabled_reason=text[:200]
            )
        if changed:
            cancel_pending(patient=patient, channel=channel, reason=text)
            log_action(
                actor=None,
                action="reminders.channel_disabled",
                patient=patient,
                detail={"channel": channel, "reason": reason[:200], "at": now.isoformat()},
            )


# --- staff: failed outbox rows back into the queue -----------------------------------------------


@dataclass(frozen=True)
class RetryResult:
    retried: int
    skipped: int  # dose reminders whose dose window has closed: a late reminder is useless


def _window_closed(row: Notification, *, now: datetime) -> bool:
    if row.kind not in DOSE_REMINDER_KINDS or row.dose is None:
        return False
    return row.dose.latest < local_today(row.account, now=now)


@transaction.atomic
def failed_retry(
    *,
    actor: User,
    ids: list[int] | None = None,
    failed_after: datetime | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> RetryResult:
    """Put failed rows back in the queue: the ones named by `ids`, or every one whose last
    failure came after `failed_after`. A dose reminder whose dose window has closed stays
    failed and is counted as skipped. The update is guarded by status, so a row the
    dispatcher or another retry moved on since it was read is left alone."""
    if (ids is None) == (failed_after is None):
        raise ValidationError("Choose the failed reminders to retry, or a cut-off time.")
    now = now or timezone.now()
    failed = Notification.objects.filter(status=Notification.Status.FAILED)
    if ids is not None:
        failed = failed.filter(pk__in=ids)
    else:
        failed = failed.filter(last_error_at__gt=failed_after)
    rows = list(failed.select_related("dose", "recipient__patient_profile").order_by("pk"))
    skipped = [row.pk for row in rows if _window_closed(row, now=now)]
    chosen = [row.pk for row in rows if row.pk not in skipped]
    retried = Notification.objects.filter(pk__in=chosen, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, attempts=0, next_attempt_at=now, last_error=""
    )
    chose = {"ids": sorted(ids)} if ids is not None else {"failed_after": str(failed_after)}
    detail = {**chose, "retried": retried, "skipped": len(skipped), "skipped_ids": skipped}
    log_action(actor=actor, action="reminders.retried", request=request, detail=detail)
    return RetryResult(retried=retried, skipped=len(skipped))


# --- SMS verification ---------------------------------------------------------------------------


def _code_hash(pref: ReminderPreference, code: str) -> str:
    return salted_hmac(
        "reminders.sms-code", f"{pref.pk}:{pref.sms_pending_number}:{code}"
    ).hexdigest()


@transaction.atomic
def sms_verification_start(
    *, patient: User, number: str, request: HttpRequest | None = None, now: datetime | None = None
) -> ReminderPreference:
    """Ask for a code to be texted to `number`: an outbox row in this transaction (kick it
    with `tasks.send_soon(sms_code_row_ids(...))` once this commits). The code is made when
    the row is sent, a fresh one each attempt, so it is never in the broker, the outbox or a
    log; only its hash is stored."""
    now = now or timezone.now()
    validate_e164(number)
    pref = preference_get(patient=patient, lock=True)
    recent = pref.sms_code_sent_at and now - pref.sms_code_sent_at < CODE_RESEND_AFTER
    if recent and pref.sms_pending_number == number:
        raise ValidationError(
            {"mobile": "A code was sent less than a minute ago. Wait a moment, then try again."}
        )
    pref.sms_pending_number = number
    pref.sms_code_hash = ""
    pref.sms_code_sent_at = now
    pref.sms_code_expires_at = None
    pref.sms_code_attempts = 0
    pref.full_clean()
    pref.save()
    Notification.objects.filter(
        recipient=patient, kind=Kind.SMS_CODE, status=Notification.Status.PENDING
    ).update(status=Notification.Status.CANCELLED, last_error="A newer code was asked for.")
    account_message_write(
        kind=Kind.SMS_CODE,
        recipient=patient,
        address=number,
        key=f"sms_code:{pref.pk}:{now.isoformat()}",
        payload={"requested_at": now.isoformat()},
        now=now,
    )
    log_action(
        actor=patient,
        action="reminders.sms_code_requested",
        patient=patient,
        obj=pref,
        request=request,
    )
    return pref


def sms_code_row_ids(*, patient: User) -> list[int]:
    """The patient's verification code rows still waiting to go (the newest request's)."""
    waiting = Notification.objects.filter(
        recipient=patient, kind=Kind.SMS_CODE, status=Notification.Status.PENDING
    )
    return list(waiting.values_list("pk", flat=True))


def sms_code_issue(
    *, patient_id: int, number: str, requested_at: datetime, now: datetime
) -> str | None:
    """Make a fresh code for the request still waiting for `number` and store its hash: the
    sender's half of verification, once per send attempt. None when that request is over."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        pref = ReminderPreference.objects.select_for_update().filter(patient_id=patient_id).first()
        if pref is None or not _code_waiting(pref, number=number, requested_at=requested_at):
            return None
        pref.sms_code_hash = _code_hash(pref, code)
        pref.sms_code_expires_at = now + CODE_LIFETIME
        pref.sms_code_attempts = 0
        pref.save(update_fields=["sms_code_hash", "sms_code_expires_at", "sms_code_attempts"])
    return code


def _code_waiting(pref: ReminderPreference, *, number: str, requested_at: datetime) -> bool:
    return pref.sms_pending_number == number and pref.sms_code_sent_at == requested_at


def sms_code_failed(*, patient_id: int, number: str, requested_at: datetime, reason: str) -> None:
    """The code could not be texted: say so on the page, instead of waiting in silence. Only
    the request still waiting for that number is ended; a newer one is left alone."""
    with transaction.atomic():
        pref = (
            ReminderPreference.objects.select_for_update()
            .select_related("patient")
            .filter(patient_id=patient_id)
            .first()
        )
        if pref is None or not _code_waiting(pref, number=number, requested_at=requested_at):
            return
        problem = f"We could not text a code to {number} ({reason[:100]})."
        ReminderPreference.objects.filter(pk=pref.pk).update(
            sms_pending_number="", sms_code_hash="", sms_disabled_reason=problem[:200]
        )
        log_action(
            actor=None,
            action="reminders.sms_code_failed",
            patient=pref.patient,
            obj=pref,
            detail={"reason": reason[:200]},
        )


def sms_verification_check(
    *, patient: User, code: str, request: HttpRequest | None = None, now: datetime | None = None
) -> ReminderPreference:
    now = now or timezone.now()
    with transaction.atomic():
        pref = preference_get(patient=patient, lock=True)
        problem = _code_problem(pref, now)
        if not problem:
            pref.sms_code_attempts += 1
            ok = constant_time_compare(pref.sms_code_hash, _code_hash(pref, code.strip()))
            if ok:
                _verified(pref, now=now)
            else:
                tries = CODE_MAX_TRIES - pref.sms_code_attempts
                problem = f"That code is not right. {tries} tr{'y' if tries == 1 else 'ies'} left."
            pref.full_clean()
            pref.save()
            log_action(
                actor=patient,
                action="reminders.sms_verified" if ok else "reminders.sms_code_wrong",
                patient=patient,
                obj=pref,
                request=request,
            )
    # Raised after the commit: a wrong try still counts against the limit.
    if problem:
        raise ValidationError({"code": problem})
    return pref


def _code_problem(pref: ReminderPreference, now: datetime) -> str:
    if not pref.sms_pending_number or not pref.sms_code_hash:
        return "Ask for a code first (it can take a minute to arrive)."
    if pref.sms_code_expires_at is None or now >= pref.sms_code_expires_at:
        return "That code has expired. Ask for a new one."
    if pref.sms_code_attempts >= CODE_MAX_TRIES:
        return "Too many wrong codes. Ask for a new one."
    return ""


def _verified(pref: ReminderPreference, *, now: datetime) -> None:
    pref.sms_number = pref.sms_pending_number
    pref.sms_verified_at = now
    pref.sms_enabled = True
    pref.sms_disabled_reason = ""
    pref.sms_pending_number = ""
    pref.sms_code_hash = ""
    pref.sms_code_expires_at = None


@transaction.atomic
def sms_turn_off(*, patient: User, request: HttpRequest | None = None) -> ReminderPreference:
    pref = preference_get(patient=patient, lock=True)
    pref.sms_enabled = False
    pref.save(update_fields=["sms_enabled", "updated_at"])
    cancel_pending(patient=patient, channel=Channel.SMS, reason="Texts turned off.")
    log_action(
        actor=patient, action="reminders.sms_off", patient=patient, obj=pref, request=request
    )
    return pref


def is_stop_word(body: str) -> bool:
    return body.strip().upper().rstrip(".!") in STOP_WORDS


@transaction.atomic
def sms_stop_received(*, number: str, now: datetime | None = None) -> int:
    """The provider forwarded a STOP reply: texts to that number stop for every patient."""
    now = now or timezone.now()
    prefs = list(
        ReminderPreference.objects.select_for_update()
        .filter(sms_number=number)
        .select_related("patient")
    )
    for pref in prefs:
        ReminderPreference.objects.filter(pk=pref.pk).update(
            sms_enabled=False, sms_disabled_reason=STOPPED
        )
        cancel_pending(patient=pref.patient, channel=Channel.SMS, reason=STOPPED)
        log_action(
            actor=None,
            action="reminders.sms_stopped",
            patient=pref.patient,
            obj=pref,
            detail={"at": now.isoformat()},
        )
    return len(prefs)


# --- messages other apps ask for ------------------------------------------------------------


@dataclass(frozen=True)
class FlagDigest:
    """One clinician's daily list of new flags, as monitoring asks for it."""

    clinician_id: int
    flag_ids: list[int]
    day: date
    since: datetime


def account_message_write(
    *,
    kind: str,
    recipient: User | None,
    address: str,
    key: str,
    payload: dict[str, object],
    now: datetime | None = None,
) -> int:
    """One account message (an invitation, a sign-up link, a reset, a code) as an outbox row in
    the caller's transaction; the row's id. Preferences do not apply: the person asked for it,
    or needs it to use the account. Asking twice with the same key gives the same row."""
    if kind not in ACCOUNT_KINDS:
        raise ValueError(f"{kind!r} is not an account message.")
    existing = Notification.objects.filter(dedupe_key=key).values_list("pk", flat=True).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    row = Notification(
        recipient=recipient,
        address=address,
        kind=kind,
        channel=Channel.SMS if kind == Kind.SMS_CODE else Channel.EMAIL,
        dedupe_key=key,
        payload=payload,
        scheduled_for=now,
        next_attempt_at=now,
        created_at=now,
    )
    row.full_clean(validate_constraints=False)  # the key's uniqueness is the insert's to keep
    Notification.objects.bulk_create([row], ignore_conflicts=True)
    return Notification.objects.values_list("pk", flat=True).get(dedupe_key=key)


def flag_digests_enqueue(*, digests: list[FlagDigest], until: datetime, now: datetime) -> int:
    """Outbox rows for the day's flag digests: one per clinician and day, so asking twice
    is harmless."""
    rows = [
        Notification(
            recipient_id=digest.clinician_id,
            kind=Kind.FLAG_DIGEST,
            channel=Channel.EMAIL,
            dedupe_key=f"flag_digest:{digest.clinician_id}:{digest.day.isoformat()}",
            payload={
                "flag_ids": digest.flag_ids,
                "since": digest.since.isoformat(),
                "until": until.isoformat(),
            },
            scheduled_for=until,
            next_attempt_at=now,
            created_at=now,
        )
        for digest in digests
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
