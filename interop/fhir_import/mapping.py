"""A valid MedicationRequest as draft values: product, strength, route, phases (one per
dosageInstruction in `sequence` order), dose, lifelong, start date. Each element it does not
read is noted with why, and each value it could not find is listed as one the clinician must
give; nothing is guessed."""

from __future__ import annotations

from datetime import date
from typing import Any

from schedules import engine, units

from .dosage import phase_of
from .medication import Notes, medication_concept, product_of, route_of, strength_of
from .values import DraftValues, ImportResult, Missing, PhaseValues

JSON = dict[str, Any]
COURSES = {"continuous": True, "acute": False}
CURRENT = {"active", "draft", "on-hold"}
READ = {
    "resourceType",
    "id",
    "meta",
    "text",
    "status",
    "intent",
    "subject",
    "medicationCodeableConcept",
    "medicationReference",
    "contained",
    "authoredOn",
    "courseOfTherapyType",
    "dosageInstruction",
}
REASONS = {
    "dispenseRequest": "Dispensing (quantity, supply, repeats) is not kept here.",
    "substitution": "Substitution rules are not kept here.",
    "note": "Notes are not imported; copy what matters by hand.",
    "reasonCode": "The cause is not read from codes: choose it below.",
    "reasonReference": "The cause is not read from references: choose it below.",
    "requester": "The prescription you start is yours.",
    "recorder": "The prescription you start is yours.",
    "performer": "Who gives the injection is set on the prescription, not imported.",
    "modifierExtension": "It may change what the request means, and it cannot be read here.",
}
MISSING = {
    "product": "The medicine: the resource names no hydroxocobalamin, cyanocobalamin or "
    "methylcobalamin.",
    "strength_mcg_per_ml": "The strength per mL: the resource does not state it.",
    "dose_mcg": "The dose per injection: no dosage states one in mcg or mg.",
    "route": "The route: no dosage names intramuscular or subcutaneous.",
    "start_date": "The start date: there is no boundsPeriod.start or authoredOn.",
    "lifelong": "Whether it is for life: courseOfTherapyType is not continuous or acute.",
}
NO_SCHEDULE = (
    "The schedule: not every dosage instruction could be read as a phase (see Not imported). "
    "This draft cannot be started; set up the prescription by hand."
)


def _top_level_notes(resource: JSON, notes: Notes) -> None:
    for key, value in resource.items():
        if key in READ:
            continue
        reason = REASONS.get(key, "It is not imported.")
        if key == "note":
            texts = "; ".join(str(item.get("text") or "")[:200] for item in value)
            reason += f' It says: "{texts}".'
        notes.add(key, reason)
    status = resource.get("status")
    if status not in CURRENT:
        notes.add("status", f"The request is {status!r}, not a current order: check it.")
    used = str((resource.get("medicationReference") or {}).get("reference") or "")
    for index, item in enumerate(resource.get("contained") or []):
        if f"#{item.get('id')}" != used:
            notes.add(
                f"contained[{index}]", "Only a contained Medication the request names is read."
            )


def _lifelong(resource: JSON, notes: Notes) -> bool | None:
    concept = resource.get("courseOfTherapyType")
    if not concept:
        return None
    codes = {coding.get("code") for coding in concept.get("coding") or []}
    found = {COURSES[code] for code in codes if code in COURSES}
    if len(found) == 1:
        return found.pop()
    notes.add("courseOfTherapyType", "It is neither continuous nor acute.")
    return None


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _ordered(dosages: list[JSON], notes: Notes) -> list[tuple[int, JSON]] | None:
    """(index in the resource, dosage) in `sequence` order; None when two share a sequence
    (FHIR means at the same time, which a phase list cannot say)."""
    numbered = list(enumerate(dosages))
    sequences = [d["sequence"] for _, d in numbered if "sequence" in d]
    if len(set(sequences)) != len(sequences):
        notes.add(
            "dosageInstruction",
            "Two instructions share a sequence number (given at the same time): phases "
            "here follow one another.",
        )
        return None
    if sequences and len(sequences) != len(numbered):
        notes.add(
            "dosageInstruction",
            "Some instructions have no sequence: they are read in the order written.",
        )
        return numbered
    return sorted(numbered, key=lambda pair: pair[1].get("sequence", 0))


def _start(resource: JSON, ordered: list[tuple[int, JSON]], notes: Notes) -> date | None:
    start = None
    for index, dosage in ordered:
        period = ((dosage.get("timing") or {}).get("repeat") or {}).get("boundsPeriod") or {}
        if "start" not in period:
            continue
        if start is None:
            start = _day(period["start"])
        else:
            notes.add(
                f"dosageInstruction[{index}].timing.repeat.boundsPeriod.start",
                "Only the first phase's start is read: each phase here starts when the one "
                "before it ends.",
            )
    return start or _day(resource.get("authoredOn"))


def _phases(
    ordered: list[tuple[int, JSON]], notes: Notes
) -> tuple[list[PhaseValues], list[str], bool]:
    """The phases, their routes, and whether every dosage became a phase."""
    phases, routes, whole = [], [], True
    for position, (index, dosage) in enumerate(ordered):
        element = f"dosageInstruction[{index}]"
        phase = phase_of(dosage, element, notes, index=position, last=position == len(ordered) - 1)
        if phase is None:
            whole = False
            continue
        if phase.dose_mcg is None:
            notes.add(f"{element}.doseAndRate", "No dose: the dose per injection is used.")
        if "route" in dosage and (route := route_of(dosage["route"], f"{element}.route", notes)):
            routes.append(route)
        phases.append(phase)
    return phases, routes, whole


def _schedule_sound(phases: list[PhaseValues], notes: Notes) -> bool:
    problems = engine.validate_phases([phase.spec(1000) for phase in phases])
    for problem in problems:
        notes.add("dosageInstruction", f"As a schedule: {problem}")
    return not problems


def _dose(phases: list[PhaseValues], notes: Notes) -> int | None:
    stated = [phase.dose_mcg for phase in phases if phase.dose_mcg is not None]
    if not stated:
        return None
    if problems := units.dose_problems(stated[0]):
        notes.add("dosageInstruction.doseAndRate", " ".join(problems))
    return stated[0]


def _route(routes: list[str], notes: Notes) -> str | None:
    if len(set(routes)) > 1:
        notes.add("dosageInstruction.route", "The phases name different routes: choose one.")
        return None
    return routes[0] if routes else None


def _missing(values: DraftValues) -> list[Missing]:
    found = [
        Missing(field=name, message=message)
        for name, message in MISSING.items()
        if getattr(values, name) is None
    ]
    if not values.schedule_read:
        found.append(Missing(field="phases", message=NO_SCHEDULE))
    return found


def map_request(resource: JSON) -> ImportResult:
    """The draft read from a MedicationRequest already checked by parsing.parse_resource."""
    notes = Notes()
    _top_level_notes(resource, notes)
    concept, medication, element = medication_concept(resource, notes)
    values = DraftValues(
        product=product_of(concept, element, notes),
        strength_mcg_per_ml=strength_of(concept, medication, notes),
        lifelong=_lifelong(resource, notes),
    )
    ordered = _ordered(resource.get("dosageInstruction") or [], notes)
    if ordered:
        values.start_date = _start(resource, ordered, notes)
        values.phases, routes, whole = _phases(ordered, notes)
        values.schedule_read = whole and _schedule_sound(values.phases, notes)
        values.dose_mcg, values.route = _dose(values.phases, notes), _route(routes, notes)
    else:
        values.start_date = _day(resource.get("authoredOn"))
        if ordered is not None:
            notes.add("dosageInstruction", "There is none, so there is no schedule to read.")
    notes.sort(key=lambda note: note.element)  # the resource's order, roughly, for reading
    return ImportResult(values=values, not_mapped=list(notes), missing=_missing(values))
