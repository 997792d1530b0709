"""Acting for a dependent: while the guardian's session names a dependent whose record they
hold, the patient pages run as the dependent, and the real user stays at
`request.acting_guardian` for the banner, the audit and the read audit.

Pages about the guardian's own sign-in and account (password, two-factor, sessions, tokens,
closing the account) and the carer pages never act: they stay the guardian's own."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from accounts.models import User
from accounts.read_audit import mark_read

from . import selectors

SESSION_KEY = "carers.acting_for"
# Namespaces whose pages are always the signed-in person's own.
OWN_NAMESPACES = {"carers", "admin", "api"}
# Account pages that are about the record, not the sign-in: these act for the dependent.
ACTING_ACCOUNT_PAGES = {
    "accounts:profile",
    "accounts:care_team",
    "accounts:carelink_accept",
    "accounts:carelink_decline",
    "accounts:carelink_revoke",
    # The care team page's share form: sharing there shares the dependent's record.
    "accounts:share",
    "accounts:share_withdraw",
}
OWN_PAGES = {"interop:close_account"}
# What django-otp's middleware puts on the signed-in user.
OTP_STATE = ("otp_device", "is_verified")


def acts_on(path: str) -> bool:
    """Whether the page at `path` runs as the dependent while acting."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.namespaces and match.namespaces[0] in OWN_NAMESPACES:
        return False
    if match.view_name.startswith("accounts:"):
        return match.view_name in ACTING_ACCOUNT_PAGES
    return match.view_name not in OWN_PAGES


def acting_for(request: HttpRequest) -> User | None:
    """The dependent the request's session acts for, if the guardianship still holds; a
    session naming one that ended falls back to the guardian (the key is dropped)."""
    dependent_id = request.session.get(SESSION_KEY)
    user = request.user
    if dependent_id is None or not isinstance(user, User):
        return None
    dependent = selectors.dependent_of(guardian=user, dependent_id=dependent_id)
    if dependent is None:
        del request.session[SESSION_KEY]
    return dependent


class ActingForMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.acting_guardian = None  # type: ignore[attr-defined]
        request.acting_as = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            dependent = acting_for(request)
            if dependent is not None:
                request.acting_as = dependent  # type: ignore[attr-defined]
                if acts_on(request.path_info):
                    self.act(request, dependent)
        return self.get_response(request)

    @staticmethod
    def act(request: HttpRequest, dependent: User) -> None:
        guardian = request.user
        # Two-factor state belongs to the session, that is to the guardian who signed in.
        for name in OTP_STATE:
            if hasattr(guardian, name):
                setattr(dependent, name, getattr(guardian, name))
        request.acting_guardian = guardian  # type: ignore[attr-defined]
        request.user = dependent
        # The guardian reads another person's record: the read audit names them.
        mark_read(request, dependent, "page", actor=guardian)  # type: ignore[arg-type]
