"""Two-factor sign-in URLs (in the accounts namespace): the second step, the methods page,
authenticator apps, passkeys (django-otp-webauthn's ceremonies under passkeys/) and
recovery codes."""

from django.urls import URLPattern, path

from .mfa import passkeys
from .mfa import views as mfa

urlpatterns: list[URLPattern] = [
    path("two-factor/", mfa.setup, name="mfa_setup"),
    path("two-factor/verify/", mfa.verify, name="mfa_verify"),
    path("two-factor/app/add/", mfa.totp_add, name="mfa_totp_add"),
    path("two-factor/app/<int:device_id>/remove/", mfa.remove_app, name="mfa_remove_app"),
    path("two-factor/passkeys/", mfa.passkeys, name="mfa_passkeys"),
    path(
        "two-factor/passkeys/<int:credential_id>/remove/",
        mfa.remove_passkey,
        name="mfa_remove_passkey",
    ),
    path("two-factor/recovery/", mfa.recovery, name="mfa_recovery"),
    path("two-factor/recovery/new/", mfa.recovery_codes, name="mfa_recovery_codes"),
    *passkeys.urlpatterns,
]
