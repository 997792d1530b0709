"""The sign-in security notice: an email to the account's owner when its two-factor methods
change, saying what changed and when, so a change they did not make is noticed."""

from __future__ import annotations

from accounts.mfa.services import describe
from accounts.models import AuditEvent
from core.messages import site_link

from .account_messages import nothing_gone, register_account_kind
from .models import Kind, Notification


def security_context(row: Notification) -> dict[str, object]:
    """The change is read from its audit row: the request holds its id only."""
    event = AuditEvent.objects.get(pk=row.payload["event_id"])
    return {
        "change": describe(event),
        "at": event.at,
        "email": row.account.email,
        "url": site_link("accounts:mfa_setup"),
        "reset_url": site_link("accounts:password_reset"),
    }


def register() -> None:
    # Late as it may go, a notice that sign-in changed is still worth reading.
    register_account_kind(Kind.SECURITY, context=security_context, stale=nothing_gone)
