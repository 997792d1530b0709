"""The patient's record as a FHIR R4 Bundle (validated against fhir.resources' R4B models,
which equal R4 for these resources): Patient, one MedicationRequest per prescription with a
dosageInstruction per phase, a MedicationAdministration per injection given or dose missed,
and an Observation per lab result with its LOINC code and UCUM unit."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from monitoring.models import LabResult
from schedules.models import Dose, Injection, Phase, Prescription

from .selectors import FhirRecord

JSON = dict[str, Any]
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
ROUTES = "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"
COURSE = "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ROUTE = {"IM": ("IM", "Injection, intramuscular"), "SC": ("SQ", "Injection, subcutaneous")}
PERIOD_UNIT = {"day": "d", "week": "wk", "month": "mo"}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Fixed, so the same row has the same fullUrl in every export.
NAMESPACE = uuid.UUID("6f1c8e52-3b0d-4a55-9a55-2b3c1de0b12a")


def full_url(kind: str, pk: int) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}/{pk}')}"


def _ref(kind: str, pk: int) -> JSON:
    return {"reference": full_url(kind, pk)}


def _micrograms(amount: int) -> JSON:
    return {"value": amount, "unit": "mcg", "system": UCUM, "code": "ug"}


def _route(route: str) -> JSON:
    code, display = ROUTE[route]
    return {"coding": [{"system": ROUTES, "code": code, "display": display}]}


def _medication(rx: Prescription) -> JSON:
    name = rx.get_product_display() + (f" ({rx.brand})" if rx.brand else "")
    return {"text": f"{name} {rx.strength_mcg_per_ml} mcg/mL solution for injection"}


def patient_resource(record: FhirRecord) -> JSON:
    user, profile = record.patient, record.patient.patient_profile
    resource: JSON = {
        "resourceType": "Patient",
        "id": f"patient-{user.pk}",
        "name": [{"text": profile.display_name}],
        "telecom": [{"system": "email", "value": user.email}],
    }
    if profile.mobile:
        resource["telecom"].append({"system": "phone", "value": profile.mobile, "use": "mobile"})
    if profile.date_of_birth:
        resource["birthDate"] = profile.date_of_birth.isoformat()
    return resource


def timing_repeat(phase: Phase) -> JSON:
    """The phase's cadence and bound as Timing.repeat: every N units (a range as period to
    periodMax), or set weekdays as so many times a week on those days."""
    if phase.unit == "weekday":
        days = [int(day) for day in phase.weekdays.split(",") if day.strip()]
        repeat: JSON = {"frequency": len(days), "period": 1, "periodUnit": "wk"}
        repeat["dayOfWeek"] = [DAYS[day] for day in sorted(days)]
    else:
        repeat = {"frequency": 1, "period": phase.every, "periodUnit": PERIOD_UNIT[phase.unit]}
        if phase.every_max is not None:
            repeat["periodMax"] = phase.every_max
    if phase.bound == "count" and phase.count:
        repeat["count"] = phase.count
    elif phase.bound == "duration" and phase.duration_days:
        repeat["boundsDuration"] = {
            "value": phase.duration_days,
            "unit": "days",
            "system": UCUM,
            "code": "d",
        }
    elif phase.closed_on is not None:
        repeat["boundsPeriod"] = {"end": phase.closed_on.isoformat()}
    return repeat


def _dosage(phase: Phase, rx: Prescription) -> JSON:
    return {
        "sequence": phase.order,
        "text": f"{phase.get_kind_display()}: {phase.dose_mcg} mcg {phase.cadence().describe()}",
        "timing": {"repeat": timing_repeat(phase)},
        "route": _route(rx.route),
        "doseAndRate": [{"doseQuantity": _micrograms(phase.dose_mcg)}],
    }


def request_resource(rx: Prescription, patient_pk: int) -> JSON:
    course = "continuous" if rx.lifelong else "acute"
    return {
        "resourceType": "MedicationRequest",
        "id": f"prescription-{rx.pk}",
        "status": "active" if rx.status == Prescription.Status.ACTIVE else "stopped",
        "intent": "order",
        "medicationCodeableConcept": _medication(rx),
        "subject": _ref("Patient", patient_pk),
        "authoredOn": rx.created_at.isoformat(),
        "courseOfTherapyType": {"coding": [{"system": COURSE, "code": course}]},
        "dosageInstruction": [
            _dosage(phase, rx) for phase in sorted(rx.phases.all(), key=lambda p: p.order)
        ],
        "note": [{"text": rx.regimen_name}],
    }


def _performer(injection: Injection, patient_pk: int) -> JSON:
    if injection.given_by == "self":
        return {"actor": _ref("Patient", patient_pk)}
    return {"actor": {"display": injection.get_given_by_display()}}


def administration_resource(injection: Injection, rx: Prescription, patient_pk: int) -> JSON:
    dosage: JSON = {"route": _route(injection.route), "dose": _micrograms(injection.dose_mcg)}
    if injection.site:
        dosage["site"] = {"text": injection.get_site_display()}
    resource: JSON = {
        "resourceType": "MedicationAdministration",
        "id": f"injection-{injection.pk}",
        "status": "completed",
        "medicationCodeableConcept": _medication(rx),
        "subject": _ref("Patient", patient_pk),
        "effectiveDateTime": injection.given_on.isoformat(),
        "request": _ref("MedicationRequest", rx.pk),
        "performer": [_performer(injection, patient_pk)],
        "dosage": dosage,
    }
    if injection.lot:
        resource["note"] = [{"text": f"Lot {injection.lot}"}]
    return resource


def missed_resource(dose: Dose, rx: Prescription, patient_pk: int) -> JSON:
    window = f"{dose.earliest.isoformat()} to {dose.latest.isoformat()}"
    return {
        "resourceType": "MedicationAdministration",
        "id": f"missed-dose-{dose.pk}",
        "status": "not-done",
        "statusReason": [{"text": f"Missed: not given in its window ({window})"}],
        "medicationCodeableConcept": _medication(rx),
        "subject": _ref("Patient", patient_pk),
        "effectiveDateTime": dose.due.isoformat(),
        "request": _ref("MedicationRequest", rx.pk),
        "dosage": {"route": _route(rx.route), "dose": _micrograms(dose.dose_mcg)},
    }


def _quantity(value: Decimal, unit: str, label: str) -> JSON:
    return {"value": float(value), "unit": label, "system": UCUM, "code": unit}


def observation_resource(result: LabResult, patient_pk: int) -> JSON:
    code: JSON = {"text": result.get_test_display()}
    if result.loinc:
        code["coding"] = [{"system": LOINC, "code": result.loinc}]
    label = result.get_unit_display()
    resource: JSON = {
        "resourceType": "Observation",
        "id": f"lab-{result.pk}",
        "status": "amended" if result.changed_at else "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "laboratory"}]}],
        "code": code,
        "subject": _ref("Patient", patient_pk),
        "effectiveDateTime": result.taken_on.isoformat(),
        "valueQuantity": _quantity(result.value, result.unit, label),
    }
    bounds = {
        name: _quantity(value, result.unit, label)
        for name, value in (("low", result.ref_low), ("high", result.ref_high))
        if value is not None
    }
    if bounds:
        resource["referenceRange"] = [bounds]
    if result.note:
        resource["note"] = [{"text": result.note}]
    return resource


def _entry(resource: JSON, kind: str, pk: int) -> JSON:
    return {"fullUrl": full_url(kind, pk), "resource": resource}


def record_bundle(record: FhirRecord) -> Bundle:
    """The whole record as a collection Bundle, validated by fhir.resources on the way out."""
    pk = record.patient.pk
    entries = [_entry(patient_resource(record), "Patient", pk)]
    by_id = {rx.pk: rx for rx in record.prescriptions}
    entries += [
        _entry(request_resource(rx, pk), "MedicationRequest", rx.pk) for rx in record.prescriptions
    ]
    entries += [
        _entry(administration_resource(shot, by_id[shot.prescription_id], pk), "Injection", shot.pk)
        for shot in record.injections
    ]
    entries += [
        _entry(missed_resource(dose, by_id[dose.prescription_id], pk), "Dose", dose.pk)
        for dose in record.missed
    ]
    entries += [_entry(observation_resource(lab, pk), "LabResult", lab.pk) for lab in record.labs]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": record.now.isoformat(),
            "entry": entries,
        }
    )
