"""Where a result sits: our interpretive band (NICE NG239 for B12, common lab cut-offs for MMA
and folate) and, beside it, the lab's own range. Words only: never a diagnosis."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from monitoring.models import LabResult, LabTest

from .catalogue import canonical_unit, printed, unit_label

SERUM_B12_DEFICIENT_BELOW = Decimal(180)  # ng/L, NICE NG239
SERUM_B12_INDETERMINATE_TO = Decimal(350)  # ng/L, NICE NG239
ACTIVE_B12_DEFICIENT_BELOW = Decimal(25)  # pmol/L, NICE NG239
ACTIVE_B12_INDETERMINATE_TO = Decimal(70)  # pmol/L, NICE NG239
MMA_RAISED_ABOVE = Decimal("0.40")  # umol/L, the usual laboratory upper limit
FOLATE_LOW_AT_OR_BELOW = Decimal("3.9")  # ng/mL, a common laboratory cut-off


class Band(StrEnum):
    """A band is a plain string, so callers may compare with "deficient" directly."""

    DEFICIENT = "deficient"
    INDETERMINATE = "indeterminate"
    NOT_DEFICIENT = "not deficient"
    RAISED = "raised"
    NOT_RAISED = "not raised"
    LOW = "low"
    NOT_LOW = "not low"
    NONE = ""  # no band of ours: ferritin, haemoglobin and MCV show the lab's range only


def band_for(test: str, canonical_value: Decimal) -> Band:
    """The band of a value already in the test's canonical unit."""
    if test in (LabTest.SERUM_B12, LabTest.ACTIVE_B12):
        low, high = (
            (SERUM_B12_DEFICIENT_BELOW, SERUM_B12_INDETERMINATE_TO)
            if test == LabTest.SERUM_B12
            else (ACTIVE_B12_DEFICIENT_BELOW, ACTIVE_B12_INDETERMINATE_TO)
        )
        if canonical_value < low:
            return Band.DEFICIENT
        return Band.INDETERMINATE if canonical_value <= high else Band.NOT_DEFICIENT
    if test == LabTest.MMA:
        return Band.RAISED if canonical_value > MMA_RAISED_ABOVE else Band.NOT_RAISED
    if test == LabTest.FOLATE:
        return Band.LOW if canonical_value <= FOLATE_LOW_AT_OR_BELOW else Band.NOT_LOW
    return Band.NONE


def band(result: LabResult) -> Band:
    """The interpretive band of a stored result (from its canonical value)."""
    return band_for(result.test, result.canonical_value)


def _b12_words(found: Band, low: Decimal, high: Decimal, unit: str) -> str:
    if found == Band.DEFICIENT:
        return f"In the range NICE NG239 calls deficient (below {low} {unit})."
    if found == Band.INDETERMINATE:
        return f"In the range NICE NG239 calls indeterminate ({low} to {high} {unit})."
    return f"Above the range NICE NG239 calls indeterminate (over {high} {unit})."


def band_words(test: str, found: Band) -> str:
    """One sentence saying which band a result is in and who draws the line; blank for none."""
    unit = unit_label(canonical_unit(test))
    if test == LabTest.SERUM_B12:
        return _b12_words(found, SERUM_B12_DEFICIENT_BELOW, SERUM_B12_INDETERMINATE_TO, unit)
    if test == LabTest.ACTIVE_B12:
        return _b12_words(found, ACTIVE_B12_DEFICIENT_BELOW, ACTIVE_B12_INDETERMINATE_TO, unit)
    if test == LabTest.MMA:
        if found == Band.RAISED:
            return f"Above {MMA_RAISED_ABOVE} {unit}, the usual laboratory upper limit: raised."
        return f"Not above {MMA_RAISED_ABOVE} {unit}, the usual laboratory upper limit."
    if test == LabTest.FOLATE:
        if found == Band.LOW:
            return f"At or below {FOLATE_LOW_AT_OR_BELOW} {unit}, a common laboratory cut-off: low."
        return f"Above {FOLATE_LOW_AT_OR_BELOW} {unit}, a common laboratory cut-off: not low."
    return ""


def lab_range_words(result: LabResult) -> str:
    """Where the value sits in the range printed by the lab (same unit as the value)."""
    low, high, value = result.ref_low, result.ref_high, result.value
    if low is None and high is None:
        return ""
    unit = unit_label(result.unit)
    if low is not None and high is not None:
        span = f"{printed(low)} to {printed(high)} {unit}"
    elif low is not None:
        span = f"from {printed(low)} {unit}"
    else:
        span = f"up to {printed(high)} {unit}"  # type: ignore[arg-type]
    if low is not None and value < low:
        return f"Below the lab's own range ({span})."
    if high is not None and value > high:
        return f"Above the lab's own range ({span})."
    return f"Within the lab's own range ({span})."
