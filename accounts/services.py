"""Writes for accounts: sign-up, profiles, clinicians and the care-link life cycle.

Each service runs in one transaction and writes an audit event for link changes.
"""

from datetime import date, datetime, time
from typing import Literal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from core.clock import zone_today

from . import outgoing
from .audit import log_action
from .models import (
    AuditEvent,
    CareLink,
    ClinicianProfile,
    PatientProfile,
    PendingSignup,
    Role,
    User,
)
from .selectors import SIGNUP_LINK_LIFETIME, signup_pending
from .signals import profile_changed

SIGNUP_WARNING_GAP = 15 * 60  # seconds
SIGNUP_LINK_GONE = "This link has expired or was already used. Sign up again to get a new one."


@transaction.atomic
def patient_register(
    *,
    email: str,
    password: str,
    display_name: str,
    time_zone: str,
    mobile: str = "",
    invite_token: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """An account made at once, for a password that has not been checked yet."""
    user = User(email=User.objects.normalize_email(email).lower(), role=Role.PATIENT)
    validate_password(password, user)
    return _register(
        email=user.email,
        password_hash=make_password(password),
        display_name=display_name,
        time_zone=time_zone,
        mobile=mobile,
        invite_token=invite_token,
        request=request,
    )


def _register(
    *,
    email: str,
    password_hash: str,
    display_name: str,
    time_zone: str,
    mobile: str,
    invite_token: str | None,
    request: HttpRequest | None,
) -> User:
    user = User(email=email, role=Role.PATIENT, password=password_hash)
    user.full_clean()
    user.save()
    profile = PatientProfile(
        user=user, display_name=display_name, time_zone=time_zone, mobile=mobile
    )
    profile.full_clean()
    profile.save()
    log_action(actor=user, action="patient.registered", patient=user, obj=user, request=request)
    _attach_pending_invitations(user=user, invite_token=invite_token, request=request)
    return user


@transaction.atomic
def signup_request(
    *,
    email: str,
    password: str,
    display_name: str,
    time_zone: str,
    mobile: str = "",
    invite_token: str | None = None,
    now: datetime | None = None,
) -> None:
    """Answer a sign-up by email only, the same way whether or not the address has an account.

    A new address gets a link that makes the account; the owner of an existing account is told
    that someone tried to sign up with it. The password is hashed either way, so both take
    about as long."""
    now = now or timezone.now()
    email = User.objects.normalize_email(email).strip().lower()
    password_hash = make_password(password)
    PendingSignup.objects.filter(created_at__lt=now - SIGNUP_LINK_LIFETIME).delete()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        # One warning per account in a while: repeating the form must not flood its inbox.
        if cache.add(f"signup-warned:{existing.pk}", True, timeout=SIGNUP_WARNING_GAP):
            window = int(now.timestamp()) // SIGNUP_WARNING_GAP
            outgoing.message_request(
                kind=outgoing.SIGNUP_EXISTS,
                recipient=existing,
                key=f"signup_exists:{existing.pk}:{window}",
                payload={},
            )
        return
    pending = PendingSignup(
        email=email,
        display_name=display_name,
        time_zone=time_zone,
        mobile=mobile,
        password=password_hash,
        invite_token=invite_token or "",
        created_at=now,
    )
    pending.full_clean()
    pending.save()
    # The link's token stays on the sign-up row; the message names the row only.
    outgoing.message_request(
        kind=outgoing.SIGNUP_LINK,
        address=pending.email,
        key=f"signup_link:{pending.pk}",
        payload={"pending_id": pending.pk},
    )


@transaction.atomic
def signup_confirm(
    *, token: str, request: HttpRequest | None = None, now: datetime | None = None
) -> User:
    """Make the account a sign-up link stands for; the link and any others for that address
    stop working."""
    pending = signup_pending(token=token, now=now or timezone.now())
    if pending is None:
        raise ValidationError(SIGNUP_LINK_GONE)
    # Only one of two clicks on links for the same address may make the account.
    claimed, _ = PendingSignup.objects.filter(email=pending.email).delete()
    if not claimed or User.objects.filter(email__iexact=pending.email).exists():
        raise ValidationError(SIGNUP_LINK_GONE)
    return _register(
        email=pending.email,
        password_hash=pending.password,
        display_name=pending.display_name,
        time_zone=pending.time_zone,
        mobile=pending.mobile,
        invite_token=pending.invite_token or None,
        request=request,
    )


def attach_pending_invitations(*, user: User, request: HttpRequest | None) -> None:
    """Invitations sent to the account's (new) address now belong to it; for a patient whose
    address just changed."""
    _attach_pending_invitations(user=user, invite_token=None, request=request)


def _attach_pending_invitations(
    *, user: User, invite_token: str | None, request: HttpRequest | None
) -> None:
    """Invitations sent to this email, or the one whose link was followed, now belong to it."""
    match = Q(invited_email__iexact=user.email)
    if invite_token:
        match |= Q(token=invite_token)
    pending = CareLink.objects.filter(match, patient__isnull=True, status=CareLink.Status.PENDING)
    for link in pending:
        link.patient = user
        link.save(update_fields=["patient"])
        log_action(actor=user, action="carelink.claimed", patient=user, obj=link, request=request)


def _check_date_of_birth(born: date | None, time_zone: str) -> None:
    """A birth date is optional; one in the future or before 1900 is a typing slip."""
    if born is None:
        return
    if born > zone_today(time_zone):
        raise ValidationError({"date_of_birth": ["Your date of birth cannot be in the future."]})
    if born.year < 1900:
        raise ValidationError({"date_of_birth": ["Enter a date of birth from 1900 onwards."]})


def _audited(profile: PatientProfile) -> dict[str, str]:
    born = profile.date_of_birth
    return {
        "time_zone": profile.time_zone,
        "mobile": profile.mobile,
        "date_of_birth": born.isoformat() if born else "",
    }


@transaction.atomic
def patient_profile_update(
    *,
    user: User,
    display_name: str,
    time_zone: str,
    mobile: str,
    reminder_time: time,
    date_of_birth: date | Literal["keep"] | None = "keep",
    request: HttpRequest | None = None,
) -> PatientProfile:
    """Saves the profile; `date_of_birth` is left as it is unless given (None clears it)."""
    profile = PatientProfile.objects.select_for_update().get(user=user)
    before = _audited(profile)
    before_time = profile.reminder_time
    profile.display_name = display_name
    profile.time_zone = time_zone
    profile.mobile = mobile
    profile.reminder_time = reminder_time
    if date_of_birth != "keep":
        _check_date_of_birth(date_of_birth, time_zone)
        profile.date_of_birth = date_of_birth
    profile.full_clean()
    profile.save()
    after = _audited(profile)
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    profile_changed.send(
        sender=PatientProfile,
        patient=user,
        zone_changed="time_zone" in changed,
        time_changed=before_time != profile.reminder_time,
    )
    log_action(
        actor=user,
        action="profile.updated",
        patient=user,
        obj=profile,
        request=request,
        detail={"changed": changed},
    )
    return profile


@transaction.atomic
def patient_reminder_time_update(
    *, user: User, reminder_time: time, now: datetime | None = None
) -> bool:
    """The preferred (day-of) reminder time alone, as the reminders page sets it. A change is
    announced like any profile change; returns whether there was one."""
    profile = PatientProfile.objects.select_for_update().get(user=user)
    if profile.reminder_time == reminder_time:
        return False
    profile.reminder_time = reminder_time
    profile.full_clean()
    profile.save(update_fields=["reminder_time"])
    profile_changed.send(
        sender=PatientProfile, patient=user, zone_changed=False, time_changed=True, now=now
    )
    return True


@transaction.atomic
def clinician_profile_update(
    *, user: User, display_name: str, practice: str, request: HttpRequest | None = None
) -> ClinicianProfile:
    profile, _ = ClinicianProfile.objects.select_for_update().get_or_create(
        user=user, defaults={"display_name": display_name}
    )
    profile.display_name = display_name
    profile.practice = practice
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def clinician_create(
    *,
    email: str,
    display_name: str,
    practice: str = "",
    password: str | None = None,
    actor: User | None = None,
) -> User:
    user = User(email=User.objects.normalize_email(email).lower(), role=Role.CLINICIAN)
    if password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    profile = ClinicianProfile(user=user, display_name=display_name, practice=practice)
    profile.full_clean()
    profile.save()
    log_action(actor=actor, action="clinician.created", obj=user)
    return user


@transaction.atomic
def carelink_invite(*, clinician: User, email: str, request: HttpRequest | None = None) -> CareLink:
    """Invite an address, or send a pending invitation to it again.

    The answer is the same for an unknown address and for one whose account cannot be a
    patient's: the link names no account and nothing reveals which it was."""
    if clinician.role != Role.CLINICIAN:
        raise ValidationError("Only clinicians can invite patients.")
    email = User.objects.normalize_email(email).strip().lower()
    open_link = (
        CareLink.objects.select_for_update()
        .filter(
            clinician=clinician, invited_email=email, status__in=["pending", "active", "requested"]
        )
        .first()
    )
    if open_link is not None and open_link.status == CareLink.Status.ACTIVE:
        raise ValidationError({"email": "You are already linked with this patient."})
    if open_link is not None and open_link.status == CareLink.Status.REQUESTED:
        raise ValidationError(
            {
                "email": "This patient has already asked to share their record with you. "
                "Accept their request on your Invitations page."
            }
        )
    if open_link is not None:
        return _resend(link=open_link, clinician=clinician, request=request)
    patient = User.objects.filter(email__iexact=email, role=Role.PATIENT).first()
    link = CareLink(clinician=clinician, patient=patient, invited_email=email)
    link.full_clean()
    link.save()
    log_action(
        actor=clinician, action="carelink.invited", patient=patient, obj=link, request=request
    )
    _invitation_request(link)
    return link


def _resend(*, link: CareLink, clinician: User, request: HttpRequest | None) -> CareLink:
    log_action(
        actor=clinician, action="carelink.resent", patient=link.patient, obj=link, request=request
    )
    _invitation_request(link)
    return link


@transaction.atomic
def carelink_withdraw(
    *, clinician: User, email: str, request: HttpRequest | None = None
) -> CareLink:
    """Withdraw the clinician's own pending invitation to an address; its link stops working."""
    email = User.objects.normalize_email(email).strip().lower()
    link = (
        CareLink.objects.select_for_update()
        .filter(clinician=clinician, invited_email=email, status=CareLink.Status.PENDING)
        .first()
    )
    if link is None:
        raise CareLink.DoesNotExist
    link.status = CareLink.Status.WITHDRAWN
    link.ended_at = timezone.now()
    link.save(update_fields=["status", "ended_at"])
    log_action(
        actor=clinician,
        action="carelink.withdrawn",
        patient=link.patient,
        obj=link,
        request=request,
    )
    return link


def _invitation_request(link: CareLink) -> None:
    """One message per copy: the first invitation and each resend (counted in the audit log,
    read under the link's lock) is a message of its own."""
    copy = AuditEvent.objects.filter(
        object_type="accounts.CareLink",
        object_id=str(link.pk),
        action__in=["carelink.invited", "carelink.resent"],
    ).count()
    outgoing.message_request(
        kind=outgoing.INVITATION,
        recipient=link.patient,
        address=link.invited_email,
        key=f"invitation:{link.pk}:{copy}",
        payload={"link_id": link.pk},
    )


def _respond(
    *,
    link_id: int,
    patient: User,
    old: str,
    new: str,
    action: str,
    stamp: str,
    request: HttpRequest | None,
) -> CareLink:
    # A guarded update: only the patient's own link in the expected state moves.
    changed = CareLink.objects.filter(id=link_id, patient=patient, status=old).update(
        status=new, **{stamp: timezone.now()}
    )
    if changed != 1:
        raise ValidationError("This invitation or link has already changed.")
    link = CareLink.objects.get(id=link_id)
    log_action(actor=patient, action=action, patient=patient, obj=link, request=request)
    return link


@transaction.atomic
def carelink_accept(*, link_id: int, patient: User, request: HttpRequest | None = None) -> CareLink:
    return _respond(
        link_id=link_id,
        patient=patient,
        old="pending",
        new="active",
        action="carelink.accepted",
        stamp="responded_at",
        request=request,
    )


@transaction.atomic
def carelink_decline(
    *, link_id: int, patient: User, request: HttpRequest | None = None
) -> CareLink:
    return _respond(
        link_id=link_id,
        patient=patient,
        old="pending",
        new="declined",
        action="carelink.declined",
        stamp="responded_at",
        request=request,
    )


@transaction.atomic
def carelink_revoke(*, link_id: int, patient: User, request: HttpRequest | None = None) -> CareLink:
    return _respond(
        link_id=link_id,
        patient=patient,
        old="active",
        new="revoked",
        action="carelink.revoked",
        stamp="ended_at",
        request=request,
    )
