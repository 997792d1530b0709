"""Reads for accounts: who may see whom, and the lists shown on care-team pages.

`patient_for_clinician` is the access check every clinician view goes through.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from .models import CareLink, PendingSignup, Role, User
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
    return (
        CareLink.objects.filter(patient=patient)
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
