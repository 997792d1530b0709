"""Writes for carers and dependents: invitations and their answers, permissions, endings, and
a dependent's record with its guardianship.

Each service runs in one transaction and writes an audit event: these links decide who sees
and changes health data."""

from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts import outgoing
from accounts.audit import log_action
from accounts.models import AuditEvent, PatientProfile, Role, User
from accounts.validators import validate_time_zone
from core.clock import zone_today
from reminders.models import Kind, Notification
from reminders.prompts import prompt_withdraw

from .models import DEPENDENT_DOMAIN, CarerLink, Guardianship

ALREADY_CHANGED = "This invitation or link has already changed."


def _permissions(link: CarerLink, *, can_log: bool, gets_alerts: bool, hours: int) -> None:
    link.can_log = can_log
    link.gets_alerts = gets_alerts
    link.alert_after_hours = hours


def _granted(link: CarerLink) -> dict[str, object]:
    return {
        "can_log": link.can_log,
        "gets_alerts": link.gets_alerts,
        "alert_after_hours": link.alert_after_hours,
    }


@transaction.atomic
def carer_invite(
    *,
    patient: User,
    email: str,
    can_log: bool,
    gets_alerts: bool,
    alert_after_hours: int,
    request: HttpRequest | None = None,
) -> CarerLink:
    """Invite an address to care for the patient, or send a waiting invitation to it again
    (with the permissions now chosen). Whether the address has an account is never said."""
    email = User.objects.normalize_email(email).strip().lower()
    if email == patient.email.lower():
        raise ValidationError({"email": "That is your own address: invite someone else."})
    link = (
        CarerLink.objects.select_for_update()
        .filter(patient=patient, invited_email=email, status__in=CarerLink.OPEN)
        .first()
    )
    if link is not None and link.status == CarerLink.Status.ACTIVE:
        raise ValidationError(
            {"email": "This person already cares for you: change what they can do below."}
        )
    action = "carer.resent" if link is not None else "carer.invited"
    link = link or CarerLink(patient=patient, invited_email=email)
    _permissions(link, can_log=can_log, gets_alerts=gets_alerts, hours=alert_after_hours)
    link.full_clean(validate_constraints=False)
    link.save()
    log_action(
        actor=patient,
        action=action,
        patient=patient,
        obj=link,
        request=request,
        detail=_granted(link),
    )
    _invitation_request(link)
    return link


def _invitation_request(link: CarerLink) -> None:
    """One message per copy: the first invitation and each resend is a message of its own."""
    copy = AuditEvent.objects.filter(
        object_type="carers.CarerLink",
        object_id=str(link.pk),
        action__in=["carer.invited", "carer.resent"],
    ).count()
    outgoing.message_request(
        kind=Kind.CARER_INVITE,
        recipient=User.objects.filter(email__iexact=link.invited_email, role=Role.PATIENT).first(),
        address=link.invited_email,
        key=f"carer_invite:{link.pk}:{copy}",
        payload={"link_id": link.pk},
    )


@transaction.atomic
def carer_permissions_update(
    *,
    patient: User,
    link_id: int,
    can_log: bool,
    gets_alerts: bool,
    alert_after_hours: int,
    request: HttpRequest | None = None,
) -> CarerLink:
    link = (
        CarerLink.objects.select_for_update()
        .filter(pk=link_id, patient=patient, status__in=CarerLink.OPEN)
        .first()
    )
    if link is None:
        raise CarerLink.DoesNotExist
    before = _granted(link)
    _permissions(link, can_log=can_log, gets_alerts=gets_alerts, hours=alert_after_hours)
    link.full_clean(validate_constraints=False)
    link.save(update_fields=["can_log", "gets_alerts", "alert_after_hours"])
    after = _granted(link)
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    log_action(
        actor=patient,
        action="carer.permissions_changed",
        patient=patient,
        obj=link,
        request=request,
        detail={"changed": changed},
    )
    if not link.gets_alerts:
        alerts_withdraw(link=link, reason="The patient turned carer alerts off.")
    return link


def alerts_withdraw(*, link: CarerLink, reason: str) -> int:
    """Cancel the link's carer alerts that have not gone yet."""
    waiting = Notification.objects.filter(
        kind=Kind.CARER_ALERT,
        status=Notification.Status.PENDING,
        payload__link_id=link.pk,
    ).values_list("payload__dose_id", flat=True)
    carer_id = link.carer_id
    return sum(
        prompt_withdraw(key=f"carer_alert:{dose_id}:{carer_id}", reason=reason)
        for dose_id in set(waiting)
    )


def _end(
    *,
    link_id: int,
    match: Q,
    old: str,
    new: str,
    action: str,
    actor: User,
    request: HttpRequest | None,
) -> CarerLink:
    # A guarded update: only a link in the expected state, and the actor's own, moves.
    moved = CarerLink.objects.filter(match, pk=link_id, status=old).update(
        status=new, ended_at=timezone.now()
    )
    if moved != 1:
        raise ValidationError(ALREADY_CHANGED)
    link = CarerLink.objects.get(pk=link_id)
    log_action(actor=actor, action=action, patient=link.patient, obj=link, request=request)
    alerts_withdraw(link=link, reason="The carer link ended.")
    return link


@transaction.atomic
def carer_remove(*, patient: User, link_id: int, request: HttpRequest | None = None) -> CarerLink:
    """The patient takes an invitation back, or ends a carer's access."""
    link = CarerLink.objects.filter(pk=link_id, patient=patient).first()
    if link is None:
        raise CarerLink.DoesNotExist
    pending = link.status == CarerLink.Status.PENDING
    return _end(
        link_id=link_id,
        match=Q(patient=patient),
        old=link.status,
        new=CarerLink.Status.WITHDRAWN if pending else CarerLink.Status.REVOKED,
        action="carer.withdrawn" if pending else "carer.revoked",
        actor=patient,
        request=request,
    )


@transaction.atomic
def carer_leave(*, carer: User, link_id: int, request: HttpRequest | None = None) -> CarerLink:
    """The carer stops caring for the patient."""
    return _end(
        link_id=link_id,
        match=Q(carer=carer),
        old=CarerLink.Status.ACTIVE,
        new=CarerLink.Status.WITHDRAWN,
        action="carer.left",
        actor=carer,
        request=request,
    )


def _answer(
    *, token: str, carer: User, new: str, action: str, request: HttpRequest | None
) -> CarerLink:
    if carer.role != Role.PATIENT:
        raise CarerLink.DoesNotExist
    link = CarerLink.objects.select_for_update().filter(token=token).first()
    if link is None or link.patient_id == carer.pk:
        raise CarerLink.DoesNotExist
    if link.status != CarerLink.Status.PENDING:
        raise ValidationError(ALREADY_CHANGED)
    if CarerLink.objects.filter(
        patient_id=link.patient_id, carer=carer, status=CarerLink.Status.ACTIVE
    ).exists():
        raise ValidationError("You already care for this person.")
    link.status = new
    link.carer = carer if new == CarerLink.Status.ACTIVE else None
    link.responded_at = timezone.now()
    link.save(update_fields=["status", "carer", "responded_at"])
    log_action(actor=carer, action=action, patient=link.patient, obj=link, request=request)
    return link


@transaction.atomic
def carer_accept(*, token: str, carer: User, request: HttpRequest | None = None) -> CarerLink:
    """Whoever holds the invitation's link (sent to the invited address) may accept it."""
    return _answer(
        token=token,
        carer=carer,
        new=CarerLink.Status.ACTIVE,
        action="carer.accepted",
        request=request,
    )


@transaction.atomic
def carer_decline(*, token: str, carer: User, request: HttpRequest | None = None) -> CarerLink:
    return _answer(
        token=token,
        carer=carer,
        new=CarerLink.Status.DECLINED,
        action="carer.declined",
        request=request,
    )


# --- dependents --------------------------------------------------------------------------------


def _check_birth(born: date | None, time_zone: str) -> None:
    if born is None:
        return
    if born > zone_today(time_zone):
        raise ValidationError({"date_of_birth": ["A date of birth cannot be in the future."]})
    if born.year < 1900:
        raise ValidationError({"date_of_birth": ["Enter a date of birth from 1900 onwards."]})


@transaction.atomic
def dependent_add(
    *,
    guardian: User,
    display_name: str,
    time_zone: str,
    date_of_birth: date | None = None,
    request: HttpRequest | None = None,
) -> User:
    """A record for someone the guardian looks after: an account that cannot log in (no
    password) with an address no mail can reach, its profile, and the guardianship."""
    if (
        guardian.role != Role.PATIENT
        or Guardianship.objects.filter(dependent=guardian, ended_at__isnull=True).exists()
    ):
        # A dependent holds no records of others: guardianship does not chain.
        raise ValidationError("Only a patient with an account of their own can add someone.")
    validate_time_zone(time_zone)
    _check_birth(date_of_birth, time_zone)
    dependent = User(
        email=f"dependent-{secrets.token_hex(8)}@{DEPENDENT_DOMAIN}",
        role=Role.PATIENT,
    )
    dependent.set_unusable_password()
    dependent.full_clean()
    dependent.save()
    profile = PatientProfile(
        user=dependent,
        display_name=display_name.strip(),
        time_zone=time_zone,
        date_of_birth=date_of_birth,
    )
    profile.full_clean()
    profile.save()
    guardianship = Guardianship(guardian=guardian, dependent=dependent)
    guardianship.full_clean()
    guardianship.save()
    log_action(
        actor=guardian,
        action="dependent.added",
        patient=dependent,
        obj=guardianship,
        request=request,
    )
    return dependent


@transaction.atomic
def guardianship_end(
    *, guardian: User, dependent_id: int, request: HttpRequest | None = None
) -> Guardianship:
    moved = Guardianship.objects.filter(
        guardian=guardian, dependent_id=dependent_id, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    if moved != 1:
        raise Guardianship.DoesNotExist
    guardianship = Guardianship.objects.filter(guardian=guardian, dependent_id=dependent_id).latest(
        "ended_at"
    )
    log_action(
        actor=guardian,
        action="guardianship.ended",
        patient=guardianship.dependent,
        obj=guardianship,
        request=request,
    )
    return guardianship
