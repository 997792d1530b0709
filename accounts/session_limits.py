"""How long a signed-in session lasts: an idle limit by role, an absolute limit from sign-in,
and "sign out everywhere" (a session from before the account's last sign-out epoch ends)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.messages.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils import timezone

from .audit import log_action
from .models import Role, User

# Seconds since the epoch (JSON-safe, as the session stores them).
SIGNED_IN_AT = "limits.signed_in_at"
LAST_SEEN = "limits.last_seen"
# The account's session_epoch when this session signed in.
EPOCH = "limits.epoch"
# Last-seen is rewritten at most this often, so most requests leave the session row alone.
LAST_SEEN_GRANULARITY = 60


def idle_minutes(user: User) -> int:
    """Clinicians and staff see many patients' records, often on shared computers."""
    if user.is_staff or user.role in (Role.CLINICIAN, Role.STAFF):
        return int(settings.SESSION_IDLE_MINUTES_STAFF)
    return int(settings.SESSION_IDLE_MINUTES_PATIENT)


def why_ended(request: HttpRequest, user: User, now: int) -> str:
    """Why this session must end now, as the person will read it ("" while it may go on)."""
    session = request.session
    # A session older than the stamp counts as epoch 0, so "sign out everywhere" ends it too.
    if session.get(EPOCH, 0) != user.session_epoch:
        return "You were signed out because your account was signed out everywhere."
    idle = idle_minutes(user)
    if now - int(session.get(LAST_SEEN, now)) > idle * 60:
        return f"You were signed out after {idle} minutes without activity."
    hours = int(settings.SESSION_ABSOLUTE_HOURS)
    if now - int(session.get(SIGNED_IN_AT, now)) > hours * 3600:
        return f"You were signed out because you signed in more than {hours} hours ago."
    return ""


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "json" in accept and "html" not in accept


def _signed_out(request: HttpRequest, reason: str) -> HttpResponse:
    """The answer to a request whose session just ended: pages go to the log-in page with the
    reason shown there; htmx is sent there too (a 401 it would not swap); JSON gets a 401."""
    next_path = request.get_full_path() if request.method in ("GET", "HEAD") else ""
    login = resolve_url(settings.LOGIN_URL)
    target = f"{login}?{urlencode({'next': next_path})}" if next_path else login
    if request.headers.get("HX-Request") == "true":
        response: HttpResponse = HttpResponse(reason, status=401, content_type="text/plain")
        response["HX-Redirect"] = target
    elif _wants_json(request):
        problem = {"type": "about:blank", "title": "Signed out", "status": 401, "detail": reason}
        response = JsonResponse(problem, status=401, content_type="application/problem+json")
    else:
        response = HttpResponseRedirect(target)
    # The message middleware runs after this one, so the message is stored here by hand.
    storage = default_storage(request)
    storage.add(messages.INFO, reason)
    storage.update(response)
    return response


class SessionLimitsMiddleware:
    """Ends a session that was idle too long, is older than the absolute limit, or predates
    "sign out everywhere". Requests without a signed-in session (API tokens, static files,
    visitors) pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = int(timezone.now().timestamp())
        reason = why_ended(request, user, now)
        if reason:
            logout(request)
            return _signed_out(request, reason)
        _touch(request, now)
        return self.get_response(request)


def _touch(request: HttpRequest, now: int) -> None:
    session = request.session
    if SIGNED_IN_AT not in session:  # a session from before these stamps: its limit starts now
        session[SIGNED_IN_AT] = now
    if now - int(session.get(LAST_SEEN, 0)) >= LAST_SEEN_GRANULARITY:
        session[LAST_SEEN] = now


def start(request: HttpRequest, user: User, *, now: datetime | None = None) -> None:
    """Stamp a new sign-in: its time and the account's current epoch."""
    stamp = int((now or timezone.now()).timestamp())
    request.session[SIGNED_IN_AT] = stamp
    request.session[LAST_SEEN] = stamp
    request.session[EPOCH] = user.session_epoch


@transaction.atomic
def sessions_end_everywhere(*, user: User, request: HttpRequest | None = None) -> int:
    """Every session of the account ends at its next request. Returns the new epoch."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    log_action(
        actor=user,
        action="sessions.ended_everywhere",
        obj=user,
        request=request,
        detail={"epoch": user.session_epoch},
    )
    return user.session_epoch


def _logged_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session") and isinstance(user, User):
        start(request, user)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="accounts.session_limits.logged_in")


connect()
