"""Reads for accounts: who may see whom, and the lists shown on care-team pages.

`patient_for_clinician` is the access check every clinician view goes through.
"""

from django.db.models import QuerySet
from django.http import Http404

from .models import CareLink, Role, User


def active_link_exists(*, clinician: User, patient_id: int) -> bool:
    return CareLink.objects.filter(
        clinician=clinician, patient_id=patient_id, status=CareLink.Status.ACTIVE
    ).exists()


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
        .select_related("clinician__clinician_profile")
        .order_by("status", "-created_at")
    )


def links_for_clinician(*, clinician: User) -> QuerySet[CareLink]:
    return (
        CareLink.objects.filter(clinician=clinician)
        .select_related("patient__patient_profile")
        .order_by("status", "invited_email")
    )


def linked_patients(*, clinician: User) -> QuerySet[User]:
    return (
        User.objects.filter(
            role=Role.PATIENT,
            clinician_links__clinician=clinician,
            clinician_links__status=CareLink.Status.ACTIVE,
        )
        .select_related("patient_profile")
        .order_by("patient_profile__display_name", "email")
    )
