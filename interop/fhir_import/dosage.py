"""One dosageInstruction as one phase: timing.repeat gives the cadence (every N days, weeks
or months, a range with periodMax, or set weekdays) and the bound (count, a duration, or none:
open until a clinician ends it, or ongoing when it is the last); doseAndRate the dose in mcg.
What cannot be read that way is noted and the dosage gives no phase."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from schedules import engine
from schedules.choices import PhaseKind

from .medication import Notes, micrograms, quantity_unit
from .values import PhaseValues

JSON = dict[str, Any]
PERIOD_UNITS: dict[str, engine.Unit] = {"d": "day", "wk": "week", "mo": "month"}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYS_IN = {"d": 1, "wk": 7}
READ_REPEAT = {
    "frequency",
    "period",
    "periodMax",
    "periodUnit",
    "dayOfWeek",
    "count",
    "boundsDuration",
    "boundsPeriod",
}
READ_DOSAGE = {"sequence", "text", "timing", "route", "doseAndRate"}
DOSAGE_REASONS = {
    "additionalInstruction": "Extra instructions are not imported; tell the patient yourself.",
    "patientInstruction": "Instructions for the patient are not imported.",
    "asNeededBoolean": "Doses taken as needed are not a schedule this app keeps.",
    "asNeededCodeableConcept": "Doses taken as needed are not a schedule this app keeps.",
    "site": "The injection site is chosen at each injection, not in the prescription.",
    "method": "The method is not imported.",
    "maxDosePerPeriod": "Dose limits are not imported.",
    "maxDosePerAdministration": "Dose limits are not imported.",
    "maxDosePerLifetime": "Dose limits are not imported.",
    "modifierExtension": "It may change what the dosage means, and it cannot be read here.",
}
KIND_LABELS = {str(label): value for value, label in PhaseKind.choices}


def _whole(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() and number >= 1 else None


def _weekday_cadence(repeat: JSON, where: str, notes: Notes) -> engine.Cadence | None:
    days = sorted({DAYS.index(day) for day in repeat["dayOfWeek"] if day in DAYS})
    frequency = repeat.get("frequency", 1)
    if repeat.get("periodUnit") != "wk" or repeat.get("period") != 1 or frequency != len(days):
        notes.add(
            f"{where}.dayOfWeek",
            "Set weekdays are read only as one dose on each listed day of every week "
            "(frequency = the number of days, period 1 wk).",
        )
        return None
    return engine.Cadence("weekday", weekdays=tuple(days))


def _interval_cadence(repeat: JSON, where: str, notes: Notes) -> engine.Cadence | None:
    code = str(repeat.get("periodUnit") or "")
    unit = PERIOD_UNITS.get(code)
    if unit is None:
        notes.add(
            f"{where}.periodUnit",
            f"{code!r} is not a unit a schedule here uses (days, weeks or months).",
        )
        return None
    frequency = repeat.get("frequency", 1)
    if frequency != 1:
        notes.add(
            f"{where}.frequency",
            f"{frequency} doses per period: a schedule here has one injection per interval.",
        )
        return None
    every = _whole(repeat.get("period"))
    if every is None:
        notes.add(f"{where}.period", "The interval is not a whole number of units.")
        return None
    every_max = None
    if "periodMax" in repeat:
        every_max = _whole(repeat["periodMax"])
        if every_max is None or every_max <= every:
            notes.add(
                f"{where}.periodMax", "The range's upper end is not a whole number above period."
            )
            return None
    return engine.Cadence(unit, every, every_max)


def _cadence(repeat: JSON, where: str, notes: Notes) -> engine.Cadence | None:
    if "period" not in repeat or "periodUnit" not in repeat:
        notes.add(where, "It has no period and periodUnit, so the interval is not known.")
        return None
    if repeat.get("dayOfWeek"):
        return _weekday_cadence(repeat, where, notes)
    return _interval_cadence(repeat, where, notes)


def _duration_days(duration: JSON, where: str, notes: Notes) -> int | None:
    code, value = quantity_unit(duration), _whole(duration.get("value"))
    if code in DAYS_IN and value is not None:
        return value * DAYS_IN[code]
    notes.add(f"{where}.boundsDuration", "It is not a whole number of days or weeks (months vary).")
    return None


def _bound(
    repeat: JSON, where: str, notes: Notes, *, last: bool
) -> tuple[engine.BoundKind, int | None, int | None] | None:
    """(bound, count, duration_days), or None when the bound cannot be read."""
    if "count" in repeat and "boundsDuration" in repeat:
        notes.add(where, "It has both a count and a duration; a phase here has one bound.")
        return None
    if "count" in repeat:
        return "count", repeat["count"], None
    if "boundsDuration" in repeat:
        days = _duration_days(repeat["boundsDuration"], where, notes)
        return None if days is None else ("duration", None, days)
    if (repeat.get("boundsPeriod") or {}).get("end"):
        notes.add(
            f"{where}.boundsPeriod.end",
            "An end date is not imported: the phase runs until you close it.",
        )
    return ("ongoing" if last else "open"), None, None


def dose_of(dosage: JSON, element: str, notes: Notes) -> int | None:
    rates = dosage.get("doseAndRate") or []
    for index in range(1, len(rates)):
        notes.add(f"{element}.doseAndRate[{index}]", "Only the first dose and rate is read.")
    first = rates[0] if rates else {}
    for key in first:
        if key.startswith("rate"):
            notes.add(f"{element}.doseAndRate[0].{key}", "A rate is not imported.")
    if "doseRange" in first:
        notes.add(f"{element}.doseAndRate[0].doseRange", "A dose range: enter the dose yourself.")
        return None
    quantity = first.get("doseQuantity")
    if not quantity:
        return None
    unit = quantity_unit(quantity)
    dose = micrograms(quantity.get("value"), unit)
    if dose is None:
        notes.add(
            f"{element}.doseAndRate[0].doseQuantity",
            f"{quantity.get('value')} {unit or '(no unit)'} is not a whole number of mcg or mg.",
        )
    return dose


def _ignored(dosage: JSON, element: str, notes: Notes) -> None:
    for key in dosage:
        if key in READ_DOSAGE or (key == "asNeededBoolean" and dosage[key] is False):
            continue
        notes.add(f"{element}.{key}", DOSAGE_REASONS.get(key, "It is not imported."))
    timing = dosage.get("timing") or {}
    for key in timing:
        if key != "repeat":
            notes.add(f"{element}.timing.{key}", "Only timing.repeat is read.")
    for key in timing.get("repeat") or {}:
        if key not in READ_REPEAT:
            notes.add(f"{element}.timing.repeat.{key}", "It is not imported.")


def _kind(dosage: JSON, bound: str, index: int, element: str, notes: Notes) -> engine.PhaseKind:
    """The phase kind this app writes at the start of the dosage text, or one by position."""
    label = str(dosage.get("text") or "").split(":", 1)[0]
    kind = KIND_LABELS.get(label)
    if kind is not None and engine.is_phase_kind(kind):
        return kind
    named: engine.PhaseKind = (
        "maintenance" if bound == "ongoing" else "repletion" if index == 0 else "consolidation"
    )
    notes.add(
        element,
        f"FHIR has no phase kind: this phase is called {named} from its place in the schedule.",
    )
    return named


def phase_of(
    dosage: JSON, element: str, notes: Notes, *, index: int, last: bool
) -> PhaseValues | None:
    """The dosage as a phase, or None (noted) when its timing cannot be read."""
    _ignored(dosage, element, notes)
    repeat = (dosage.get("timing") or {}).get("repeat")
    if not repeat:
        text = str(dosage.get("text") or "")[:200]
        said = f' It says: "{text}".' if text else ""
        notes.add(element, f"It has no timing.repeat, so there is no schedule to read.{said}")
        return None
    where = f"{element}.timing.repeat"
    cadence = _cadence(repeat, where, notes)
    bound = _bound(repeat, where, notes, last=last)
    if cadence is None or bound is None:
        return None
    kind, (bound_kind, count, duration) = _kind(dosage, bound[0], index, element, notes), bound
    return PhaseValues(
        kind=kind,
        unit=cadence.unit,
        every=cadence.every,
        every_max=cadence.every_max,
        weekdays=cadence.weekdays,
        bound=bound_kind,
        count=count,
        duration_days=duration,
        dose_mcg=dose_of(dosage, element, notes),
    )
