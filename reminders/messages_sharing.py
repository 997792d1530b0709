"""The message a clinician gets when a patient asks them to see their record: what it says,
and when it has gone stale (the request was answered or withdrawn before it went)."""

from __future__ import annotations

from datetime import datetime

from accounts.models import CareLink
from core.messages import site_link

from .account_messages import register_account_kind
from .models import Kind, Notification


def share_request_context(row: Notification) -> dict[str, object]:
    """Names the patient only: their record is behind the link, once the clinician accepts."""
    link = CareLink.objects.select_related("patient__patient_profile").get(
        pk=row.payload["link_id"]
    )
    patient = link.patient
    return {
        "patient": patient.display_name if patient is not None else link.invited_email,
        "url": site_link("clinic:invitations"),
    }


def share_request_gone(row: Notification, now: datetime) -> str:
    link = CareLink.objects.filter(pk=row.payload.get("link_id")).first()
    if link is None or link.status != CareLink.Status.REQUESTED:
        return "The patient's request is no longer waiting for an answer."
    return ""


def register() -> None:
    register_account_kind(
        Kind.SHARE_REQUEST, context=share_request_context, stale=share_request_gone
    )
