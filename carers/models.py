"""Carers a patient invites, and dependents a guardian holds a record for.

A carer link is the only path by which one patient sees (and may log for) another's record; a
guardianship is the only path by which a guardian acts as a dependent."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import User, new_invite_token

ALERT_HOURS_MIN = 1
ALERT_HOURS_MAX = 72


class CarerLink(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Invited"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        # Ended by the patient.
        REVOKED = "revoked", "Removed"
        # Ended before it began (the patient took the invitation back) or by the carer.
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN = (Status.PENDING, Status.ACTIVE)

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="carer_links")
    # Set when the invitation is accepted: the address invited names no account until then.
    carer = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="caring_links"
    )
    invited_email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=new_invite_token)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    can_log = models.BooleanField("log injections for me", default=False)
    gets_alerts = models.BooleanField("alert them when a dose is not logged", default=False)
    alert_after_hours = models.PositiveSmallIntegerField(
        "hours into the dose's day",
        default=12,
        validators=[MinValueValidator(ALERT_HOURS_MIN), MaxValueValidator(ALERT_HOURS_MAX)],
    )
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "invited_email"],
                condition=Q(status__in=["pending", "active"]),
                name="carerlink_one_open_per_address",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(carer__isnull=False),
                name="carerlink_active_has_carer",
            ),
            models.CheckConstraint(
                condition=Q(alert_after_hours__gte=ALERT_HOURS_MIN)
                & Q(alert_after_hours__lte=ALERT_HOURS_MAX),
                name="carerlink_alert_hours_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "active", "declined", "revoked", "withdrawn"]),
                name="carerlink_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["carer", "status"]),
            models.Index(fields=["patient", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.patient} → {self.invited_email} ({self.status})"


# A dependent's placeholder address: .invalid never resolves (RFC 2606), so no mail goes there;
# reminders send a dependent's mail to the guardian instead (selectors.guardian_address).
DEPENDENT_DOMAIN = "dependents.invalid"


class Guardianship(models.Model):
    """A guardian holds the record of a dependent (a child, an adult who cannot use the app),
    whose account has no password and an address that receives no mail."""

    guardian = models.ForeignKey(User, on_delete=models.CASCADE, related_name="dependents_held")
    dependent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardianships")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dependent"],
                condition=Q(ended_at__isnull=True),
                name="guardianship_one_open_per_dependent",
            ),
            models.CheckConstraint(
                condition=~Q(guardian=models.F("dependent")), name="guardianship_not_self"
            ),
        ]
        indexes = [models.Index(fields=["guardian", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.guardian} holds {self.dependent}"
