"""Two-factor sign-in pages: the second step after the password, the list of a person's
methods, adding an authenticator app or a passkey, recovery codes, and removing a method.

Removing a method and making new codes need a recent sign-in (accounts.reauth); another
person's method answers 404."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware import csrf
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.access import AuthedRequest
from accounts.reauth import mark_authenticated, recent_auth_required
from core.forms import submitted

from . import selectors, services, session
from .forms import TotpConfirmForm, VerifyForm

REMOVABLE = {"app": TOTPDevice, "passkey": WebAuthnCredential}


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """`candidate` when it stays on this site, else the start page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def passkey_config(request: HttpRequest) -> dict[str, object]:
    """What the package's scripts read from the page (its template tag's configuration)."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("accounts:passkey_auth_begin"),
        "completeAuthenticationUrl": reverse("accounts:passkey_auth_complete"),
        "beginRegistrationUrl": reverse("accounts:passkey_register_begin"),
        "completeRegistrationUrl": reverse("accounts:passkey_register_complete"),
    }


@require_http_methods(["GET", "POST"])
@login_required
def verify(request: AuthedRequest) -> HttpResponse:
    """The second step: a code from the app, a recovery code, or a passkey."""
    user = request.user
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if session.step_needed(request, user) != "verify":
        return redirect(next_url)
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.code_check(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            session.verified_with(request, check.device)
            mark_authenticated(request)
            return redirect(next_url)
        form.add_error("code", check.error)
    methods = selectors.methods_of(user)
    context = {
        "form": form,
        "next": next_url,
        "has_passkeys": bool(methods.passkeys),
        "has_apps": bool(methods.apps),
        "passkey_config": passkey_config(request),
    }
    return render(request, "accounts/mfa/verify.html", context)


@login_required
def setup(request: AuthedRequest) -> HttpResponse:
    """The person's methods, with what they can add or remove."""
    if request.session.get(session.NEW_CODES):
        return redirect("accounts:mfa_recovery_codes")
    user = request.user
    methods = selectors.methods_of(user)
    return render(
        request,
        "accounts/mfa/setup.html",
        {
            "methods": methods,
            "required": selectors.role_requires_mfa(user),
            "enrolled": methods.primary_count > 0,
            "next": safe_next(request, request.GET.get("next")),
        },
    )


def _qr_svg(device: TOTPDevice) -> str:
    qr = segno.make(device.config_url, error="m")
    svg: str = qr.svg_inline(scale=4, title="QR code for your authenticator app")
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-title" ', 1))  # noqa: S308 (segno's own markup, no user text)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_http_methods(["GET", "POST"])
@login_required
@recent_auth_required
def totp_add(request: AuthedRequest) -> HttpResponse:
    """Scan (or type) the secret, then prove it with a code: only then is it a method."""
    user = request.user
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        first = services.first_codes_needed(user)
        device = submitted(
            form, lambda: services.totp_confirm(user=user, code=form.cleaned_data["code"])
        )
        if device is not None:
            if first:
                request.session[session.NEW_CODES] = services.recovery_codes_issue(
                    user=user, request=request, first=True
                )
            session.methods_changed(request, user)
            messages.success(request, "Your authenticator app is set up.")
            return redirect("accounts:mfa_setup")
    device = services.totp_start(user=user)
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return render(
        request,
        "accounts/mfa/totp_add.html",
        {"form": form, "qr": _qr_svg(device), "secret": _grouped(secret)},
    )


@login_required
@recent_auth_required
def passkeys(request: AuthedRequest) -> HttpResponse:
    methods = selectors.methods_of(request.user)
    return render(
        request,
        "accounts/mfa/passkeys.html",
        {"passkeys": methods.passkeys, "passkey_config": passkey_config(request)},
    )


@login_required
def recovery_codes(request: AuthedRequest) -> HttpResponse:
    """New codes, shown once: they leave the session as the page is made."""
    codes = request.session.pop(session.NEW_CODES, None)
    if not codes:
        return redirect("accounts:mfa_setup")
    return render(request, "accounts/mfa/recovery_codes.html", {"codes": codes})


@require_http_methods(["GET", "POST"])
@recent_auth_required
def recovery(request: AuthedRequest) -> HttpResponse:
    """GET explains (the old codes stop working); POST makes new ones."""
    user = request.user
    if not selectors.primary_devices(user):
        raise Http404
    if request.method == "GET":
        left = selectors.methods_of(user).codes_left
        return render(request, "accounts/mfa/recovery.html", {"codes_left": left})
    request.session[session.NEW_CODES] = services.recovery_codes_issue(user=user, request=request)
    return redirect("accounts:mfa_recovery_codes")


def _remove(request: AuthedRequest, kind: str, device_id: int) -> HttpResponse:
    model = REMOVABLE[kind]
    device = model.objects.filter(pk=device_id, user=request.user, confirmed=True).first()
    if device is None:
        raise Http404
    user = request.user
    others = selectors.methods_of(user).primary_count - 1
    context: dict[str, object] = {"device": device, "kind": kind, "last": others == 0}
    if others == 0 and selectors.role_requires_mfa(user):
        context["error"] = services.LAST_METHOD
    if request.method == "GET":
        return render(request, "accounts/mfa/remove.html", context)
    try:
        services.method_remove(user=user, device=device, request=request)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "accounts/mfa/remove.html", context, status=400)
    session.methods_changed(request, user)
    messages.success(request, "Removed. We have emailed you about the change.")
    return redirect("accounts:mfa_setup")


@require_http_methods(["GET", "POST"])
@recent_auth_required
def remove_app(request: AuthedRequest, device_id: int) -> HttpResponse:
    return _remove(request, "app", device_id)


@require_http_methods(["GET", "POST"])
@recent_auth_required
def remove_passkey(request: AuthedRequest, credential_id: int) -> HttpResponse:
    return _remove(request, "passkey", credential_id)
