"""Reads for accounts: who may see whom, and the lists shown on care-team pages.

`patient_for_clinician` is the access check every clinician view goes through.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet, Window
from django.http import Http404

from .models import AuditEvent, CareLink, PendingSignup, Role, User
from .read_audit import ACTION as READ_ACTION
from .read_audit import KIND_LABELS
from .validators import looks_like_token

SIGNUP_LINK_LIFETIME = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def patient_for_clinician(*, clinician: User, patient_id: int) -> User:
    """The patient, if this clinician holds an active link to them; 404 otherwise."""
    if not clinician.is_authenticated or clinician.role != Role.CLINICIAN:
        raise Http404
    patient = (
        User.objects.select_related("patient_profile")
        .filter(
            pk=patient_id,
            role=Role.PATIENT,
            clinician_links__clinician=clinician,
            clinician_links__status=CareLink.Status.ACTIVE,
        )
        .first()
    )
    if patient is None:
        raise Http404
    return patient


def links_for_patient(*, patient: User) -> QuerySet[CareLink]:
    """The patient's links in every state but closed (which only a closed account has)."""
    return (
        CareLink.objects.filter(patient=patient)
        .exclude(status=CareLink.Status.CLOSED)
        .select_related("clinician__clinician_profile", "clinician__patient_profile")
        .order_by("status", "-created_at")
    )


def pending_invitation(*, token: str) -> CareLink | None:
    """The pending invitation a sign-up link names; None for a token that cannot be ours."""
    if not looks_like_token(token):
        return None
    return (
        CareLink.objects.select_related("clinician__clinician_profile")
        .filter(token=token, status=CareLink.Status.PENDING)
        .first()
    )


def signup_pending(*, token: str, now: datetime) -> PendingSignup | None:
    """The sign-up a link names, while the link is young enough to use."""
    if not looks_like_token(token):
        return None
    return PendingSignup.objects.filter(
        token=token, created_at__gte=now - SIGNUP_LINK_LIFETIME
    ).first()


# --- sharing and the read audit ----------------------------------------------------------------

READS_SHOWN = 50
READS_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class ReadRow:
    who: str
    what: str
    at: datetime


@dataclass(frozen=True)
class RecentReads:
    """The newest reads of a record, and how many there were in the window in all."""

    rows: list[ReadRow]
    total: int
    days: int


def _read_row(event: AuditEvent) -> ReadRow:
    kind = str(event.detail.get("kind", "page"))
    who = event.actor.display_name if event.actor is not None else "Someone"
    return ReadRow(who=who, what=KIND_LABELS.get(kind, KIND_LABELS["page"]), at=event.at)


def recent_reads(*, patient: User, now: datetime, limit: int = READS_SHOWN) -> RecentReads:
    """Who read the patient's record lately, newest first: one query, the total counted in it."""
    events = list(
        AuditEvent.objects.filter(patient=patient, action=READ_ACTION, at__gte=now - READS_WINDOW)
        .exclude(actor=patient)
        .select_related("actor__clinician_profile", "actor__patient_profile")
        .annotate(total=Window(Count("pk")))
        .order_by("-at", "-id")[:limit]
    )
    total: int = getattr(events[0], "total", len(events)) if events else 0
    return RecentReads(
        rows=[_read_row(event) for event in events], total=total, days=READS_WINDOW.days
    )


def share_requests_for_clinician(*, clinician: User) -> QuerySet[CareLink]:
    """Patients who asked this clinician to see their record, oldest request first."""
    return (
        CareLink.objects.filter(clinician=clinician, status=CareLink.Status.REQUESTED)
        .select_related("patient__patient_profile")
        .order_by("created_at", "pk")
    )


def closed_links_for_clinician(*, clinician: User) -> QuerySet[CareLink]:
    """Links ended because the patient closed their account, most recent first."""
    return (
        CareLink.objects.filter(clinician=clinician, status=CareLink.Status.CLOSED)
        .select_related("patient__patient_profile")
        .order_by("-ended_at", "-pk")
    )
