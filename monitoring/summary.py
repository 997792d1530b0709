"""The per-patient summary the clinician's list reads: next due date, open flags, adherence
counts, last injection and median interval, one row a patient, indexed for sort and filters.

`summary_sync` keeps it current inside the transactions that change its inputs.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models


class Band(models.TextChoices):
    """Adherence over the last 90 days: doses taken (on time or late) of doses taken or missed."""

    GOOD = "good", "90% or more taken"
    FAIR = "fair", "70–89% taken"
    POOR = "poor", "Under 70% taken"
    NONE = "none", "Nothing due yet"


def band_for(taken: int, missed: int) -> str:
    """The one rule for the band; the summary stores its answer for the 90-day counts."""
    settled = taken + missed
    if settled == 0:
        return Band.NONE
    if taken * 10 >= settled * 9:
        return Band.GOOD
    if taken * 10 >= settled * 7:
        return Band.FAIR
    return Band.POOR


# The sort key of "no next dose": after every real date, so those patients come last.
NO_NEXT_DUE = date(9999, 12, 31)


class PatientSummary(models.Model):
    """What the patients list shows and sorts by, as of `as_of` (the patient's today when it was
    computed). Relative figures (days overdue) are worked out from the stored dates on reading;
    the 90-day and missed counts hold until `fresh_until`, when a sweep recounts them."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="patient_summary",
    )
    name = models.CharField(max_length=254)
    # Lower-cased name: the third sort key, and the column a search by name reads.
    sort_name = models.CharField(max_length=254)
    time_zone = models.CharField(max_length=64, default="UTC")
    prescription = models.ForeignKey(
        "schedules.Prescription", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    regimen = models.CharField(max_length=120, blank=True)
    phase = models.ForeignKey(
        "schedules.Phase", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phase_kind = models.CharField(max_length=20, blank=True)
    # The last maintenance phase, which the median interval is compared with.
    maintenance = models.ForeignKey(
        "schedules.Phase", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    next_due = models.DateField(null=True, blank=True)
    due_key = models.DateField(default=NO_NEXT_DUE)
    last_injection = models.DateField(null=True, blank=True)
    on_time_90 = models.PositiveIntegerField(default=0)
    late_90 = models.PositiveIntegerField(default=0)
    missed_90 = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)
    band = models.CharField(max_length=4, choices=Band.choices, default=Band.NONE)
    median_interval = models.FloatField(null=True, blank=True)
    open_flags = models.PositiveIntegerField(default=0)
    flag_kinds = models.JSONField(default=list, blank=True)
    as_of = models.DateField()
    fresh_until = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The sort by need, walked in order a page at a time (keyset pagination).
            models.Index(
                fields=["-open_flags", "due_key", "sort_name", "patient"], name="summary_need_idx"
            ),
            models.Index(fields=["phase_kind"], name="summary_phase_idx"),
            models.Index(fields=["band"], name="summary_band_idx"),
            models.Index(fields=["fresh_until"], name="summary_fresh_idx"),
        ]

    def __str__(self) -> str:
        return f"Summary of {self.name}"


class PatientSearchTerm(models.Model):
    """The words a patient is found by (each word of the name, the whole name, the email),
    lower-cased, so a search is a prefix range on one indexed column."""

    summary = models.ForeignKey(PatientSummary, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=254)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summary", "term"], name="search_term_once"),
        ]
        indexes = [models.Index(fields=["term", "summary"], name="search_term_idx")]

    def __str__(self) -> str:
        return self.term
