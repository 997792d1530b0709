"""Writes for lab results: record one, correct one. Each checks the whole result first and
refuses with messages per field; a correction keeps its before and after in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User
from core.clock import local_today
from monitoring.models import LabResult, LabTest, LabUnit
from monitoring.signals import evidence_recorded

from .catalogue import (
    PLAUSIBLE,
    canonical_unit,
    loinc,
    printed,
    to_canonical,
    unit_allowed,
    unit_label,
    units_for,
)

EARLIEST_WITHOUT_BIRTH_DATE = date(1900, 1, 1)


@dataclass(frozen=True)
class LabEntry:
    """A result as typed: the fields a patient gives, before any conversion."""

    test: str
    value: Decimal
    unit: str
    taken_on: date
    ref_low: Decimal | None = None
    ref_high: Decimal | None = None
    note: str = ""


def _value_problem(entry: LabEntry) -> str | None:
    name = LabTest(entry.test).label
    if entry.unit not in LabUnit.values:
        return "Choose a unit from the list."
    if not unit_allowed(entry.test, entry.unit):
        choices = ", ".join(unit_label(unit) for unit in units_for(entry.test))
        return f"{unit_label(entry.unit)} is not a unit for {name}: choose {choices}."
    if entry.value <= 0:
        return "Enter the result as a number above zero."
    low, high = PLAUSIBLE[entry.test]
    value = to_canonical(entry.test, entry.unit, entry.value)
    if low <= value <= high:
        return None
    target = unit_label(canonical_unit(entry.test))
    typed = f"{printed(entry.value)} {unit_label(entry.unit)}"
    same = "" if entry.unit == canonical_unit(entry.test) else f" ({printed(value)} {target})"
    side = f"above {high}" if value > high else f"below {printed(low)}"
    return (
        f"{typed}{same} is implausible for {name}, which reads {side} {target} only by "
        "mistake. Check the value and the unit on the report."
    )


def lab_entry_problems(*, patient: User, entry: LabEntry, today: date) -> dict[str, list[str]]:
    """Every reason to refuse `entry`, by field; empty when it may be saved."""
    problems: dict[str, list[str]] = {}
    if entry.test not in LabTest.values:
        return {"test": ["Choose a test from the list."]}
    if (value_problem := _value_problem(entry)) is not None:
        problems["unit" if not unit_allowed(entry.test, entry.unit) else "value"] = [value_problem]
    born = patient.patient_profile.date_of_birth
    if entry.taken_on > today:
        problems["taken_on"] = ["The sample date is in the future: enter the day it was taken."]
    elif born is not None and entry.taken_on < born:
        problems["taken_on"] = ["The sample date is before your date of birth."]
    elif entry.taken_on < EARLIEST_WITHOUT_BIRTH_DATE:
        problems["taken_on"] = ["Enter a sample date from 1900 onwards."]
    for name, bound in (("ref_low", entry.ref_low), ("ref_high", entry.ref_high)):
        if bound is not None and bound < 0:
            problems[name] = ["A range limit cannot be negative."]
    if entry.ref_low is not None and entry.ref_high is not None and entry.ref_low > entry.ref_high:
        problems["ref_high"] = ["The top of the lab's range is below its bottom: check both."]
    return problems


def _fill(result: LabResult, entry: LabEntry) -> None:
    result.test = entry.test
    result.loinc = loinc(entry.test)
    result.value = entry.value
    result.unit = entry.unit
    result.canonical_value = to_canonical(entry.test, entry.unit, entry.value)
    result.canonical_unit = canonical_unit(entry.test)
    result.ref_low = entry.ref_low
    result.ref_high = entry.ref_high
    result.taken_on = entry.taken_on
    result.note = entry.note


def _refuse_unless_fine(patient: User, entry: LabEntry, today: date | None) -> None:
    problems = lab_entry_problems(patient=patient, entry=entry, today=today or local_today(patient))
    if problems:
        raise ValidationError(problems)


AUDITED = ("test", "value", "unit", "ref_low", "ref_high", "taken_on", "note")


def _shown(value: object) -> str:
    # A stored Decimal reads 150.000 and a typed one 150: compare them as the lab prints them.
    if value is None:
        return ""
    return printed(value) if isinstance(value, Decimal) else str(value)


def _snapshot(result: LabResult) -> dict[str, str]:
    return {name: _shown(getattr(result, name)) for name in AUDITED}


@transaction.atomic
def lab_result_record(
    *,
    patient: User,
    actor: User,
    entry: LabEntry,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> LabResult:
    """Store a new result for `patient`, entered by `actor`."""
    _refuse_unless_fine(patient, entry, today)
    result = LabResult(patient=patient, entered_by=actor)
    _fill(result, entry)
    result.full_clean()
    result.save()
    evidence_recorded.send(sender=LabResult, patient_id=result.patient_id, lab=True)
    log_action(
        actor=actor,
        action="lab_result.recorded",
        patient=patient,
        obj=result,
        request=request,
        detail={"result": _snapshot(result)},
    )
    return result


@transaction.atomic
def lab_result_update(
    *,
    result: LabResult,
    actor: User,
    entry: LabEntry,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> LabResult:
    """Correct a result in place; the audit event keeps each changed field's before and after."""
    # Lock the result row only: the profile is read beside it through an outer join.
    locked = LabResult.objects.select_for_update(of=("self",))
    locked = locked.select_related("patient__patient_profile")
    result = locked.get(pk=result.pk)
    _refuse_unless_fine(result.patient, entry, today)
    before = _snapshot(result)
    _fill(result, entry)
    result.changed_at = timezone.now()
    result.full_clean()
    result.save()
    evidence_recorded.send(sender=LabResult, patient_id=result.patient_id, lab=True)
    after = _snapshot(result)
    changed = {name: [before[name], after[name]] for name in AUDITED if before[name] != after[name]}
    log_action(
        actor=actor,
        action="lab_result.corrected",
        patient=result.patient,
        obj=result,
        request=request,
        detail={"changed": changed},
    )
    return result
