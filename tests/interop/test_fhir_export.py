"""The FHIR export: the patient's own record as an R4 Bundle that fhir.resources validates
resource by resource (R4B models, equal to R4 for these resources), with a dosage per phase
in order, an administration per injection and per missed dose, and lab results in LOINC and
UCUM; a fixed number of queries; no one else's record, and 404 for other roles."""

import json
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from accounts.models import AuditEvent
from monitoring.labs.services import LabEntry, lab_result_record
from tests.helpers import noon
from tests.schedules.helpers import START, create, log

pytestmark = pytest.mark.django_db
URL = reverse("interop:fhir_export")
TODAY = date(2025, 1, 10)


@pytest.fixture
def record(alice):
    """bnf-no-neuro from Mon 6 Jan: the 6th given, the 8th missed, the 10th given by a nurse;
    one serum B12 result."""
    with time_machine.travel(noon(TODAY), tick=False):
        rx = create(alice, today=START)
        log(rx, START, today=TODAY)
        log(rx, TODAY, site="thigh_left", given_by="nurse", lot="AB123")
        entry = LabEntry(
            test="serum_b12",
            value=Decimal("150"),
            unit="pmol/L",
            taken_on=date(2025, 1, 2),
            ref_low=Decimal("140"),
            ref_high=Decimal("700"),
        )
        lab_result_record(patient=alice, actor=alice, entry=entry, today=TODAY)
        yield rx


def export(client):
    with time_machine.travel(noon(TODAY), tick=False):
        response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_every_resource_validates_and_every_reference_resolves(alice, record, client_for):
    bundle = export(client_for(alice))

    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    urls = {entry["fullUrl"] for entry in bundle["entry"]}
    text = json.dumps(bundle)
    references = {part.split('"')[0] for part in text.split('"reference": "')[1:]}
    assert references and references <= urls
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds.count("Patient") == 1 and kinds.count("MedicationRequest") == 1


def test_the_prescription_has_a_dosage_per_phase_in_order(alice, record, client_for):
    (request,) = resources(export(client_for(alice)), "MedicationRequest")

    assert request["status"] == "active" and request["intent"] == "order"
    assert request["courseOfTherapyType"]["coding"][0]["code"] == "continuous"
    loading, maintenance = request["dosageInstruction"]
    assert loading["sequence"] < maintenance["sequence"]
    assert loading["text"].startswith("Repletion") and maintenance["text"].startswith("Maint")
    assert loading["timing"]["repeat"] == {
        "frequency": 3,
        "period": 1,
        "periodUnit": "wk",
        "dayOfWeek": ["mon", "wed", "fri"],
        "count": 6,
    }
    # BNF "every 2–3 months", ongoing.
    assert maintenance["timing"]["repeat"] == {
        "frequency": 1,
        "period": 2,
        "periodMax": 3,
        "periodUnit": "mo",
    }
    assert loading["route"]["coding"][0]["code"] == "IM"
    dose = loading["doseAndRate"][0]["doseQuantity"]
    assert (dose["value"], dose["code"], dose["system"]) == (
        1000,
        "ug",
        "http://unitsofmeasure.org",
    )


def test_injections_are_completed_and_the_missed_dose_not_done(alice, record, client_for):
    given = resources(export(client_for(alice)), "MedicationAdministration")

    done = [r for r in given if r["status"] == "completed"]
    assert [r["effectiveDateTime"] for r in done] == ["2025-01-06", "2025-01-10"]
    nurse = done[1]
    assert nurse["performer"][0]["actor"]["display"] == "A nurse at the clinic"
    assert nurse["dosage"]["site"]["text"] == "Left thigh (outer)"
    assert done[0]["performer"][0]["actor"]["reference"].startswith("urn:uuid:")
    (missed,) = [r for r in given if r["status"] == "not-done"]
    assert missed["effectiveDateTime"] == "2025-01-08"
    assert "Missed" in missed["statusReason"][0]["text"]


def test_a_lab_result_is_an_observation_in_loinc_and_ucum(alice, record, client_for):
    (observation,) = resources(export(client_for(alice)), "Observation")

    assert observation["code"]["coding"] == [{"system": "http://loinc.org", "code": "2132-9"}]
    value = observation["valueQuantity"]
    assert (value["value"], value["code"], value["system"]) == (
        150.0,
        "pmol/L",
        "http://unitsofmeasure.org",
    )
    assert observation["referenceRange"][0]["low"]["value"] == 140.0
    assert observation["effectiveDateTime"] == "2025-01-02"
    assert observation["category"][0]["coding"][0]["code"] == "laboratory"


def test_the_export_costs_a_fixed_number_of_queries(
    alice, record, client_for, django_assert_num_queries
):
    client = client_for(alice)
    # The session, the user with their profile; prescriptions, phases, injections, missed
    # doses, lab results; the audit event of the export.
    with time_machine.travel(noon(TODAY), tick=False), django_assert_num_queries(8):
        assert client.get(URL).status_code == 200


def test_a_patient_gets_only_their_own_record(alice, dave, record, client_for):
    bundle = export(client_for(dave))

    (patient,) = resources(bundle, "Patient")
    assert patient["name"][0]["text"] == "Dave Jones"
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    assert "alice" not in json.dumps(bundle).lower()


def test_each_export_is_in_the_audit_log(alice, dave, record, client_for):
    export(client_for(alice))

    event = AuditEvent.objects.get(action="fhir.exported")
    assert (event.actor, event.patient) == (alice, alice)
    assert event.detail == {"resources": 6}
    assert not AuditEvent.objects.filter(action="fhir.exported", patient=dave).exists()


@pytest.mark.parametrize("who", ["bob", "charlie", "staff"])
def test_other_roles_get_404_and_visitors_log_in(cast, who, client_for, client):
    assert client.get(URL).status_code == 302
    assert client_for(cast[who]).get(URL).status_code == 404
    assert not AuditEvent.objects.filter(action="fhir.exported").exists()


def patient_url(patient) -> str:
    return reverse("interop:fhir_export_patient", args=[patient.pk])


def test_the_linked_clinician_downloads_the_same_record_and_it_is_audited_as_theirs(
    alice, bob, record, client_for
):
    own = export(client_for(alice))
    with time_machine.travel(noon(TODAY), tick=False):
        response = client_for(bob).get(patient_url(alice))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    theirs = json.loads(response.content)
    Bundle.model_validate(theirs)
    kinds = [e["resource"]["resourceType"] for e in theirs["entry"]]
    assert kinds == [e["resource"]["resourceType"] for e in own["entry"]]
    event = AuditEvent.objects.filter(action="fhir.exported").latest("pk")
    assert (event.actor, event.patient) == (bob, alice)


@pytest.mark.parametrize("who", ["alice", "charlie", "dave", "staff"])
def test_no_one_but_a_linked_clinician_gets_a_patients_record(
    cast, who, record, client_for, client
):
    alice = cast["alice"]
    assert client.get(patient_url(alice)).status_code == 302
    assert client_for(cast[who]).get(patient_url(alice)).status_code == 404
    assert not AuditEvent.objects.filter(action="fhir.exported").exists()
