"""What a session knows about two-factor sign-in: whether it passed the second step, and,
for a person who had no method when it was checked, that there is nothing to ask for.

Remembering "no method" in the session keeps the device lookup off every page of the many
patients who never turn two-factor sign-in on; any change of method in this session checks
again. A method added in another session applies from that session's next sign-in."""

from __future__ import annotations

from typing import Literal

import django_otp
from django.http import HttpRequest
from django_otp.models import Device

from accounts.models import User

from .selectors import has_confirmed_device, primary_devices, role_requires_mfa

# The pk of the user who had no method when this session was checked.
NO_METHOD = "mfa.no_method"
# Recovery codes made in this session and not shown yet (shown once, then gone).
NEW_CODES = "mfa.new_codes"

Step = Literal["verify", "enrol", ""]


def step_needed(request: HttpRequest, user: User) -> Step:
    """What the session must do before anything else: "verify" (it has a method and has not
    used it), "enrol" (its role needs a method and it has none), or "" (nothing)."""
    if user.is_verified():  # type: ignore[attr-defined]  # installed by django_otp's middleware
        return ""
    required = role_requires_mfa(user)
    if not required and request.session.get(NO_METHOD) == user.pk:
        return ""
    if has_confirmed_device(user):
        return "verify"
    if required:
        return "enrol"
    request.session[NO_METHOD] = user.pk
    return ""


def remember_no_method(request: HttpRequest, user: User) -> None:
    """The check step_needed makes on a session's first page, made now (after a sign-in)."""
    if not role_requires_mfa(user) and not has_confirmed_device(user):
        request.session[NO_METHOD] = user.pk


def methods_changed(request: HttpRequest, user: User) -> None:
    """After this session added or removed a method: check again, and keep the session
    verified with a method that is still there (the person proved it moments ago)."""
    request.session.pop(NO_METHOD, None)
    current: Device | None = getattr(user, "otp_device", None)
    if current is not None and type(current).objects.filter(pk=current.pk).exists():
        return
    remaining = primary_devices(user)
    if remaining:
        django_otp.login(request, remaining[0])
    else:
        request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
        user.otp_device = None  # type: ignore[attr-defined]


def verified_with(request: HttpRequest, device: Device) -> None:
    django_otp.login(request, device)
    request.session.pop(NO_METHOD, None)
