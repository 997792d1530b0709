"""The carer invitation as an account message: what it says, and when it no longer goes.

Its link is the invitation's own token URL; a person without an account signs up first, then
opens the same link (or finds the invitation on their "People I care for" page)."""

from __future__ import annotations

from datetime import datetime

from accounts.models import Role, User
from core.messages import site_link
from reminders.models import Notification

from .models import CarerLink


def invite_context(row: Notification) -> dict[str, object]:
    link = CarerLink.objects.select_related("patient__patient_profile").get(
        pk=row.payload["link_id"]
    )
    return {
        "patient": link.patient.display_name,
        "url": site_link("carers:accept_invite", link.token),
        "signup_url": site_link("accounts:signup"),
        "has_account": row.recipient_id is not None,
        "can_log": link.can_log,
        "gets_alerts": link.gets_alerts,
        "hours": link.alert_after_hours,
    }


def invite_gone(row: Notification, now: datetime) -> str:
    link = CarerLink.objects.filter(pk=row.payload.get("link_id")).first()
    if link is None or link.status != CarerLink.Status.PENDING:
        return "The invitation is no longer pending."
    owner = User.objects.filter(email__iexact=link.invited_email).first()
    if owner is not None and owner.role != Role.PATIENT:
        # Carers use an ordinary patient account: a clinician's or staff address cannot accept.
        return "The address belongs to an account that cannot accept invitations."
    return ""
