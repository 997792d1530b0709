"""Prescriptions, their phases and versions, the dated doses they imply, and injections.

Doses are materialised by services.prescription_replan; nothing here computes a plan.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from . import engine, states

# The choices live in choices.py; `X as X` re-exports them from here for existing callers.
from .choices import IM_SITES as IM_SITES
from .choices import SC_SITES as SC_SITES
from .choices import Bound as Bound
from .choices import CadenceUnit as CadenceUnit
from .choices import Cause as Cause
from .choices import GivenBy as GivenBy
from .choices import PhaseKind as PhaseKind
from .choices import Product as Product
from .choices import Route as Route
from .choices import Site as Site


class JoinStage(models.TextChoices):
    START = "start", "Starting on the start date"
    LOADING = "loading", "Part-way through loading"
    MAINTENANCE = "maintenance", "On maintenance"


class Prescription(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        STOPPED = "stopped", "Stopped"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prescriptions"
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="prescribed",
        help_text="The clinician who entered or confirmed it.",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    regimen_slug = models.CharField(max_length=40, blank=True)
    regimen_name = models.CharField(max_length=120)
    product = models.CharField(max_length=20, choices=Product.choices)
    brand = models.CharField(max_length=80, blank=True)
    strength_mcg_per_ml = models.PositiveIntegerField("strength (mcg per mL)")
    dose_mcg = models.PositiveIntegerField("dose per injection (mcg)")
    route = models.CharField(max_length=2, choices=Route.choices, default=Route.IM)
    cause = models.CharField(max_length=24, choices=Cause.choices, default=Cause.UNKNOWN)
    neuro = models.BooleanField("nerves involved", default=False)
    lifelong = models.BooleanField(default=True)
    start_date = models.DateField()
    # A patient who joined part-way: where they were, and how many injections of the first
    # (loading) phase they had before the start date, which are not logged here.
    joined_stage = models.CharField(
        max_length=12, choices=JoinStage.choices, default=JoinStage.START
    )
    injections_before_joining = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    given_by = models.CharField(max_length=8, choices=GivenBy.choices, default=GivenBy.SELF)
    monitoring_plan = models.TextField(blank=True, max_length=2000)
    adjustment_triggers = models.TextField(blank=True, max_length=2000)
    notes = models.TextField(blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1)
    # Raised by every write to the plan or its injections: cached pages are keyed on it.
    revision = models.PositiveIntegerField(default=0, editable=False)
    planned_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(dose_mcg__gt=0), name="prescription_dose_positive"),
            models.CheckConstraint(
                condition=Q(strength_mcg_per_ml__gt=0), name="prescription_strength_positive"
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="active"),
                name="prescription_one_active_per_patient",
            ),
        ]
        indexes = [models.Index(fields=["status", "planned_until"])]

    def __str__(self) -> str:
        return f"{self.regimen_name} ({self.get_product_display()}, from {self.start_date})"

    @property
    def volume_ml(self) -> Decimal:
        return volume_for(self.dose_mcg, self.strength_mcg_per_ml)


def volume_for(dose_mcg: int, strength_mcg_per_ml: int) -> Decimal:
    """mL to draw up, to two decimals."""
    volume = Decimal(dose_mcg) / Decimal(strength_mcg_per_ml)
    return volume.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class PrescriptionVersion(models.Model):
    """A frozen copy of the prescription as it was before a change. Never edited."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    snapshot = models.JSONField()
    reason = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["prescription", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "number"], name="prescription_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prescription_id} v{self.number}"


class Phase(models.Model):
    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=PhaseKind.choices)
    unit = models.CharField(max_length=8, choices=CadenceUnit.choices)
    every = models.PositiveSmallIntegerField(default=1)
    every_max = models.PositiveSmallIntegerField(null=True, blank=True)
    weekdays = models.CharField(
        max_length=20, blank=True, help_text="0=Mon … 6=Sun, comma-separated"
    )
    bound = models.CharField(max_length=10, choices=Bound.choices)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_days = models.PositiveSmallIntegerField(null=True, blank=True)
    dose_mcg = models.PositiveIntegerField()
    grace_days = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # Set on a maintenance phase that replaced another part-way: its first dose is not before.
    not_before = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["prescription", "order"]
        constraints = [
            models.UniqueConstraint(fields=["prescription", "order"], name="phase_order_unique"),
            models.CheckConstraint(condition=Q(dose_mcg__gt=0), name="phase_dose_positive"),
            models.CheckConstraint(condition=Q(every__gte=1), name="phase_every_positive"),
            models.CheckConstraint(
                condition=Q(every_max__isnull=True) | Q(every_max__gt=F("every")),
                name="phase_range_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(bound="count") | Q(count__gte=1), name="phase_count_needs_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.cadence().describe()}"

    def cadence(self) -> engine.Cadence:
        days = tuple(int(day) for day in self.weekdays.split(",") if day.strip())
        if not engine.is_unit(self.unit):
            raise engine.EngineError(f"Phase {self.pk}: unknown cadence unit {self.unit!r}.")
        return engine.Cadence(self.unit, self.every, self.every_max, days)

    def spec(self) -> engine.PhaseSpec:
        # The field choices are the engine's words, so a row failing this check (or the one in
        # cadence()) was written around full_clean; planning it would fail the same way.
        if not engine.is_phase_kind(self.kind):
            raise engine.EngineError(f"Phase {self.pk}: unknown phase kind {self.kind!r}.")
        if not engine.is_bound(self.bound):
            raise engine.EngineError(f"Phase {self.pk}: unknown bound {self.bound!r}.")
        return engine.PhaseSpec(
            kind=self.kind,
            cadence=self.cadence(),
            dose_mcg=self.dose_mcg,
            bound=self.bound,
            count=self.count,
            duration_days=self.duration_days,
            grace_days=self.grace_days,
            closed_on=self.closed_on,
            not_before=self.not_before,
        )

    @classmethod
    def from_spec(cls, spec: engine.PhaseSpec, *, order: int, prescription: Prescription) -> Phase:
        return cls(
            prescription=prescription,
            order=order,
            kind=spec.kind,
            unit=spec.cadence.unit,
            every=spec.cadence.every,
            every_max=spec.cadence.every_max,
            weekdays=",".join(str(day) for day in spec.cadence.weekdays),
            bound=spec.bound,
            count=spec.count,
            duration_days=spec.duration_days,
            dose_mcg=spec.dose_mcg,
            grace_days=spec.grace_days,
            closed_on=spec.closed_on,
            not_before=spec.not_before,
        )


class InjectionQuerySet(models.QuerySet["Injection"]):
    def recorded(self) -> InjectionQuerySet:
        return self.filter(status=Injection.Status.RECORDED)

    @staticmethod
    def q_extra() -> Q:
        """It counts as no dose: confirmed as extra, or recorded with no dose taking it (dated
        outside every window). One subquery, not a query per row. An injection dated before
        the start (history of a patient who joined part-way) is history, not extra."""
        taken_by = Dose.objects.filter(injection=OuterRef("pk"))
        history = Q(given_on__lt=F("prescription__start_date"))
        return Q(extra=True) | Q(Q(status=states.RECORDED), ~Exists(taken_by), ~history)

    def not_doses(self) -> InjectionQuerySet:
        """The extra injections: recorded or confirmed, but taken by no dose."""
        return self.filter(self.q_extra())


class DoseQuerySet(models.QuerySet["Dose"]):
    """The dose states pages and sweeps filter on, from schedules.states (aggregates use the
    Q expressions there directly)."""

    def live(self) -> DoseQuerySet:
        return self.filter(states.live())

    def open(self) -> DoseQuerySet:
        return self.filter(states.open_())

    def counted(self) -> DoseQuerySet:
        return self.filter(states.counted())

    def missed(self, today: date) -> DoseQuerySet:
        return self.filter(states.missed(today))


class Injection(models.Model):
    class Status(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        CORRECTED = "corrected", "Corrected (replaced)"
        VOIDED = "voided", "Voided"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="injections"
    )
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="injections"
    )
    given_on = models.DateField()
    given_at = models.TimeField(null=True, blank=True)
    dose_mcg = models.PositiveIntegerField()
    volume_ml = models.DecimalField(max_digits=4, decimal_places=2)
    site = models.CharField(max_length=24, choices=Site.choices, blank=True)
    route = models.CharField(max_length=2, choices=Route.choices)
    given_by = models.CharField(max_length=8, choices=GivenBy.choices, default=GivenBy.SELF)
    lot = models.CharField("lot / batch number", max_length=40, blank=True)
    expiry = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=1000)
    extra = models.BooleanField(
        default=False, help_text="Confirmed although too soon: never counts toward a dose."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECORDED)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    reason = models.CharField(
        max_length=200, blank=True, help_text="Why it was corrected or voided."
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)
    client_token = models.CharField(max_length=64, blank=True, editable=False)
    changed_at = models.DateTimeField(null=True, blank=True)

    objects = InjectionQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(dose_mcg__gt=0), name="injection_dose_positive"),
            models.CheckConstraint(condition=Q(volume_ml__gt=0), name="injection_volume_positive"),
            models.UniqueConstraint(
                fields=["patient", "client_token"],
                condition=~Q(client_token=""),
                name="injection_form_sent_once",
            ),
        ]
        indexes = [
            models.Index(fields=["prescription", "status", "given_on"]),
            models.Index(fields=["patient", "given_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.given_on} {self.dose_mcg} mcg ({self.status})"

    @property
    def counts(self) -> bool:
        return self.status == self.Status.RECORDED and not self.extra


class Dose(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DUE = "due", "Due"
        TAKEN = "taken", "Taken"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="doses")
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="doses")
    sequence = models.PositiveIntegerField()
    due = models.DateField()
    earliest = models.DateField()
    latest = models.DateField()
    dose_mcg = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    injection = models.OneToOneField(
        Injection, on_delete=models.PROTECT, null=True, blank=True, related_name="dose"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = DoseQuerySet.as_manager()

    class Meta:
        ordering = ["prescription", "due"]
        constraints = [
            models.UniqueConstraint(fields=["prescription", "due"], name="dose_one_per_date"),
            models.CheckConstraint(
                condition=Q(earliest__lte=F("due")) & Q(due__lte=F("latest")),
                name="dose_window_contains_due",
            ),
            models.CheckConstraint(condition=Q(dose_mcg__gt=0), name="dose_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "latest"]),
            models.Index(fields=["status", "due"]),
        ]

    def __str__(self) -> str:
        return f"{self.due} ({self.status})"

    def status_on(self, today: date) -> str:
        """The status on `today`, from the row alone; cancelled stays cancelled, and a dose the
        sweep marked missed stays missed (as in states.missed)."""
        if self.status == self.Status.CANCELLED:
            return self.status
        if self.injection_id:
            return self.Status.TAKEN
        if self.status == self.Status.MISSED:
            return self.status
        return engine.status_on(
            earliest=self.earliest, latest=self.latest, given_on=None, today=today
        )


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def live(self) -> AppointmentQuerySet:
        return self.filter(cancelled_at__isnull=True)


class Appointment(models.Model):
    """The nurse appointment a patient booked for a nurse-given dose. Rebooking cancels the
    previous row and writes a new one, so the history stays; one live row per dose.

    It follows its dose: when a re-plan cancels the dose (its date moved), the appointment is
    no longer shown and the new dose is asked about again."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.CASCADE, related_name="appointments"
    )
    dose = models.ForeignKey(Dose, on_delete=models.CASCADE, related_name="appointments")
    on = models.DateField("date")
    at = models.TimeField("time", null=True, blank=True)
    place = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["prescription", "on"]
        constraints = [
            models.UniqueConstraint(
                fields=["dose"],
                condition=Q(cancelled_at__isnull=True),
                name="appointment_one_live_per_dose",
            ),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.on} for dose {self.dose_id}"
