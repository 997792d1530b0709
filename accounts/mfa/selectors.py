"""Reads for two-factor sign-in: which methods a person has and whether their role needs one.

A method is an authenticator app, a passkey or a set of recovery codes; codes alone never
exist for long (they go with the last other method), but they count while they do."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import User


def role_requires_mfa(user: User) -> bool:
    """Whoever can see other people's records must sign in with a second factor."""
    return bool(user.is_staff or user.role in settings.MFA_REQUIRED_ROLES)


def has_confirmed_device(user: User) -> bool:
    """Any confirmed method, in one query."""
    mine = {"user": OuterRef("pk"), "confirmed": True}
    codes = StaticDevice.objects.filter(**mine).filter(
        Exists(StaticToken.objects.filter(device=OuterRef("pk")))
    )
    return (
        User.objects.filter(pk=user.pk)
        .filter(
            Exists(TOTPDevice.objects.filter(**mine))
            | Exists(WebAuthnCredential.objects.filter(**mine))
            | Exists(codes)
        )
        .exists()
    )


@dataclass(frozen=True)
class Methods:
    apps: list[TOTPDevice]
    passkeys: list[WebAuthnCredential]
    codes_left: int

    @property
    def primary_count(self) -> int:
        return len(self.apps) + len(self.passkeys)


def methods_of(user: User) -> Methods:
    apps = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("created_at", "pk"))
    passkeys = list(
        WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")
    )
    codes_left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return Methods(apps=apps, passkeys=passkeys, codes_left=codes_left)


def primary_devices(user: User) -> list[TOTPDevice | WebAuthnCredential]:
    """The methods that stand on their own (apps and passkeys), oldest first."""
    methods = methods_of(user)
    return [*methods.apps, *methods.passkeys]
