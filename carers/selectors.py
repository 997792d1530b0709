"""Reads for the carer and dependent pages, and the access checks behind them: each answers
None (the view's 404) for anything that is not the asking user's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from accounts.models import Role, User
from core.clock import local_today
from schedules import selectors as schedule_selectors
from schedules.models import Dose, Injection, Prescription

from .models import DEPENDENT_DOMAIN, CarerLink, Guardianship


def links_of_patient(*, patient: User) -> QuerySet[CarerLink]:
    """The patient's carers and open invitations, newest first."""
    return (
        CarerLink.objects.filter(patient=patient, status__in=CarerLink.OPEN)
        .select_related("carer__patient_profile")
        .order_by("-created_at", "-pk")
    )


def patient_link(*, patient: User, link_id: int) -> CarerLink | None:
    """One of the patient's own open links."""
    return (
        links_of_patient(patient=patient).filter(pk=link_id).first()
        if patient.role == Role.PATIENT
        else None
    )


def caring_links(*, carer: User) -> QuerySet[CarerLink]:
    """The people the carer looks after now, by name."""
    return (
        CarerLink.objects.filter(carer=carer, status=CarerLink.Status.ACTIVE)
        .select_related("patient__patient_profile")
        .order_by("patient__patient_profile__display_name", "pk")
    )


def carer_link(*, carer: User, link_id: int, to_log: bool = False) -> CarerLink | None:
    """The carer's active link `link_id`; with `to_log`, only if it lets the carer log."""
    links = caring_links(carer=carer).filter(pk=link_id)
    if to_log:
        links = links.filter(can_log=True)
    return links.first() if carer.role == Role.PATIENT else None


def invitations_for(*, user: User) -> QuerySet[CarerLink]:
    """Invitations waiting for the user's address (from someone else)."""
    return (
        CarerLink.objects.filter(invited_email__iexact=user.email, status=CarerLink.Status.PENDING)
        .exclude(patient=user)
        .select_related("patient__patient_profile")
        .order_by("-created_at")
    )


def invitation(*, token: str) -> CarerLink | None:
    """The invitation a link's token names, whatever its state."""
    if not token:
        return None
    return CarerLink.objects.select_related("patient__patient_profile").filter(token=token).first()


def dependents_of(*, guardian: User) -> QuerySet[User]:
    """The dependents whose records the guardian holds now, by name."""
    return (
        User.objects.filter(guardianships__guardian=guardian, guardianships__ended_at__isnull=True)
        .select_related("patient_profile")
        .order_by("patient_profile__display_name", "pk")
    )


def dependent_of(*, guardian: User, dependent_id: object) -> User | None:
    """The dependent `dependent_id` if the guardian holds that record now, else None."""
    if not isinstance(dependent_id, int) or guardian.role != Role.PATIENT:
        return None
    return dependents_of(guardian=guardian).filter(pk=dependent_id).first()


def guardianship_open(*, dependent: User) -> Guardianship | None:
    return Guardianship.objects.filter(dependent=dependent, ended_at__isnull=True).first()


@dataclass(frozen=True)
class Overview:
    """What a carer sees of a patient: read-only, the schedule's near future and recent past."""

    prescription: Prescription | None
    today: date
    upcoming: list[Dose]
    recent: list[Injection]


UPCOMING = 5
RECENT = 10


def overview(*, patient: User) -> Overview:
    today = local_today(patient)
    rx = schedule_selectors.active_prescription(patient=patient)
    upcoming: list[Dose] = []
    if rx is not None:
        doses = Dose.objects.open().filter(prescription=rx, latest__gte=today)
        upcoming = list(doses.order_by("due", "pk")[:UPCOMING])
    history = schedule_selectors.injection_history(patient=patient)
    recent = list(history.filter(status=Injection.Status.RECORDED)[:RECENT])
    return Overview(prescription=rx, today=today, upcoming=upcoming, recent=recent)


def guardian_address(user: User) -> str | None:
    """A dependent's mail goes to the guardian who holds the record now; None for anyone else
    (their own address is used)."""
    if not user.email.endswith("@" + DEPENDENT_DOMAIN):
        return None
    held = (
        Guardianship.objects.select_related("guardian")
        .filter(dependent=user, ended_at__isnull=True)
        .first()
    )
    return held.guardian.email if held is not None else None
