"""Users (email login, one role each), their profiles, care links and the audit log.

Care links are the only path by which a clinician reaches a patient's data.
"""

import secrets
from datetime import time
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .validators import validate_e164, validate_time_zone


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"
    STAFF = "staff", "Staff"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("role", Role.PATIENT)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(role=Role.STAFF, is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised by "sign out everywhere" (and by closing the account): accounts.session_limits
    # ends every session that signed in under an older epoch.
    # db_default as well: rows written by code (or migrations) that predate the column get 0.
    session_epoch = models.PositiveIntegerField(default=0, db_default=0)
    # Set when the patient closed the account: the row stays for the audit log, emptied.
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        for attr in ("patient_profile", "clinician_profile"):
            profile: PatientProfile | ClinicianProfile | None = getattr(self, attr, None)
            if profile is not None and profile.display_name:
                return profile.display_name
        return self.email.split("@")[0]


class PatientProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="patient_profile")
    display_name = models.CharField(max_length=80)
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    mobile = models.CharField(
        "mobile number", max_length=16, blank=True, validators=[validate_e164]
    )
    reminder_time = models.TimeField("preferred reminder time", default=time(9, 0))
    # Optional; lab results dated before it are refused.
    date_of_birth = models.DateField("date of birth", null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name


def new_practice_code() -> str:
    """Eight letters and digits without look-alikes (no 0/O, 1/I/L), easy to read out."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class ClinicianProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="clinician_profile")
    display_name = models.CharField(max_length=80)
    practice = models.CharField(max_length=120, blank=True)
    # What a patient types to share their record with this clinician, instead of the email.
    practice_code = models.CharField(
        max_length=12, unique=True, default=new_practice_code, editable=False
    )

    def __str__(self) -> str:
        return self.display_name


def new_invite_token() -> str:
    return secrets.token_urlsafe(24)


class CareLink(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Invited"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"
        WITHDRAWN = "withdrawn", "Withdrawn"
        # Patient-initiated: the patient asked to share, the clinician has not answered yet.
        REQUESTED = "requested", "Asked by the patient"
        # The patient closed their account; the clinician sees the record was closed.
        CLOSED = "closed", "Record closed"

    class Initiator(models.TextChoices):
        CLINICIAN = "clinician", "Clinician"
        PATIENT = "patient", "Patient"

    clinician = models.ForeignKey(User, on_delete=models.CASCADE, related_name="patient_links")
    patient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="clinician_links", null=True, blank=True
    )
    invited_email = models.EmailField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    initiated_by = models.CharField(
        max_length=16,
        choices=Initiator.choices,
        default=Initiator.CLINICIAN,
        db_default=Initiator.CLINICIAN,
    )
    token = models.CharField(max_length=64, unique=True, default=new_invite_token)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinician", "invited_email"],
                condition=Q(status__in=["pending", "active", "requested"]),
                name="carelink_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "declined", "withdrawn"])
                | Q(patient__isnull=False),
                name="carelink_active_has_patient",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "status"]),
            models.Index(fields=["clinician", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.clinician} → {self.invited_email} ({self.status})"


def new_signup_token() -> str:
    return secrets.token_urlsafe(32)


class PendingSignup(models.Model):
    """A sign-up waiting for its owner to open the link emailed to the address.

    The account is made only from that link, so the sign-up page answers the same whether or
    not the address has an account. The password is kept hashed, as on the account."""

    email = models.EmailField()
    display_name = models.CharField(max_length=80)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    mobile = models.CharField(max_length=16, blank=True, validators=[validate_e164])
    password = models.CharField(max_length=128)
    invite_token = models.CharField(max_length=64, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_signup_token)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.created_at:%Y-%m-%d %H:%M})"


class EmailChange(models.Model):
    """A new address waiting for its owner to open the link sent to it. The account keeps its
    old address (and reminders keep going there) until then."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=new_signup_token)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.user} → {self.new_email}"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk writes would bypass the model's guards, so they are refused here as well."""

    def update(self, **kwargs: object) -> int:
        raise PermissionError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")

    def bulk_update(self, objs: object, fields: object, batch_size: int | None = None) -> int:
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One row per change to a care link or to health data. Rows are never changed.

    A user with an audit trail cannot be deleted (PROTECT): nulling the references would
    rewrite history, so such accounts are switched off instead.
    """

    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_actions"
    )
    action = models.CharField(max_length=64)
    patient = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")
