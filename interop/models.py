"""The calendar feed a patient subscribes to, and what it last published for each dose.

The feed's address carries a secret token; only its sha256 is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from schedules.models import Phase, Prescription


class CalendarFeed(models.Model):
    """One per patient. Revoking keeps the row (with its settings) but no token opens it;
    creating again gives it a new token."""

    class Detail(models.TextChoices):
        PLAIN = "plain", "Only the word “Injection” (good for a shared calendar)"
        DETAILED = "detailed", "The product, dose and volume to draw up"

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    detail_level = models.CharField(
        "what each event says", max_length=10, choices=Detail.choices, default=Detail.PLAIN
    )
    alarm = models.BooleanField("alert me on the day", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When what the feed shows last changed (a re-plan, a setting, the reminder time): the
    # feed's Last-Modified, and part of its ETag.
    changed_at = models.DateTimeField(default=timezone.now)
    # Raised with `changed_at`: the ETag names it, so two changes in one instant still differ.
    revision = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return f"Calendar feed of {self.patient_id} ({'revoked' if self.revoked_at else 'active'})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class CalendarEvent(models.Model):
    """What the feed last published for one dose: the dose is the `number`th of its phase,
    which a re-plan keeps while the date moves (the Dose row, keyed by its date, does not).
    `sequence` is the event's iCalendar SEQUENCE, raised when the date or the state (planned,
    done, missed, cancelled: its summary and alarm) changes."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="+")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    due = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PLANNED)
    sequence = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phase", "number"], name="calendar_event_one_per_dose"),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="calendar_event_number_positive"
            ),
        ]
        indexes = [models.Index(fields=["prescription", "due"])]

    def __str__(self) -> str:
        return f"Dose {self.number} of phase {self.phase_id}: {self.due} (#{self.sequence})"


class PrescriptionDraft(models.Model):
    """A prescription read from another system's FHIR MedicationRequest, waiting for a
    clinician's review: the resource as uploaded, what was read from it, what was not (and
    what the clinician must still give). Starting it makes the prescription; discarding it
    keeps the row for the record."""

    class State(models.TextChoices):
        OPEN = "open", "Waiting for review"
        APPLIED = "applied", "Started as a prescription"
        DISCARDED = "discarded", "Discarded"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)
    source = models.JSONField(help_text="The MedicationRequest as uploaded.")
    mapped = models.JSONField(help_text="The values read from it.")
    not_mapped = models.JSONField(default=list, help_text="Elements not imported, with why.")
    missing = models.JSONField(default=list, help_text="Values the clinician must give.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    applied_prescription = models.ForeignKey(
        Prescription, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["patient", "made_at"])]

    def __str__(self) -> str:
        return f"FHIR import {self.pk} for {self.patient_id} ({self.state})"
