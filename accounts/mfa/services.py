"""Writes for two-factor sign-in: adding and removing methods, recovery codes, and checking a
code. Every change is audited ("mfa.added" / "mfa.removed") and tells the account's owner by
email, in the same transaction."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import outgoing
from accounts.audit import log_action
from accounts.models import AuditEvent, User

from .selectors import primary_devices, role_requires_mfa

SECURITY = "security"  # the outbox's kind for sign-in security notices
RECOVERY_CODE_COUNT = 10
APP_NAME = "Authenticator app"
WRONG_CODE = "That code is not right. Check the time on your phone and try the newest code."
WRONG_RECOVERY_CODE = "That recovery code is not right, or it was already used."
SETUP_GONE = "This set-up has expired. Start again to get a new code to scan."
LAST_METHOD = "Your role needs two-factor sign-in: add another method before you remove this one."
# What each change says in the audit detail and in the email.
CHANGES = {
    ("mfa.added", "app"): "An authenticator app was added",
    ("mfa.added", "passkey"): "A passkey was added",
    ("mfa.added", "recovery_codes"): "New recovery codes were made (the old ones stop working)",
    ("mfa.removed", "app"): "An authenticator app was removed",
    ("mfa.removed", "passkey"): "A passkey was removed",
    ("mfa.removed", "recovery_codes"): "The recovery codes were removed",
}
_SIX_DIGITS = re.compile(r"^\d{6}$")


def throttled_message(seconds: int) -> str:
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many attempts, wait {seconds} {unit} and try again."


def _record(
    *, user: User, action: str, method: str, request: HttpRequest | None, tell: bool = True
) -> AuditEvent:
    """The audit row and the email to the owner, both in the caller's transaction."""
    event = log_action(
        actor=user, action=action, obj=user, request=request, detail={"method": method}
    )
    if not tell:
        return event
    outgoing.message_request(
        kind=SECURITY,
        recipient=user,
        key=f"security:{user.pk}:{event.pk}",
        payload={"event_id": event.pk},
    )
    return event


def describe(event: AuditEvent) -> str:
    """The sentence a security notice says for its audit event."""
    return CHANGES.get((event.action, str(event.detail.get("method"))), "Your sign-in changed")


def _lock(user: User) -> None:
    # One change of methods at a time per person: two removals at once could otherwise both
    # see another method left and leave a clinician with none.
    User.objects.select_for_update().filter(pk=user.pk).first()


# --- authenticator apps ------------------------------------------------------------------------


@transaction.atomic
def totp_start(*, user: User) -> TOTPDevice:
    """The app being set up: unconfirmed until a code from it is entered. Asking again shows
    the same secret, so a reload does not break a scan already made."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=APP_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@dataclass(frozen=True)
class CodeCheck:
    """The device that accepted a code, or why none did."""

    device: Device | None
    error: str = ""


def _wait_seconds(device: TOTPDevice | StaticDevice, now: datetime) -> int:
    allowed, info = device.verify_is_allowed()
    if allowed or not info or "locked_until" not in info:
        return 0
    locked_until: datetime = info["locked_until"]
    return max(1, math.ceil((locked_until - now).total_seconds()))


def _check(devices: list[TOTPDevice] | list[StaticDevice], code: str, wrong: str) -> CodeCheck:
    """Try each device; django-otp counts each failure on the device and makes the next try
    wait longer (1, 2, 4 ... seconds), so guessing six digits takes years."""
    now = timezone.now()
    waits = []
    for device in devices:
        wait = _wait_seconds(device, now)
        if wait:
            waits.append(wait)
        elif device.verify_token(code):
            return CodeCheck(device=device)
    if waits and len(waits) == len(devices):
        return CodeCheck(device=None, error=throttled_message(min(waits)))
    return CodeCheck(device=None, error=wrong)


def normalise_recovery_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def code_check(*, user: User, code: str) -> CodeCheck:
    """A six-digit code from an app, or a recovery code (used up when accepted). Each device
    is read locked and its failure count committed, right or wrong: a refused code must still
    count towards the wait."""
    code = code.strip()
    with transaction.atomic():
        if _SIX_DIGITS.match(code):
            apps = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
            return _check(apps, code, WRONG_CODE)
        sets = list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
        return _check(sets, normalise_recovery_code(code), WRONG_RECOVERY_CODE)


def totp_confirm(*, user: User, code: str, request: HttpRequest | None = None) -> TOTPDevice:
    """The app being set up becomes a method once it shows a right code. Its failures count
    (and are kept) as at sign-in."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if pending is None:
        raise ValidationError({"code": [SETUP_GONE]})
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=pending.pk, confirmed=False)
        check = _check(list(locked), code.strip(), WRONG_CODE)
    if check.device is None:
        raise ValidationError({"code": [check.error]})
    return _totp_confirmed(user=user, device_id=check.device.pk, request=request)


@transaction.atomic
def _totp_confirmed(*, user: User, device_id: int, request: HttpRequest | None) -> TOTPDevice:
    _lock(user)
    if not TOTPDevice.objects.filter(pk=device_id, confirmed=False).update(confirmed=True):
        raise ValidationError({"code": [SETUP_GONE]})  # confirmed by a twin request just now
    _record(user=user, action="mfa.added", method="app", request=request)
    return TOTPDevice.objects.get(pk=device_id)


# --- passkeys ----------------------------------------------------------------------------------


@transaction.atomic
def passkey_added(
    *, user: User, credential_id: int, request: HttpRequest | None = None
) -> WebAuthnCredential:
    """django-otp-webauthn stored the passkey (its own ceremony); this records it, in the
    transaction that stored it."""
    credential = WebAuthnCredential.objects.get(pk=credential_id, user=user)
    _record(user=user, action="mfa.added", method="passkey", request=request)
    return credential


# --- recovery codes ----------------------------------------------------------------------------


@transaction.atomic
def recovery_codes_issue(
    *, user: User, request: HttpRequest | None = None, first: bool = False
) -> list[str]:
    """Ten new one-time codes; the old ones stop working. Only with another method: codes
    alone are not a second factor. The set keeps its row, so a session verified by a code
    stays verified. The `first` codes come with a first method, whose email says enough."""
    _lock(user)
    if not primary_devices(user):
        raise ValidationError("Add an authenticator app or a passkey first.")
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    _record(user=user, action="mfa.added", method="recovery_codes", request=request, tell=not first)
    return codes


def first_codes_needed(user: User) -> bool:
    """A first method was just added: it comes with recovery codes, made once."""
    return not StaticDevice.objects.filter(user=user).exists()


# --- removing ----------------------------------------------------------------------------------


@transaction.atomic
def method_remove(
    *, user: User, device: TOTPDevice | WebAuthnCredential, request: HttpRequest | None = None
) -> None:
    """Remove one of the person's own apps or passkeys. A role that needs two-factor sign-in
    keeps at least one; when the last goes, the recovery codes go with it."""
    _lock(user)
    model = type(device)
    if not model.objects.filter(pk=device.pk, user=user, confirmed=True).exists():
        raise ValidationError("That method was already removed.")
    others = [d for d in primary_devices(user) if (type(d), d.pk) != (model, device.pk)]
    if not others and role_requires_mfa(user):
        raise ValidationError(LAST_METHOD)
    model.objects.filter(pk=device.pk).delete()
    method = "app" if model is TOTPDevice else "passkey"
    _record(user=user, action="mfa.removed", method=method, request=request)
    if not others and StaticDevice.objects.filter(user=user).exists():
        StaticDevice.objects.filter(user=user).delete()
        # Part of the same change, which the one email already tells.
        _record(
            user=user, action="mfa.removed", method="recovery_codes", request=request, tell=False
        )
