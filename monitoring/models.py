"""Review flags: something a clinician should look at (a missed dose, an overdue review).

A flag is raised once per (dose, kind), or once per key for flags that have no dose.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Flag(models.Model):
    class Kind(models.TextChoices):
        MISSED_LOADING = "missed_loading", "Missed dose in a loading phase"
        MISSED_MAINTENANCE = "missed_maintenance", "Missed maintenance dose"
        MAINTENANCE_OVERDUE = "maintenance_overdue", "Maintenance dose overdue by more than 7 days"
        REPEATED_MISSES = "repeated_misses", "Two or more missed doses in 90 days"
        LOADING_REVIEW = "loading_review", "Open-ended loading for 4 weeks without a review"
        THREE_MONTH_REVIEW = "three_month_review", "Three-month review due"
        REGIMEN_MISMATCH = (
            "regimen_mismatch",
            "Check the regimen: nerve symptoms reported on a schedule for no nerve symptoms",
        )
        EXPIRED_AMPOULE = "expired_ampoule", "Injection with an expired ampoule"
        # From symptom check-ins and labs: the evidence for the interval.
        RED_FLAG_SYMPTOM = (
            "red_flag_symptom",
            "Urgent symptom reported: weakness, walking or vision",
        )
        SYMPTOMS_RETURN_EARLY = (
            "symptoms_return_early",
            "Symptoms return before the next dose: consider a shorter interval",
        )
        TINGLING_WORSE = "tingling_worse", "Pins and needles or numbness new or worse"
        LOW_B12_ON_MAINTENANCE = (
            "low_b12_on_maintenance",
            "Serum B12 in the deficient range while on maintenance",
        )
        TEST_OVERDUE = "test_overdue", "Planned blood test or review overdue"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    # Still waiting for a clinician's answer: open, or acknowledged but not resolved.
    UNRESOLVED = (Status.OPEN, Status.ACKNOWLEDGED)

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    prescription = models.ForeignKey(
        "schedules.Prescription", on_delete=models.CASCADE, related_name="flags"
    )
    dose = models.ForeignKey(
        "schedules.Dose", on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # For flags with no dose: what makes one unique (e.g. "rx:12:review:2026-03").
    key = models.CharField(max_length=120, blank=True)
    # What the flag is about in a line, for kinds the kind alone does not say (which injection).
    summary = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flags_acted_on",
    )
    acted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dose", "kind"],
                condition=Q(dose__isnull=False),
                name="flag_once_per_dose_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "key"], condition=~Q(key=""), name="flag_once_per_kind_key"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "acknowledged", "resolved"]),
                name="flag_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "raised_at"], name="flag_status_raised_idx"),
            models.Index(fields=["patient", "status"], name="flag_patient_status_idx"),
            models.Index(fields=["raised_at"], name="flag_raised_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.status})"


MISSED_KINDS = (Flag.Kind.MISSED_LOADING, Flag.Kind.MISSED_MAINTENANCE)
