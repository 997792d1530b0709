"""Changing an account's email address: a link to the new address, and the switch when it is
opened. The account keeps its old address (and its reminders go there) until then."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from . import outgoing, services
from .audit import log_action
from .models import EmailChange, Role, User

EMAIL_CHANGE_LIFETIME = timedelta(hours=24)
# The kinds the outbox names alike (reminders.models.Kind).
EMAIL_CHANGE = "email_change"
EMAIL_CHANGED = "email_changed"

LINK_GONE = "This link has expired or was already used."
ADDRESS_TAKEN = "That address now belongs to another account, so it cannot be yours as well."


def pending_email_change(*, token: str, now: datetime) -> EmailChange | None:
    """The change a link names, while its link still works."""
    return (
        EmailChange.objects.select_related("user")
        .filter(token=token, created_at__gte=now - EMAIL_CHANGE_LIFETIME)
        .first()
    )


@transaction.atomic
def email_change_request(
    *, user: User, new_email: str, now: datetime | None = None
) -> EmailChange | None:
    """Send a confirmation link to `new_email`. An address another account has gets nothing
    and changes nothing, and the caller answers the same: which addresses have accounts is
    not for anyone to find out here. Returns the pending change, or None when taken."""
    now = now or timezone.now()
    email = User.objects.normalize_email(new_email).strip().lower()
    if email == user.email.lower():
        raise ValidationError({"new_email": ["That is already your email address."]})
    EmailChange.objects.filter(user=user, created_at__lt=now - EMAIL_CHANGE_LIFETIME).delete()
    if User.objects.filter(email__iexact=email).exists():
        return None
    change = EmailChange(user=user, new_email=email, created_at=now)
    change.full_clean()
    change.save()
    outgoing.message_request(
        kind=EMAIL_CHANGE,
        recipient=user,
        address=email,
        payload={"change_id": change.pk},
        key=f"email_change:{change.pk}",
    )
    return change


@transaction.atomic
def email_change_confirm(
    *, token: str, request: HttpRequest | None = None, now: datetime | None = None
) -> User:
    """Switch the account to the address the link was sent to: its other pending changes go,
    the old address is told, and clinicians' invitations to the new address become the
    patient's to answer."""
    now = now or timezone.now()
    change = pending_email_change(token=token, now=now)
    # Locked so the same link opened twice at once switches once.
    if change is None or not EmailChange.objects.select_for_update().filter(pk=change.pk).exists():
        raise ValidationError(LINK_GONE)
    user, old, new = change.user, change.user.email, change.new_email
    try:
        with transaction.atomic():
            switched = User.objects.filter(pk=user.pk, email=old).update(email=new)
    except IntegrityError:
        raise ValidationError(ADDRESS_TAKEN) from None
    if switched != 1:
        raise ValidationError(LINK_GONE)
    user.email = new
    EmailChange.objects.filter(user=user).delete()
    event = log_action(
        actor=user,
        action="email.changed",
        obj=user,
        request=request,
        detail={"from": old, "to": new},
    )
    outgoing.message_request(
        kind=EMAIL_CHANGED,
        recipient=user,
        address=old,
        payload={"event_id": event.pk},
        key=f"email_changed:{event.pk}",
    )
    if user.role == Role.PATIENT:
        services.attach_pending_invitations(user=user, request=request)
    return user
