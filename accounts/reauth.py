"""Re-authentication for sensitive actions: a page that asks for the password again once the
session's last proof of identity (log-in, 2FA, or that page) is older than REAUTH_MINUTES."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

View = Callable[..., HttpResponse]

# Seconds since the epoch (JSON-safe) of the session's last proof of identity.
AUTHENTICATED_AT = "auth.verified_at"


def mark_authenticated(request: HttpRequest, *, now: datetime | None = None) -> None:
    """The person behind this session has just proved who they are (password or 2FA)."""
    request.session[AUTHENTICATED_AT] = int((now or timezone.now()).timestamp())


def authenticated_recently(request: HttpRequest, *, now: datetime | None = None) -> bool:
    """Whether the session's last proof of identity is within REAUTH_MINUTES. A session
    without one (begun before the stamp existed) counts as stale."""
    stamp = request.session.get(AUTHENTICATED_AT)
    if not isinstance(stamp, int):
        return False
    age = (now or timezone.now()).timestamp() - stamp
    return 0 <= age <= settings.REAUTH_MINUTES * 60


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """`candidate` when it stays on this site, else the home page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _come_back_to(request: HttpRequest) -> str:
    """Where to go once confirmed. A stale POST is never replayed: the person comes back to
    the page the form was on (a GET) and sends it again knowingly."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return safe_next(request, request.headers.get("Referer"))


def reauth_url(next_url: str) -> str:
    return f"{reverse('accounts:reauth')}?{urlencode({'next': next_url})}"


def recent_auth_required(view: View) -> View:
    """Run `view` only if the session proved its identity within REAUTH_MINUTES; otherwise
    send the person to "Confirm it's you" and back. Anonymous visitors go to the log-in page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if authenticated_recently(request):
            return view(request, *args, **kwargs)
        target = reauth_url(_come_back_to(request))
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)

    return wrapped


def _logged_in(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    # A log-in through a form is a password check; Django sends this for every log-in.
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="accounts.reauth.logged_in")


# Connected on import as well, so any code path that imports the decorator stamps log-ins.
connect()
