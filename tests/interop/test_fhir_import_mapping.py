"""Reading a FHIR MedicationRequest into a draft: every built-in regimen exported by
interop/fhir_bundle.py reads back to the same phases (the round trip), an EHR-style request
lists each part it cannot read and invents nothing, and bad input is refused with reasons."""

import json
from datetime import date

import pytest

from interop.fhir_bundle import request_resource
from interop.fhir_import.mapping import map_request
from interop.fhir_import.parsing import ResourceError, parse_resource
from schedules.regimens import REGIMENS
from tests.schedules.helpers import create


def spec_fields(spec):
    return (
        spec.kind,
        spec.cadence,
        spec.dose_mcg,
        spec.bound,
        spec.count,
        spec.duration_days,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(REGIMENS))
def test_an_exported_regimen_imports_back_to_the_same_phases(alice, slug):
    dose = min(spec.dose_mcg for spec in REGIMENS[slug].phases)
    rx = create(alice, regimen=slug, dose_mcg=dose, strength_mcg_per_ml=1000, lifelong=True)
    exported = request_resource(rx, alice.pk)
    resource = parse_resource(json.dumps(exported))

    result = map_request(resource)

    values = result.values
    expected = [spec_fields(phase.spec()) for phase in rx.phases.order_by("order")]
    assert [spec_fields(spec) for spec in values.specs(values.dose_mcg)] == expected
    assert [spec_fields(spec) for spec in values.specs(dose)] == [
        spec_fields(spec) for spec in REGIMENS[slug].phases
    ]
    assert values.schedule_read
    assert (values.product, values.strength_mcg_per_ml, values.dose_mcg) == (
        "hydroxocobalamin",
        1000,
        dose,
    )
    assert (values.route, values.lifelong) == ("IM", True)
    assert values.start_date == rx.created_at.date()
    assert result.missing == []
    # Only the regimen's name, kept as a note, is left out.
    assert [note.element for note in result.not_mapped] == ["note"]


@pytest.mark.django_db
def test_subcutaneous_acute_course_and_its_strength(alice):
    rx = create(alice, regimen="cdc-weekly", route="SC", lifelong=False, strength_mcg_per_ml=500)
    values = map_request(request_resource(rx, alice.pk)).values
    assert (values.route, values.lifelong, values.strength_mcg_per_ml) == ("SC", False, 500)


EHR_REQUEST = {
    "resourceType": "MedicationRequest",
    "id": "ehr-1",
    "status": "active",
    "intent": "order",
    "subject": {"reference": "Patient/123"},
    "authoredOn": "2025-01-02T09:30:00+00:00",
    "medicationCodeableConcept": {
        "coding": [
            {"system": "http://snomed.info/sct", "code": "999999", "display": "Vitamin B12"},
            {"system": "urn:local", "code": "HYD1", "display": "Hydroxocobalamin 1mg/1ml"},
        ],
    },
    "reasonCode": [{"text": "Pernicious anaemia"}],
    "dispenseRequest": {"numberOfRepeatsAllowed": 3},
    "substitution": {"allowedBoolean": False},
    "dosageInstruction": [
        {
            "sequence": 2,
            "text": "1 mg every 3 months",
            "timing": {"repeat": {"frequency": 1, "period": 3, "periodUnit": "mo"}},
            "route": {"coding": [{"system": "http://snomed.info/sct", "code": "78421000"}]},
            "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "mg"}}],
            "additionalInstruction": [{"text": "Rest the arm afterwards"}],
        },
        {
            "sequence": 1,
            "text": "1 mg three times a week for two weeks",
            "timing": {
                "repeat": {
                    "frequency": 3,
                    "period": 1,
                    "periodUnit": "wk",
                    "dayOfWeek": ["mon", "wed", "fri"],
                    "count": 6,
                    "boundsPeriod": {"start": "2025-01-06"},
                    "timeOfDay": ["09:00:00"],
                }
            },
            "route": {"coding": [{"system": "http://snomed.info/sct", "code": "78421000"}]},
            "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "mg"}}],
            "asNeededBoolean": True,
        },
    ],
}


def test_an_ehr_request_reads_what_it_can_and_lists_the_rest():
    result = map_request(EHR_REQUEST)
    values = result.values

    assert values.product == "hydroxocobalamin"
    assert values.strength_mcg_per_ml == 1000
    assert (values.dose_mcg, values.route, values.start_date) == (1000, "IM", date(2025, 1, 6))
    assert [(p.kind, p.unit, p.weekdays, p.bound, p.count) for p in values.phases] == [
        ("repletion", "weekday", (0, 2, 4), "count", 6),
        ("maintenance", "month", (), "ongoing", None),
    ]
    assert values.phases[1].every == 3
    assert values.lifelong is None  # not stated: not guessed either
    assert [item.field for item in result.missing] == ["lifelong"]
    noted = {note.element for note in result.not_mapped}
    assert {
        "medicationCodeableConcept.coding[0]",
        "reasonCode",
        "dispenseRequest",
        "substitution",
        "dosageInstruction[0].additionalInstruction",
        "dosageInstruction[1].asNeededBoolean",
        "dosageInstruction[1].timing.repeat.timeOfDay",
    } <= noted
    # Phase kinds are not FHIR's: each named by its place is said so.
    assert {"dosageInstruction[0]", "dosageInstruction[1]"} <= noted


def _with_dosage(**changes):
    dosage = {
        "sequence": 1,
        "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "mo"}},
        "doseAndRate": [{"doseQuantity": {"value": 1000, "unit": "mcg"}}],
    } | changes
    return EHR_REQUEST | {"dosageInstruction": [dosage]}


@pytest.mark.parametrize(
    ("dosage", "element"),
    [
        ({"timing": {"code": {"text": "BID"}}}, "dosageInstruction[0].timing.code"),
        (
            {"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}},
            "dosageInstruction[0].timing.repeat.frequency",
        ),
        (
            {"timing": {"repeat": {"frequency": 1, "period": 8, "periodUnit": "h"}}},
            "dosageInstruction[0].timing.repeat.periodUnit",
        ),
    ],
)
def test_an_unreadable_timing_gives_no_phase_and_an_incomplete_draft(dosage, element):
    result = map_request(_with_dosage(**dosage))
    assert result.values.phases == []
    assert not result.values.schedule_read
    assert "phases" in [item.field for item in result.missing]
    assert element in {note.element for note in result.not_mapped}


def test_a_text_only_dosage_is_quoted_and_gives_no_schedule():
    result = map_request(
        EHR_REQUEST | {"dosageInstruction": [{"sequence": 1, "text": "As directed"}]}
    )
    assert result.values.phases == []
    assert "phases" in [item.field for item in result.missing]
    reasons = [n.reason for n in result.not_mapped if n.element == "dosageInstruction[0]"]
    assert any("As directed" in reason for reason in reasons)


def test_a_dose_in_ml_or_missing_is_not_guessed():
    ml = {"doseAndRate": [{"doseQuantity": {"value": 1, "unit": "mL"}}]}
    result = map_request(_with_dosage(**ml))
    assert result.values.dose_mcg is None
    assert "dose_mcg" in [item.field for item in result.missing]
    assert "dosageInstruction[0].doseAndRate[0].doseQuantity" in {
        note.element for note in result.not_mapped
    }
    bare = map_request(_with_dosage(doseAndRate=[]))
    assert bare.values.dose_mcg is None
    assert bare.values.schedule_read  # the schedule is whole; the dose comes from the form


def test_an_unknown_medicine_and_route_are_left_for_the_clinician():
    resource = _with_dosage(route={"text": "by mouth"}) | {
        "medicationCodeableConcept": {"coding": [{"system": "urn:x", "code": "42"}]},
    }
    result = map_request(resource)
    assert (result.values.product, result.values.route, result.values.strength_mcg_per_ml) == (
        None,
        None,
        None,
    )
    assert {"product", "route", "strength_mcg_per_ml"} <= {i.field for i in result.missing}


def test_a_contained_medication_gives_product_and_strength():
    resource = {
        key: value for key, value in _with_dosage().items() if key != "medicationCodeableConcept"
    } | {
        "contained": [
            {
                "resourceType": "Medication",
                "id": "med",
                "code": {"text": "Cyanocobalamin injection"},
                "ingredient": [
                    {
                        "itemCodeableConcept": {"text": "cyanocobalamin"},
                        "strength": {
                            "numerator": {"value": 1, "unit": "mg", "code": "mg"},
                            "denominator": {"value": 1, "unit": "mL", "code": "mL"},
                        },
                    }
                ],
            }
        ],
        "medicationReference": {"reference": "#med"},
    }
    parse_resource(json.dumps(resource))
    values = map_request(resource).values
    assert (values.product, values.strength_mcg_per_ml) == ("cyanocobalamin", 1000)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "one object"),
        ('{"resourceType": "Patient"}', "Only a MedicationRequest"),
        ('{"resourceType": "Bundle", "type": "collection"}', "Paste one MedicationRequest"),
        ('{"resourceType": "MedicationRequest", "intent": "order"}', "subject"),
        (json.dumps(EHR_REQUEST | {"colour": "blue"}), "colour"),
        ("", "nothing here"),
    ],
)
def test_bad_input_is_refused_with_a_reason(text, says):
    with pytest.raises(ResourceError) as refused:
        parse_resource(text)
    assert says in " ".join(refused.value.messages)
