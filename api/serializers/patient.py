"""Bodies of the patient endpoints: what each answer holds and what each write accepts.

They parse and describe only; the services behind the endpoints judge the values, as they
do for the pages, and name the field at fault.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from monitoring.labs.bands import Band
from monitoring.labs.selectors import lab_row
from monitoring.models import (
    CHECKIN_NOTE_LENGTH,
    RED_FLAGS,
    SYMPTOMS,
    CheckIn,
    LabResult,
    LabTest,
    LabUnit,
    Score,
)
from reminders.models import StockBatch
from reminders.stock.services import MAX_BATCH
from schedules.models import Dose, GivenBy, Injection, Site
from schedules.units import MAX_DOSE_MCG

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

# --- Doses ------------------------------------------------------------------------------------


class DoseFilter(serializers.Serializer[dict[str, Any]]):
    """The query of the dose list: `from` and `to` (due dates, inclusive; `to` before `from`
    is a range with no days, so no doses) and `status`."""

    to = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=Dose.Status.choices, required=False)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)  # a keyword in Python
        return fields


# --- Injections -------------------------------------------------------------------------------


class InjectionOut(serializers.ModelSerializer[Injection]):
    prescription = serializers.IntegerField(source="prescription_id", read_only=True)
    given_at = serializers.TimeField(read_only=True, allow_null=True)
    expiry = serializers.DateField(read_only=True, allow_null=True)
    extra = serializers.SerializerMethodField(
        help_text="It counts as no dose: confirmed as extra, or dated outside every dose's window."
    )
    confirmed_extra = serializers.BooleanField(
        source="extra",
        read_only=True,
        help_text="Logged although too soon after another injection, with the confirmation.",
    )
    ampoule_expired = serializers.SerializerMethodField(
        help_text="The ampoule's expiry date was before the day of the injection."
    )
    replaces = serializers.IntegerField(source="replaces_id", read_only=True, allow_null=True)
    replaced_by = serializers.SerializerMethodField()

    class Meta:
        model = Injection
        fields = [
            "id",
            "prescription",
            "given_on",
            "given_at",
            "dose_mcg",
            "volume_ml",
            "site",
            "route",
            "given_by",
            "lot",
            "expiry",
            "ampoule_expired",
            "notes",
            "extra",
            "confirmed_extra",
            "status",
            "reason",
            "replaces",
            "replaced_by",
            "logged_at",
            "changed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_extra(self, injection: Injection) -> bool:
        # Rows of the history selector carry `is_extra`; it is worked out in the same query.
        return bool(getattr(injection, "is_extra", injection.extra))

    @extend_schema_field(serializers.BooleanField())
    def get_ampoule_expired(self, injection: Injection) -> bool:
        return injection.expiry is not None and injection.expiry < injection.given_on

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_replaced_by(self, injection: Injection) -> int | None:
        replacement = getattr(injection, "replaced_by", None)
        return replacement.pk if replacement is not None else None


def _text(max_length: int, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


CONFIRM_HELP = (
    "Set to true only to record an injection that is too close to another one as an extra "
    "injection (it does not move your schedule). Without it such an injection is refused."
)


class InjectionIn(serializers.Serializer[dict[str, Any]]):
    """An injection to log; the values the log page's form takes."""

    given_on = serializers.DateField()
    given_at = serializers.TimeField(required=False, allow_null=True, default=None)
    site = serializers.ChoiceField(
        choices=Site.choices,
        error_messages={"required": "Pick the place you injected."},
    )
    given_by = serializers.ChoiceField(
        choices=GivenBy.choices,
        required=False,
        help_text="Who gave it; the prescription's choice when left out.",
    )
    dose_mcg = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DOSE_MCG,
        help_text="In micrograms; when left out, the planned dose of that day. The volume it "
        "makes at the prescription's strength must be 3 mL or less.",
    )
    lot = _text(40)
    expiry = serializers.DateField(required=False, allow_null=True, default=None)
    notes = _text(1000)
    confirm_extra = serializers.BooleanField(required=False, default=False, help_text=CONFIRM_HELP)


REASON_ERRORS: dict[str, str | StrPromise] = {
    "required": "Say what was wrong with the original entry.",
    "blank": "Say what was wrong with the original entry.",
}


class CorrectionIn(serializers.Serializer[dict[str, Any]]):
    """A correction: the reason, and only the details that change (the rest are kept)."""

    reason = serializers.CharField(max_length=200, error_messages=REASON_ERRORS)
    given_on = serializers.DateField(required=False)
    given_at = serializers.TimeField(required=False, allow_null=True)
    site = serializers.ChoiceField(choices=Site.choices, required=False)
    given_by = serializers.ChoiceField(choices=GivenBy.choices, required=False)
    dose_mcg = serializers.IntegerField(required=False, min_value=1, max_value=MAX_DOSE_MCG)
    lot = serializers.CharField(max_length=40, required=False, allow_blank=True)
    expiry = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    confirm_extra = serializers.BooleanField(required=False, default=False, help_text=CONFIRM_HELP)


VOID_ERRORS: dict[str, str | StrPromise] = {
    "required": "Say why, so the record explains what happened.",
    "blank": "Say why, so the record explains what happened.",
}


class VoidIn(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=200, error_messages=VOID_ERRORS)


# --- Check-ins --------------------------------------------------------------------------------

SYMPTOM_NAMES = [name for name, _ in SYMPTOMS]
RED_FLAG_NAMES = [name for name, _ in RED_FLAGS]


class CheckInOut(serializers.ModelSerializer[CheckIn]):
    total = serializers.IntegerField(read_only=True)
    edits = serializers.IntegerField(
        read_only=True, help_text="How many times the day's answers were changed."
    )

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "on",
            *SYMPTOM_NAMES,
            *RED_FLAG_NAMES,
            "note",
            "total",
            "edits",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CheckInIn(serializers.Serializer[dict[str, Any]]):
    """A day's check-in; a second one for the same day changes it. An answer left out is
    none (symptoms) or no (urgent questions), as the page's form starts."""

    on = serializers.DateField(required=False, help_text="The day; today when left out.")
    note = _text(CHECKIN_NOTE_LENGTH)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        for name, words in SYMPTOMS:
            fields[name] = serializers.ChoiceField(
                choices=Score.choices, required=False, default=Score.NONE, help_text=words
            )
        for name, words in RED_FLAGS:
            fields[name] = serializers.BooleanField(required=False, default=False, help_text=words)
        return fields


# --- Labs -------------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^\d{1,7}(\.\d{1,3})?$", "example": "150"}
)
class LabNumber(serializers.DecimalField):
    """A number as a lab prints it: up to 7 digits before the point and 3 after (a string,
    so that 0.40 stays 0.40)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=10, decimal_places=3, **kwargs)


def _decimal_in(required: bool = True) -> serializers.DecimalField:
    if required:
        return LabNumber()
    return LabNumber(required=False, allow_null=True, default=None)


class LabOut(serializers.ModelSerializer[LabResult]):
    ref_low = serializers.DecimalField(
        max_digits=10, decimal_places=3, read_only=True, allow_null=True
    )
    ref_high = serializers.DecimalField(
        max_digits=10, decimal_places=3, read_only=True, allow_null=True
    )
    changed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    band = serializers.SerializerMethodField()
    band_words = serializers.SerializerMethodField()
    lab_range = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = LabResult
        fields = [
            "id",
            "test",
            "value",
            "unit",
            "canonical_value",
            "canonical_unit",
            "ref_low",
            "ref_high",
            "taken_on",
            "note",
            "band",
            "band_words",
            "lab_range",
            "warnings",
            "created_at",
            "changed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(choices=[band.value for band in Band], allow_blank=True)
    )
    def get_band(self, result: LabResult) -> str:
        return str(lab_row(result).band)

    @extend_schema_field(serializers.CharField())
    def get_band_words(self, result: LabResult) -> str:
        return lab_row(result).band_words

    @extend_schema_field(serializers.CharField())
    def get_lab_range(self, result: LabResult) -> str:
        return lab_row(result).lab_range

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, result: LabResult) -> list[str]:
        return lab_row(result).warnings


class LabIn(serializers.Serializer[dict[str, Any]]):
    """A result as printed on the lab's report."""

    test = serializers.ChoiceField(choices=LabTest.choices)
    value = _decimal_in()
    unit = serializers.ChoiceField(choices=LabUnit.choices)
    taken_on = serializers.DateField()
    ref_low = _decimal_in(required=False)
    ref_high = _decimal_in(required=False)
    note = _text(500)


# --- Stock ------------------------------------------------------------------------------------


class BatchOut(serializers.ModelSerializer[StockBatch]):
    discarded_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = StockBatch
        fields = [
            "id",
            "strength_mcg_per_ml",
            "ampoule_ml",
            "received",
            "on_hand",
            "expiry",
            "lot",
            "discarded_at",
            "created_at",
        ]
        read_only_fields = fields


# 1 or 2 digits, then up to 2 decimals, and more than zero (no lookahead: every generator
# of examples from the schema can read it).
AMPOULE_PATTERN = r"^((\d?[1-9]|[1-9]0)(\.\d{1,2})?|0{1,2}\.(\d?[1-9]|[1-9]0))$"


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": AMPOULE_PATTERN, "example": "1"}
)
class AmpouleSize(serializers.DecimalField):
    """One ampoule's size in mL, as on the box: more than 0, at most two decimals."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=4, decimal_places=2, min_value=Decimal("0.01"), **kwargs)


class BatchIn(serializers.Serializer[dict[str, Any]]):
    """A batch of ampoules received, as on the stock page."""

    count = serializers.IntegerField(
        min_value=1, max_value=MAX_BATCH, help_text="Ampoules received."
    )
    strength_mcg_per_ml = serializers.IntegerField(help_text="As printed on the box.")
    ampoule_ml = AmpouleSize(required=False, default=Decimal("1.00"))
    expiry = serializers.DateField(help_text="The use-by date printed on the box.")
    lot = _text(40)


class PlannedDoseOut(serializers.Serializer[Any]):
    dose = serializers.IntegerField(source="id", help_text="The planned dose's id.")
    due = serializers.DateField()
    volume_ml = serializers.DecimalField(max_digits=6, decimal_places=2)


class WasteOut(serializers.Serializer[Any]):
    batch = serializers.IntegerField(source="batch_id")
    expiry = serializers.DateField()
    lot = serializers.CharField()
    ampoules = serializers.IntegerField(help_text="Ampoules that would expire unused.")


class ExpiringOut(serializers.Serializer[Any]):
    batch = serializers.IntegerField(source="id")
    expiry = serializers.DateField()
    on_hand = serializers.IntegerField()
    lot = serializers.CharField()


class StockOut(serializers.Serializer[Any]):
    """The stock page's forecast and its batches (thrown away ones left out)."""

    needed = serializers.BooleanField(
        help_text="False when a nurse gives the injections with the clinic's ampoules."
    )
    tracked = serializers.BooleanField(help_text="A batch was ever recorded.")
    on_hand = serializers.IntegerField(help_text="Usable ampoules of the prescribed strength.")
    doses_planned = serializers.IntegerField()
    covered = serializers.IntegerField(help_text="Planned doses in a row the stock covers.")
    doses_left = serializers.IntegerField(help_text="Planned doses the stock does not cover.")
    last_covered = PlannedDoseOut(allow_null=True)
    runs_out = PlannedDoseOut(allow_null=True, help_text="The first planned dose with no ampoule.")
    wasted = WasteOut(many=True)
    expiring = ExpiringOut(many=True)
    batches = BatchOut(many=True)
