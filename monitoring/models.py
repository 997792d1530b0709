"""Review flags: something a clinician should look at (a missed dose, an overdue review).

A flag is raised once per (dose, kind), or once per key for flags that have no dose.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import summary_sync
from .summary import PatientSearchTerm, PatientSummary

__all__ = ["PatientSearchTerm", "PatientSummary"]


# What the summary counts of a flag: whose it is, its kind and whether it is open.
COUNTED_FIELDS = frozenset({"patient", "patient_id", "kind", "status"})


class FlagQuerySet(models.QuerySet["Flag"]):
    """Flags are written in bulk and by guarded updates as well as saved one by one: each way
    recounts the open flags on the summaries of the patients it touched, in its transaction."""

    def update(self, **kwargs: object) -> int:
        if not COUNTED_FIELDS.intersection(kwargs):  # a note or an actor: nothing counted
            return super().update(**kwargs)
        patients = set(self.order_by().values_list("patient_id", flat=True).distinct())
        updated = super().update(**kwargs)
        if updated:
            summary_sync.summaries_flags_refresh(patient_ids=patients)
        return updated

    def bulk_create(self, objs: Iterable[Flag], *args: Any, **kwargs: Any) -> list[Flag]:
        made = super().bulk_create(objs, *args, **kwargs)
        summary_sync.summaries_flags_refresh(patient_ids={flag.patient_id for flag in made})
        return made

    def delete(self) -> tuple[int, dict[str, int]]:
        patients = set(self.order_by().values_list("patient_id", flat=True).distinct())
        deleted = super().delete()
        summary_sync.summaries_flags_refresh(patient_ids=patients)
        return deleted


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

    objects = FlagQuerySet.as_manager()

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


# --- Symptom check-ins: one a day per patient, its earlier versions, and the prompt cadence.


class Score(models.IntegerChoices):
    NONE = 0, "None"
    MILD = 1, "Mild"
    MODERATE = 2, "Moderate"
    SEVERE = 3, "Severe"


# (field, the words a patient sees), in the order the page asks them.
SYMPTOMS: tuple[tuple[str, str], ...] = (
    ("tiredness", "Tiredness"),
    ("tingling", "Pins and needles or numbness"),
    ("balance", "Balance"),
    ("memory", "Memory and concentration"),
    ("mood", "Low mood"),
    ("mouth", "Sore mouth or tongue"),
    ("breathless", "Breathlessness"),
)
RED_FLAGS: tuple[tuple[str, str], ...] = (
    ("weakness", "New or worse weakness in the arms or legs"),
    ("walking", "Difficulty walking"),
    ("vision", "Loss of vision or blurred sight"),
)
SCORE_MAX = int(Score.SEVERE)
CHECKIN_NOTE_LENGTH = 1000


def _score_field(label: str) -> models.PositiveSmallIntegerField:  # type: ignore[type-arg]
    return models.PositiveSmallIntegerField(label, choices=Score.choices, default=Score.NONE)


class CheckIn(models.Model):
    """How the patient felt on one local day; a second check-in that day edits this one."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    on = models.DateField("date")
    tiredness = _score_field("Tiredness")
    tingling = _score_field("Pins and needles or numbness")
    balance = _score_field("Balance")
    memory = _score_field("Memory and concentration")
    mood = _score_field("Low mood")
    mouth = _score_field("Sore mouth or tongue")
    breathless = _score_field("Breathlessness")
    weakness = models.BooleanField("New or worse weakness", default=False)
    walking = models.BooleanField("Difficulty walking", default=False)
    vision = models.BooleanField("Loss of vision or blurred sight", default=False)
    note = models.TextField(blank=True, max_length=CHECKIN_NOTE_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "on"], name="checkin_one_per_day"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__lte": SCORE_MAX}), name=f"checkin_{name}_on_scale"
                )
                for name, _ in SYMPTOMS
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in {self.on} (total {self.total})"

    @property
    def total(self) -> int:
        return sum(int(getattr(self, name)) for name, _ in SYMPTOMS)

    @property
    def red_flags(self) -> list[str]:
        """The words of each urgent question answered yes."""
        return [words for name, words in RED_FLAGS if getattr(self, name)]

    def snapshot(self) -> dict[str, object]:
        names = [name for name, _ in SYMPTOMS] + [name for name, _ in RED_FLAGS]
        values: dict[str, object] = {name: getattr(self, name) for name in names}
        values["note"] = self.note
        return values


class CheckInRevision(models.Model):
    """A check-in as it stood before an edit: edits never lose what was said first."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    recorded_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["checkin", "number"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "number"], name="checkin_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.checkin} version {self.number}"


class CheckInPlan(models.Model):
    """How often the patient wants to be asked to check in; no row means the defaults."""

    class Every(models.IntegerChoices):
        DAILY = 1, "Every day"
        THREE_DAYS = 3, "Every 3 days"
        WEEKLY = 7, "Every week"
        FORTNIGHTLY = 14, "Every 2 weeks"

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_plan"
    )
    every_days = models.PositiveSmallIntegerField(
        "Ask me", choices=Every.choices, default=Every.WEEKLY
    )
    closer_before_dose = models.BooleanField(
        "Ask every 3 days in the 2 weeks before a maintenance dose", default=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(every_days__in=[1, 3, 7, 14]), name="checkin_plan_every_valid"
            )
        ]

    def __str__(self) -> str:
        return f"Check-in plan: {self.get_every_days_display()}"


# --- Lab results ---------------------------------------------------------------------------------
# The tests, units and rules that read these rows live in monitoring/labs/ (docs/labs.md).


class LabTest(models.TextChoices):
    SERUM_B12 = "serum_b12", "Serum B12"
    ACTIVE_B12 = "active_b12", "Active B12 (holotranscobalamin)"
    MMA = "mma", "Methylmalonic acid (MMA)"
    FOLATE = "folate", "Folate"
    FERRITIN = "ferritin", "Ferritin"
    HAEMOGLOBIN = "haemoglobin", "Haemoglobin"
    MCV = "mcv", "MCV (red cell size)"


class LabUnit(models.TextChoices):
    """UCUM codes (stored) with the way a lab prints them (shown)."""

    PG_ML = "pg/mL", "pg/mL"
    NG_L = "ng/L", "ng/L"
    PMOL_L = "pmol/L", "pmol/L"
    UMOL_L = "umol/L", "µmol/L"
    NMOL_L = "nmol/L", "nmol/L"
    NG_ML = "ng/mL", "ng/mL"
    UG_L = "ug/L", "µg/L"
    G_DL = "g/dL", "g/dL"
    G_L = "g/L", "g/L"
    FL = "fL", "fL"


# Per test: its LOINC code (active B12 has no single code in our table, so none is stored),
# the units a lab may print it in, and the one unit every result is also stored in.
LAB_LOINC: dict[str, str] = {
    LabTest.SERUM_B12: "2132-9",
    LabTest.ACTIVE_B12: "",
    LabTest.MMA: "13964-2",
    LabTest.FOLATE: "2284-8",
    LabTest.FERRITIN: "2276-4",
    LabTest.HAEMOGLOBIN: "718-7",
    LabTest.MCV: "787-2",
}
LAB_UNITS: dict[str, tuple[str, ...]] = {
    LabTest.SERUM_B12: (LabUnit.PG_ML, LabUnit.NG_L, LabUnit.PMOL_L),
    LabTest.ACTIVE_B12: (LabUnit.PMOL_L,),
    LabTest.MMA: (LabUnit.UMOL_L, LabUnit.NMOL_L),
    LabTest.FOLATE: (LabUnit.NG_ML, LabUnit.NMOL_L),
    LabTest.FERRITIN: (LabUnit.NG_ML, LabUnit.UG_L),
    LabTest.HAEMOGLOBIN: (LabUnit.G_L, LabUnit.G_DL),
    LabTest.MCV: (LabUnit.FL,),
}
LAB_CANONICAL_UNIT: dict[str, str] = {
    LabTest.SERUM_B12: LabUnit.NG_L,
    LabTest.ACTIVE_B12: LabUnit.PMOL_L,
    LabTest.MMA: LabUnit.UMOL_L,
    LabTest.FOLATE: LabUnit.NG_ML,
    LabTest.FERRITIN: LabUnit.UG_L,
    LabTest.HAEMOGLOBIN: LabUnit.G_L,
    LabTest.MCV: LabUnit.FL,
}


def _per_test(field: str, table: dict[str, str]) -> Q:
    return Q(
        *(Q(test=test) & Q(**{field: value}) for test, value in table.items()), _connector="OR"
    )


def _units_allowed() -> Q:
    return Q(
        *(Q(test=test, unit__in=list(units)) for test, units in LAB_UNITS.items()),
        _connector="OR",
    )


class LabResult(models.Model):
    """One result as the lab printed it, with the same value in the test's canonical unit.

    A correction edits the row in place; the audit log keeps each edit's before and after."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_results"
    )
    test = models.CharField(max_length=12, choices=LabTest.choices)
    loinc = models.CharField("LOINC code", max_length=10, blank=True)
    value = models.DecimalField(max_digits=10, decimal_places=3)
    unit = models.CharField("unit (UCUM)", max_length=8, choices=LabUnit.choices)
    canonical_value = models.DecimalField(max_digits=12, decimal_places=3)
    canonical_unit = models.CharField(max_length=8, choices=LabUnit.choices)
    ref_low = models.DecimalField(
        "lab's range: low", max_digits=10, decimal_places=3, null=True, blank=True
    )
    ref_high = models.DecimalField(
        "lab's range: high", max_digits=10, decimal_places=3, null=True, blank=True
    )
    taken_on = models.DateField("sample taken on")
    note = models.TextField(blank=True, max_length=500)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-taken_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="lab_value_positive"),
            models.CheckConstraint(
                condition=Q(canonical_value__gt=0), name="lab_canonical_positive"
            ),
            models.CheckConstraint(
                condition=_per_test("loinc", LAB_LOINC), name="lab_loinc_of_test"
            ),
            models.CheckConstraint(condition=_units_allowed(), name="lab_unit_of_test"),
            models.CheckConstraint(
                condition=_per_test("canonical_unit", LAB_CANONICAL_UNIT),
                name="lab_canonical_unit_of_test",
            ),
            models.CheckConstraint(
                condition=Q(ref_low__isnull=True) | Q(ref_low__gte=0),
                name="lab_ref_low_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(ref_low__isnull=True)
                | Q(ref_high__isnull=True)
                | Q(ref_low__lte=models.F("ref_high")),
                name="lab_ref_low_not_above_high",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "test", "taken_on"], name="lab_patient_test_taken_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_test_display()} {self.value} {self.unit} on {self.taken_on}"


# --- The monitoring plan: which test or review, when ---------------------------------------------
# Derived from the prescription when it starts, changed by the clinician; the dates, statuses
# and reminders that read these rows live in monitoring/plan.py (docs/monitoring.md).


class PlanWhat(models.TextChoices):
    FULL_BLOOD_COUNT = "fbc", "Full blood count"
    SERUM_B12 = "serum_b12", "Serum B12"
    ACTIVE_B12 = "active_b12", "Active B12"
    MMA = "mma", "Methylmalonic acid (MMA)"
    FOLATE = "folate", "Folate"
    FERRITIN = "ferritin", "Ferritin"
    REVIEW = "review", "Review with your clinician"


class PlanItem(models.Model):
    """One planned blood test or review. Its status on a day (due, overdue) is derived;
    stored is only whether it is still planned, done or cancelled."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Origin(models.TextChoices):
        REGIMEN = "regimen", "From the prescription"
        CLINICIAN = "clinician", "Added by the clinician"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_items"
    )
    prescription = models.ForeignKey(
        "schedules.Prescription", on_delete=models.CASCADE, related_name="plan_items"
    )
    what = models.CharField(max_length=12, choices=PlanWhat.choices)
    due_on = models.DateField("planned for")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.CLINICIAN)
    # Derived items are unique per prescription and purpose ("rx:12:serum_b12:start"), so
    # deriving twice is harmless and a cancelled one is not re-made.
    key = models.CharField(max_length=60, blank=True)
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(null=True, blank=True)
    done_by_lab = models.ForeignKey(
        LabResult, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="plan_item_once_per_key"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "done", "cancelled"]),
                name="plan_item_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="plan_item_done_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="plan_item_status_due_idx"),
            models.Index(fields=["patient", "status"], name="plan_item_patient_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_what_display()} on {self.due_on} ({self.status})"


class TriggerState(models.Model):
    """Whether an adjustment trigger's evidence holds for a prescription now, and which episode
    it is in: a trigger flags once per episode, and a new episode starts only when the evidence
    went away and came back (monitoring/triggers.py)."""

    prescription = models.ForeignKey(
        "schedules.Prescription", on_delete=models.CASCADE, related_name="trigger_states"
    )
    kind = models.CharField(max_length=24, choices=Flag.Kind.choices)
    active = models.BooleanField(default=False)
    episode = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prescription", "kind"], name="trigger_state_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} episode {self.episode} ({'on' if self.active else 'off'})"


# The summary follows re-plans, stopped prescriptions, profiles and flags from the moment the
# models load, in every process (web, worker, management command).
summary_sync.connect()
