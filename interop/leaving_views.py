"""The patient's leaving pages: download everything as one ZIP, and close the account
(confirmed by the email address and the password). Other roles get 404."""

from __future__ import annotations

from django import forms
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.access import AuthedRequest, patient_required
from accounts.reauth import recent_auth_required
from core.forms import submitted

from .leaving import account_close, record_download


class CloseAccountForm(forms.Form):
    """Parses only: the service checks the address and the password, so nothing is written
    when either is wrong."""

    email = forms.EmailField(
        label="Your email address",
        error_messages={"required": "Type your account's email address."},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        error_messages={"required": "Type your password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@patient_required
@recent_auth_required
def download_everything(request: AuthedRequest) -> HttpResponse:
    """GET explains what the file holds; POST answers with the file (a button, so that link
    previews and prefetching never make one, and each download is audited once)."""
    if request.method == "GET":
        return render(request, "interop/leaving/download.html")
    # A guardian acting for a dependent downloads the dependent's record, under their own name.
    actor = getattr(request, "acting_guardian", None) or request.user
    name, body = record_download(patient=request.user, actor=actor, request=request)
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@patient_required
@recent_auth_required
def close_account(request: AuthedRequest) -> HttpResponse:
    """GET explains what closing does; POST closes the account and signs out, answering with
    the goodbye page itself (there is no account left to redirect for)."""
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        closed = submitted(
            form,
            lambda: account_close(
                patient=request.user,
                email=data["email"],
                password=data["password"],
                request=request,
            ),
        )
        if closed is not None:
            logout(request)
            return render(request, "interop/leaving/closed.html")
    status = 400 if form.errors else 200
    return render(request, "interop/leaving/close.html", {"form": form}, status=status)
