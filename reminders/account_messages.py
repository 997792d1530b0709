"""Account messages in the outbox: what each says, when one has gone stale, and what a failed
one means. Their links and codes are made when the row is sent, never stored with it.

Accounts asks for them by signal (`accounts.outgoing`); the SMS code is reminders' own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import CareLink, PendingSignup, User
from accounts.selectors import SIGNUP_LINK_LIFETIME
from core.messages import site_link

from . import services
from .messages import ContextBuilder, register_context
from .models import Kind, Notification, ReminderPreference


def _hours(lifetime: timedelta) -> int:
    return int(lifetime.total_seconds() // 3600)


def _reset_lifetime() -> timedelta:
    return timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def _requested_at(row: Notification) -> datetime:
    return datetime.fromisoformat(str(row.payload["requested_at"]))


# --- what each says --------------------------------------------------------------------------


def invitation_context(row: Notification) -> dict[str, object]:
    link = CareLink.objects.select_related("clinician__clinician_profile").get(
        pk=row.payload["link_id"]
    )
    if link.patient_id:
        url = site_link("accounts:care_team")
    else:
        url = site_link("accounts:signup") + f"?invite={link.token}"
    return {
        "clinician": link.clinician.display_name,
        "url": url,
        "has_account": bool(link.patient_id),
    }


def signup_link_context(row: Notification) -> dict[str, object]:
    pending = PendingSignup.objects.get(pk=row.payload["pending_id"])
    return {
        "name": pending.display_name,
        "url": site_link("accounts:signup_confirm", pending.token),
        "hours": _hours(SIGNUP_LINK_LIFETIME),
    }


def signup_exists_context(row: Notification) -> dict[str, object]:
    return {
        "login_url": site_link("accounts:login"),
        "reset_url": site_link("accounts:password_reset"),
    }


def password_reset_context(row: Notification) -> dict[str, object]:
    """The link is made now, so it lasts its full lifetime from when it is sent."""
    user = row.account
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return {
        "email": user.email,
        "url": site_link("accounts:password_reset_confirm", uid, token),
        "hours": _hours(_reset_lifetime()),
    }


def sms_code_context(row: Notification) -> dict[str, object]:
    """A fresh code for each attempt; only its hash is kept, on the preferences."""
    code = services.sms_code_issue(
        patient_id=row.account.pk,
        number=row.address,
        requested_at=_requested_at(row),
        now=timezone.now(),
    )
    if code is None:  # the request ended between the stale check and now: retried, then cancelled
        raise ValueError(f"Notification {row.pk}: the code request is no longer waiting.")
    return {
        "code": code,
        "minutes": int(services.CODE_LIFETIME.total_seconds() // 60),
    }


CONTEXTS: dict[str, ContextBuilder] = {
    Kind.INVITATION: invitation_context,
    Kind.SIGNUP_LINK: signup_link_context,
    Kind.SIGNUP_EXISTS: signup_exists_context,
    Kind.PASSWORD_RESET: password_reset_context,
    Kind.SMS_CODE: sms_code_context,
}


def register() -> None:
    for kind, builder in CONTEXTS.items():
        register_context(kind, builder)


# --- when one has gone stale -------------------------------------------------------------------


def _invitation_gone(row: Notification, now: datetime) -> str:
    link = CareLink.objects.filter(pk=row.payload.get("link_id")).first()
    if link is None or link.status != CareLink.Status.PENDING:
        return "The invitation is no longer pending."
    if link.patient_id is None and User.objects.filter(email__iexact=link.invited_email).exists():
        # The address belongs to an account that cannot be a patient's: nothing it could do.
        return "The address belongs to an account that cannot accept invitations."
    return ""


def _signup_gone(row: Notification, now: datetime) -> str:
    pending = PendingSignup.objects.filter(pk=row.payload.get("pending_id")).first()
    if pending is None:
        return "The sign-up was used or replaced."
    if pending.created_at < now - SIGNUP_LINK_LIFETIME:
        return "The sign-up link expired before it could be sent."
    return ""


def _nothing_gone(row: Notification, now: datetime) -> str:
    return ""


def _reset_gone(row: Notification, now: datetime) -> str:
    if row.created_at < now - _reset_lifetime():
        return "The reset was asked for longer ago than a reset link lasts."
    user = row.account
    if not user.is_active or not user.has_usable_password():
        return "The account can no longer reset its password."
    return ""


def _code_gone(row: Notification, now: datetime) -> str:
    pref = ReminderPreference.objects.filter(patient_id=row.recipient_id).first()
    if pref is None or pref.sms_pending_number != row.address:
        if pref is not None and pref.sms_number == row.address:
            return "The number is already confirmed."
        return "Another number is being confirmed now."
    if pref.sms_code_sent_at != _requested_at(row):
        return "A newer code was asked for."
    if row.created_at < now - services.CODE_LIFETIME:
        return "The code could not be sent before it would have expired."
    return ""


STALE_CHECKS: dict[str, Callable[[Notification, datetime], str]] = {
    Kind.INVITATION: _invitation_gone,
    Kind.SIGNUP_LINK: _signup_gone,
    Kind.SIGNUP_EXISTS: _nothing_gone,
    Kind.PASSWORD_RESET: _reset_gone,
    Kind.SMS_CODE: _code_gone,
}


def register_account_kind(
    kind: str, *, context: ContextBuilder, stale: Callable[[Notification, datetime], str]
) -> None:
    """Another account message: what it says, and why it would no longer go ("" if it should).
    The kind must be one of ACCOUNT_KINDS, which preferences never stop."""
    register_context(kind, context)
    STALE_CHECKS[kind] = stale


def nothing_gone(row: Notification, now: datetime) -> str:
    """For a message that stays worth sending however late it goes."""
    return ""


def why_not(row: Notification, *, now: datetime) -> str:
    """Why an account message must not go any more ("" when it should). Preferences never
    apply: the person asked for it or needs it."""
    return STALE_CHECKS[row.kind](row, now)


# --- what a failure means ----------------------------------------------------------------------


def gave_up(row: Notification, *, reason: str) -> None:
    """An account message that will not go (failed for good, or cancelled). The address was the
    invited one or a number being checked, so the patient's reminder channels stay as they
    are; a code that will not arrive is said on the preferences page, to ask again."""
    if row.kind != Kind.SMS_CODE or row.recipient_id is None:
        return
    services.sms_code_failed(
        patient_id=row.recipient_id,
        number=row.address,
        requested_at=_requested_at(row),
        reason=reason,
    )
