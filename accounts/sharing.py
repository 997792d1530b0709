"""Writes for patient-initiated sharing: a patient asks a clinician (by email or practice code)
to see their record, may withdraw the request, and the clinician accepts or declines it.

An address or code that names no clinician is answered as one that does, and nothing is written.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from . import outgoing
from .audit import log_action
from .models import CareLink, Role, User

SHARE_REQUEST = "share_request"  # the outbox's message kind for the clinician
CODE_SHAPE = re.compile(r"^[A-Z0-9]{6,12}$")

ALREADY_ACTIVE = "You already share your record with this clinician."
ALREADY_REQUESTED = "You have already asked this clinician. They have not answered yet."
ALREADY_INVITED = (
    "This clinician has already invited you. Accept their invitation at the top of this page."
)
OPEN_STATUSES = (CareLink.Status.PENDING, CareLink.Status.ACTIVE, CareLink.Status.REQUESTED)


def normalise_code(text: str) -> str:
    """A practice code as typed or read out: case, spaces and dashes do not matter."""
    return re.sub(r"[\s-]", "", text).upper()


def _clinician_named(target: str) -> User | None:
    """The active clinician whose email or practice code this is; None otherwise."""
    target = target.strip()
    if "@" in target:
        match = Q(email__iexact=User.objects.normalize_email(target).lower())
    else:
        code = normalise_code(target)
        if not CODE_SHAPE.match(code):
            return None
        match = Q(clinician_profile__practice_code=code)
    return (
        User.objects.filter(match, role=Role.CLINICIAN, is_active=True, closed_at__isnull=True)
        .select_related("clinician_profile")
        .first()
    )


def _refuse_open_link(*, clinician: User, patient: User) -> None:
    open_link = (
        CareLink.objects.filter(clinician=clinician, status__in=OPEN_STATUSES)
        .filter(Q(patient=patient) | Q(invited_email__iexact=patient.email))
        .first()
    )
    if open_link is None:
        return
    message = {
        CareLink.Status.ACTIVE: ALREADY_ACTIVE,
        CareLink.Status.REQUESTED: ALREADY_REQUESTED,
        CareLink.Status.PENDING: ALREADY_INVITED,
    }[CareLink.Status(open_link.status)]
    raise ValidationError({"target": [message]})


@transaction.atomic
def share_request(
    *, patient: User, target: str, request: HttpRequest | None = None
) -> CareLink | None:
    """Ask the clinician with this email or practice code to see the patient's record; None
    (nothing written) when no clinician has it. An open link with them is refused by field."""
    if patient.role != Role.PATIENT:
        raise ValidationError("Only patients can share their record.")
    clinician = _clinician_named(target)
    if clinician is None:
        return None
    # The patient's row is the lock: two quick submits make one request, not an error page.
    User.objects.select_for_update().filter(pk=patient.pk).first()
    _refuse_open_link(clinician=clinician, patient=patient)
    link = CareLink(
        clinician=clinician,
        patient=patient,
        invited_email=patient.email,
        status=CareLink.Status.REQUESTED,
        initiated_by=CareLink.Initiator.PATIENT,
    )
    link.full_clean()
    link.save()
    log_action(
        actor=patient,
        action="carelink.share_requested",
        patient=patient,
        obj=link,
        request=request,
    )
    outgoing.message_request(
        kind=SHARE_REQUEST,
        recipient=clinician,
        key=f"share_request:{link.pk}",
        payload={"link_id": link.pk},
    )
    return link


def _move(
    *,
    mine: Q,
    link_id: int,
    new: str,
    stamp: str,
    actor: User,
    action: str,
    request: HttpRequest | None,
) -> CareLink:
    """A guarded update of a waiting request that belongs to the actor (`mine`): a request that
    is not theirs is CareLink.DoesNotExist, one that already moved a ValidationError."""
    waiting = CareLink.objects.filter(mine, id=link_id, status=CareLink.Status.REQUESTED)
    if waiting.update(status=new, **{stamp: timezone.now()}) != 1:
        if not CareLink.objects.filter(mine, id=link_id).exists():
            raise CareLink.DoesNotExist
        raise ValidationError("This request has already been answered or withdrawn.")
    link = CareLink.objects.select_related("patient").get(id=link_id)
    log_action(actor=actor, action=action, patient=link.patient, obj=link, request=request)
    return link


@transaction.atomic
def share_withdraw(*, link_id: int, patient: User, request: HttpRequest | None = None) -> CareLink:
    """The patient takes back a request the clinician has not answered."""
    return _move(
        mine=Q(patient=patient, initiated_by=CareLink.Initiator.PATIENT),
        link_id=link_id,
        new=CareLink.Status.WITHDRAWN,
        stamp="ended_at",
        actor=patient,
        action="carelink.share_withdrawn",
        request=request,
    )


@transaction.atomic
def share_accept(*, link_id: int, clinician: User, request: HttpRequest | None = None) -> CareLink:
    """The clinician accepts: the link is active, and the patient can remove it as any other."""
    return _move(
        mine=Q(clinician=clinician),
        link_id=link_id,
        new=CareLink.Status.ACTIVE,
        stamp="responded_at",
        actor=clinician,
        action="carelink.share_accepted",
        request=request,
    )


@transaction.atomic
def share_decline(*, link_id: int, clinician: User, request: HttpRequest | None = None) -> CareLink:
    return _move(
        mine=Q(clinician=clinician),
        link_id=link_id,
        new=CareLink.Status.DECLINED,
        stamp="responded_at",
        actor=clinician,
        action="carelink.share_declined",
        request=request,
    )
