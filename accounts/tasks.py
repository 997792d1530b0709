"""Celery tasks for accounts: thin wrappers that send one email each (a care-link invitation,
a sign-up link or warning, a password reset), retried while the mail server is unreachable."""

import secrets

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from core.messages import send_templated_email

from .models import CareLink, PendingSignup, User


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_invitation(link_id: int, copy: str = "") -> None:
    """`copy` tells a resent invitation's Message-ID from the first one's."""
    link = (
        CareLink.objects.select_related("clinician__clinician_profile").filter(id=link_id).first()
    )
    if link is None or link.status != CareLink.Status.PENDING:
        return
    if link.patient_id is None and User.objects.filter(email__iexact=link.invited_email).exists():
        # An account that cannot be a patient's: nothing it could act on.
        return
    if link.patient_id:
        url = settings.SITE_URL + reverse("accounts:care_team")
    else:
        url = settings.SITE_URL + reverse("accounts:signup") + f"?invite={link.token}"
    send_templated_email(
        kind="invitation",
        to=link.invited_email,
        context={
            "clinician": link.clinician.display_name,
            "url": url,
            "has_account": bool(link.patient_id),
        },
        message_id_key=f"carelink-{link.pk}-{copy}" if copy else f"carelink-{link.pk}",
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_signup_link(pending_id: int) -> None:
    pending = PendingSignup.objects.filter(id=pending_id).first()
    if pending is None:
        return
    send_templated_email(
        kind="signup_confirm",
        to=pending.email,
        context={
            "name": pending.display_name,
            "url": settings.SITE_URL + reverse("accounts:signup_confirm", args=[pending.token]),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
        message_id_key=f"signup-{pending.pk}",
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_signup_attempt(user_id: int) -> None:
    """Tell an account's owner that someone tried to sign up with the address."""
    user = User.objects.filter(id=user_id).first()
    if user is None:
        return
    send_templated_email(
        kind="signup_exists",
        to=user.email,
        context={
            "login_url": settings.SITE_URL + reverse("accounts:login"),
            "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
        },
        message_id_key=f"signup-attempt-{user.pk}-{secrets.token_hex(8)}",
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_email_message(subject: str, body: str, to: str) -> None:
    EmailMessage(subject=subject, body=body, to=[to]).send()
