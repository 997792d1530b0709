"""Two-factor sign-in, enforced: a signed-in person with a method passes the second step
before any other page, and a role that needs a method (clinicians, staff) adds one first.

Patients without a method are left alone (it is optional for them). API token requests,
probes, the service worker and the manifest carry no session step."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .mfa.session import step_needed

ALWAYS_OPEN = frozenset({"healthz", "readyz", "favicon", "manifest", "service_worker", "offline"})
PASSKEY_SCRIPTS = frozenset({"accounts:passkey_jsi18n"})
# Before the second step: the step itself (code or passkey) and leaving.
VERIFY_OPEN = frozenset(
    {
        "accounts:mfa_verify",
        "accounts:passkey_auth_begin",
        "accounts:passkey_auth_complete",
        "accounts:logout",
        *PASSKEY_SCRIPTS,
    }
)
# Before a first method, for a role that needs one: adding it, its codes, and leaving.
ENROL_OPEN = frozenset(
    {
        "accounts:mfa_setup",
        "accounts:mfa_totp_add",
        "accounts:mfa_passkeys",
        "accounts:mfa_recovery_codes",
        # Adding a method asks for the password again once the sign-in is old.
        "accounts:reauth",
        "accounts:passkey_register_begin",
        "accounts:passkey_register_complete",
        "accounts:logout",
        *PASSKEY_SCRIPTS,
    }
)
API_PREFIX = "/api/v1/"  # token requests: no session, no session step
STEPS = {
    "verify": ("accounts:mfa_verify", VERIFY_OPEN),
    "enrol": ("accounts:mfa_setup", ENROL_OPEN),
}


class MfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        # The view is known here, so the open pages are named, not matched by path.
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if name in ALWAYS_OPEN or request.path_info.startswith(API_PREFIX):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        step = step_needed(request, user)
        if not step:
            return None
        target, open_names = STEPS[step]
        if name in open_names:
            return None
        return _send_to(request, target)


def _send_to(request: HttpRequest, target: str) -> HttpResponse:
    """To the step, and back to the page the person was going to; a form sent before the step
    is not replayed (its page may not answer GET), so that comes back to the start page."""
    url = reverse(target)
    if request.method in ("GET", "HEAD"):
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)
