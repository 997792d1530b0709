"""The email-change messages: the confirmation link to the new address, and the notice to the
old one once the address has changed. Both are account messages, never stopped by preferences."""

from __future__ import annotations

from datetime import datetime

from accounts.email_change import EMAIL_CHANGE_LIFETIME, pending_email_change
from accounts.models import AuditEvent, EmailChange, User
from core.messages import site_link

from .account_messages import nothing_gone, register_account_kind
from .models import Kind, Notification


def email_change_context(row: Notification) -> dict[str, object]:
    change = EmailChange.objects.get(pk=row.payload["change_id"])
    return {
        "new_email": change.new_email,
        "url": site_link("accounts:email_change_confirm", change.token),
        "hours": int(EMAIL_CHANGE_LIFETIME.total_seconds() // 3600),
    }


def email_changed_context(row: Notification) -> dict[str, object]:
    event = AuditEvent.objects.get(pk=row.payload["event_id"])
    return {
        "old_email": event.detail.get("from", ""),
        "new_email": event.detail.get("to", ""),
    }


def _change_gone(row: Notification, now: datetime) -> str:
    change = EmailChange.objects.filter(pk=row.payload.get("change_id")).first()
    if change is None:
        return "The change was confirmed or replaced."
    live = pending_email_change(token=change.token, now=now)
    if live is None:
        return "The change link expired before it could be sent."
    if User.objects.filter(email__iexact=change.new_email).exists():
        return "The new address belongs to another account now."
    return ""


def register() -> None:
    register_account_kind(Kind.EMAIL_CHANGE, context=email_change_context, stale=_change_gone)
    register_account_kind(Kind.EMAIL_CHANGED, context=email_changed_context, stale=nothing_gone)
