"""django-otp-webauthn's passkey ceremonies, as its own views with two changes: adding a
passkey is recorded like any other method (audit and email, in the transaction that stores
it, with recovery codes for a first method), and a passkey is a second step only, never a
way in without the password (the log-in throttling is on the password)."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from accounts.models import User
from accounts.reauth import authenticated_recently, mark_authenticated

from . import services, session


class RecentSignInOnly:
    """Adding a passkey is a two-factor change: the session must have proved who it is within
    REAUTH_MINUTES, as on the pages that start the ceremony (a stale session calling these
    endpoints directly is refused)."""

    request: HttpRequest

    def check_can_register(self) -> None:
        if not authenticated_recently(self.request):
            raise exceptions.NotAuthenticated(
                detail="Confirm it's you (your password) before adding a passkey.",
                code="reauthentication_required",
            )


class BeginRegistration(RecentSignInOnly, BeginCredentialRegistrationView):  # type: ignore[misc]
    pass


class CompleteRegistration(RecentSignInOnly, CompleteCredentialRegistrationView):  # type: ignore[misc]
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        request: HttpRequest = self.request
        with transaction.atomic():
            response: HttpResponse = super().post(*args, **kwargs)
            if response.status_code != 200:
                return response
            user: User = request.user  # type: ignore[assignment]
            credential_id = int(json.loads(response.content)["id"])
            first = services.first_codes_needed(user)
            services.passkey_added(user=user, credential_id=credential_id, request=request)
            if first:
                codes = services.recovery_codes_issue(user=user, request=request, first=True)
                request.session[session.NEW_CODES] = codes
        session.methods_changed(request, user)
        return response


class SecondStepOnly:
    """The ceremony runs only for a person who has given their password in this session."""

    request: HttpRequest

    def check_can_authenticate(self) -> None:
        if not self.request.user.is_authenticated:
            raise exceptions.PasswordlessLoginDisabled()


class BeginAuthentication(SecondStepOnly, BeginCredentialAuthenticationView):  # type: ignore[misc]
    pass


class CompleteAuthentication(SecondStepOnly, CompleteCredentialAuthenticationView):  # type: ignore[misc]
    def complete_auth(self, device: WebAuthnCredential) -> None:
        user: User = self.request.user  # type: ignore[assignment]
        # Only the second step of a sign-in counts as proof for "confirm it's you": a touch
        # of a key on a session already past that step proves nothing new.
        was_second_step = session.step_needed(self.request, user) == "verify"
        super().complete_auth(device)
        session.verified_with(self.request, device)
        if was_second_step:
            mark_authenticated(self.request)


# The package's endpoints under accounts/passkeys/, on these views.
urlpatterns = [
    path(
        "passkeys/registration/begin/",
        BeginRegistration.as_view(),
        name="passkey_register_begin",
    ),
    path(
        "passkeys/registration/complete/",
        CompleteRegistration.as_view(),
        name="passkey_register_complete",
    ),
    path(
        "passkeys/authentication/begin/",
        BeginAuthentication.as_view(),
        name="passkey_auth_begin",
    ),
    path(
        "passkeys/authentication/complete/",
        CompleteAuthentication.as_view(),
        name="passkey_auth_complete",
    ),
    path(
        "passkeys/jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="passkey_jsi18n",
    ),
]
