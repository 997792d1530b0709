"""Session pages: "Confirm it's you" before sensitive actions, signing out everywhere, and
changing the account's email address."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .access import AuthedRequest
from .forms import PASSWORD_MAX_LENGTH
from .reauth import mark_authenticated, safe_next

MISMATCH = "That is not your password. Check it and try again."


class ReauthForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "current-password"}),
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
        status=200 if not form.errors else 400,
    )
