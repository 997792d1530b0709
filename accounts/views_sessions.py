"""Session pages: "Confirm it's you" before sensitive actions, signing out everywhere, and
changing the account's email address."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import attach_errors

from .access import AuthedRequest
from .email_change import email_change_confirm as confirm_change
from .email_change import email_change_request, pending_email_change
from .forms import PASSWORD_MAX_LENGTH
from .reauth import mark_authenticated, recent_auth_required, safe_next
from .session_limits import sessions_end_everywhere

MISMATCH = "That is not your password. Check it and try again."


class ReauthForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "current-password"}),
    )


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(
        label="New email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _password_matches(request: AuthedRequest, password: str) -> bool:
    """Checked through authenticate() so django-axes counts a wrong password as it counts a
    failed log-in, under the same account key."""
    user = authenticate(request, username=request.user.email, password=password)
    return user is not None and user.pk == request.user.pk


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def reauth(request: AuthedRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _password_matches(request, form.cleaned_data["password"]):
            mark_authenticated(request)
            return redirect(next_url)
        if getattr(request, "axes_locked_out", False):
            # Too many guesses on an unattended session: end it; django-axes answers with the
            # log-in page and its pause message.
            logout(request)
            return redirect("accounts:login")
        form.add_error("password", MISMATCH)
    return render(
        request,
        "accounts/sessions/reauth.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


@require_POST
@recent_auth_required
def sign_out_everywhere(request: AuthedRequest) -> HttpResponse:
    sessions_end_everywhere(user=request.user, request=request)
    logout(request)
    messages.success(request, "You are signed out on every device, this one included.")
    return redirect("accounts:login")


@never_cache
@require_http_methods(["GET", "POST"])
@recent_auth_required
def email_change(request: AuthedRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["new_email"]
        try:
            # Taken or not, the answer is the same page; an error is about the form itself.
            email_change_request(user=request.user, new_email=new_email)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            context = {"new_email": new_email}
            return render(request, "accounts/sessions/email_change_sent.html", context)
    return render(
        request,
        "accounts/sessions/email_change.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the button (mail scanners open links; a GET changes nothing); POST switches
    the address. Signed in or not, but never from another account's session."""
    change = pending_email_change(token=token, now=timezone.now())
    page = "accounts/sessions/email_change_confirm.html"
    if change is None:
        return render(request, page, {"gone": True}, status=404)
    if request.user.is_authenticated and request.user.pk != change.user_id:
        return render(request, page, {"other_account": True}, status=404)
    if request.method == "GET":
        return render(request, page, {"change": change})
    try:
        confirm_change(token=token, request=request)
    except ValidationError as error:
        return render(request, page, {"gone": True, "reason": error.messages[0]}, status=404)
    messages.success(request, f"Your email address is now {change.new_email}.")
    return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")
