"""The FHIR import pages: a linked clinician pastes or uploads a MedicationRequest, reviews
the draft and starts the prescription (or discards it). Bad input is refused beside its field
with nothing written; a patient with an active prescription, or a draft whose schedule could
not be read, is refused with the reason; anyone else gets 404 (anonymous: the login page)."""

import json
from copy import deepcopy
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, CareLink
from interop.fhir_bundle import request_resource
from interop.models import PrescriptionDraft
from schedules import services as schedule_services
from schedules.models import Dose, Prescription
from tests.helpers import noon
from tests.interop.test_fhir_import_mapping import EHR_REQUEST
from tests.schedules.helpers import create

pytestmark = pytest.mark.django_db
TODAY = date(2025, 1, 6)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(noon(TODAY), tick=False):
        yield


def import_url(patient):
    return reverse("interop:fhir_import", args=[patient.pk])


def draft_url(draft):
    return reverse("interop:fhir_import_draft", args=[draft.patient_id, draft.pk])


def paste(client, patient, resource):
    text = resource if isinstance(resource, str) else json.dumps(resource)
    return client.post(import_url(patient), {"text": text})


@pytest.fixture
def draft(alice, bob, client_for):
    response = paste(client_for(bob), alice, EHR_REQUEST)
    assert response.status_code == 302
    return PrescriptionDraft.objects.get()


REVIEWED = {
    "product": "hydroxocobalamin",
    "strength_mcg_per_ml": "1000",
    "dose_mcg": "1000",
    "route": "IM",
    "start_date": "2025-01-06",
    "cause": "pernicious_anaemia",
    "lifelong": "yes",
    "action": "start",
}


def test_pasting_a_resource_makes_a_draft_and_audits_it(alice, bob, client_for):
    client = client_for(bob)
    page = client.get(reverse("clinic:patient_detail", args=[alice.pk]))
    assert import_url(alice).encode() in page.content
    assert client.get(import_url(alice)).status_code == 200

    response = paste(client, alice, EHR_REQUEST)

    draft = PrescriptionDraft.objects.get()
    assert response.url == draft_url(draft)
    assert (draft.patient, draft.made_by, draft.state) == (alice, bob, "open")
    assert draft.source == EHR_REQUEST
    assert draft.mapped["dose_mcg"] == 1000
    event = AuditEvent.objects.get(action="fhir.imported")
    assert (event.actor, event.patient, event.object_id) == (bob, alice, str(draft.pk))


def test_a_json_file_upload_makes_a_draft(alice, bob, client_for):
    upload = SimpleUploadedFile("rx.json", json.dumps(EHR_REQUEST).encode(), "application/json")
    response = client_for(bob).post(import_url(alice), {"upload": upload})
    assert response.status_code == 302
    assert PrescriptionDraft.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{oops", "This is not valid JSON"),
        ('{"resourceType": "Patient"}', "Only a MedicationRequest can be imported"),
        ('{"resourceType": "MedicationRequest", "status": "active"}', "not a valid FHIR R4"),
        ("", "Upload a .json file or paste the JSON here"),
    ],
)
def test_bad_input_is_shown_by_its_field_and_writes_nothing(alice, bob, client_for, text, says):
    response = paste(client_for(bob), alice, text)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not PrescriptionDraft.objects.exists()
    assert not AuditEvent.objects.filter(action="fhir.imported").exists()


def test_a_file_over_the_size_limit_is_refused(alice, bob, client_for):
    big = json.dumps(EHR_REQUEST | {"id": "x" * 64}) + " " * (256 * 1024)
    upload = SimpleUploadedFile("rx.json", big.encode(), "application/json")
    response = client_for(bob).post(import_url(alice), {"upload": upload})
    assert response.status_code == 400
    assert "larger than 256 KB" in response.content.decode()
    assert not PrescriptionDraft.objects.exists()


def test_the_review_lists_what_was_not_imported_and_the_phases(draft, bob, client_for):
    page = client_for(bob).get(draft_url(draft)).content.decode()
    assert "Not imported" in page
    assert "dispenseRequest" in page and "substitution" in page
    assert "Mon, Wed, Fri, 6 injections" in page
    assert "every 3 months, with no end" in page
    assert "Whether it is for life" in page  # courseOfTherapyType was not given
    assert "Start this prescription" in page


def test_starting_the_draft_makes_the_prescription_with_its_doses(alice, bob, draft, client_for):
    response = client_for(bob).post(draft_url(draft), REVIEWED | {"dose_mcg": "500"})

    assert response.url == reverse("clinic:patient_detail", args=[alice.pk])
    rx = Prescription.objects.get(patient=alice)
    assert (rx.status, rx.prescriber, rx.product, rx.route, rx.cause) == (
        "active",
        bob,
        "hydroxocobalamin",
        "IM",
        "pernicious_anaemia",
    )
    phases = list(rx.phases.order_by("order"))
    assert [(p.unit, p.weekdays, p.bound, p.count, p.dose_mcg) for p in phases] == [
        ("weekday", "0,2,4", "count", 6, 500),
        ("month", "", "ongoing", None, 500),
    ]
    assert set(Dose.objects.filter(prescription=rx).values_list("dose_mcg", flat=True)) == {500}
    draft.refresh_from_db()
    assert (draft.state, draft.applied_prescription) == ("applied", rx)
    assert AuditEvent.objects.filter(action="fhir.import_applied", patient=alice).count() == 1


def test_phases_with_their_own_doses_keep_them(alice, bob, client_for):
    resource = deepcopy(EHR_REQUEST)
    resource["dosageInstruction"][1]["doseAndRate"] = [
        {"doseQuantity": {"value": 500, "unit": "mcg"}}
    ]
    paste(client_for(bob), alice, resource)
    draft = PrescriptionDraft.objects.get()
    client_for(bob).post(draft_url(draft), REVIEWED)
    rx = Prescription.objects.get(patient=alice)
    assert [p.dose_mcg for p in rx.phases.order_by("order")] == [500, 1000]


def test_a_missing_value_must_be_given(alice, bob, draft, client_for):
    response = client_for(bob).post(draft_url(draft), REVIEWED | {"lifelong": ""})
    assert response.status_code == 400
    assert not Prescription.objects.exists()


def test_starting_is_refused_while_a_prescription_is_active(alice, bob, draft, client_for):
    create(alice, today=TODAY)
    page = client_for(bob).get(draft_url(draft)).content.decode()
    assert "already has an active prescription" in page
    response = client_for(bob).post(draft_url(draft), REVIEWED)
    assert response.status_code == 400
    assert "Stop it first" in response.content.decode()
    assert Prescription.objects.filter(patient=alice).count() == 1
    draft.refresh_from_db()
    assert draft.state == "open"


def test_a_draft_without_a_readable_schedule_cannot_start(alice, bob, client_for):
    paste(client_for(bob), alice, EHR_REQUEST | {"dosageInstruction": [{"text": "As directed"}]})
    draft = PrescriptionDraft.objects.get()
    page = client_for(bob).get(draft_url(draft)).content.decode()
    assert "Start this prescription" not in page
    assert "set up the prescription by hand" in page
    response = client_for(bob).post(draft_url(draft), REVIEWED)
    assert response.status_code == 400
    assert not Prescription.objects.exists()


def test_discarding_closes_the_draft_for_good(alice, bob, draft, client_for):
    client = client_for(bob)
    response = client.post(draft_url(draft), {"action": "discard"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "discarded"
    assert AuditEvent.objects.filter(action="fhir.import_discarded").count() == 1
    again = client.post(draft_url(draft), REVIEWED)
    assert again.status_code == 400
    assert not Prescription.objects.exists()


def test_only_a_linked_clinician_opens_the_pages(alice, bob, charlie, dave, draft, client_for):
    for user in (charlie, alice, dave):
        client = client_for(user)
        assert client.get(import_url(alice)).status_code == 404
        assert client.get(draft_url(draft)).status_code == 404
        assert client.post(import_url(alice), {"text": json.dumps(EHR_REQUEST)}).status_code == 404
        assert client.post(draft_url(draft), REVIEWED).status_code == 404
    assert PrescriptionDraft.objects.count() == 1
    assert not Prescription.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(alice, draft):
    for url in (import_url(alice), draft_url(draft)):
        response = Client().get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response.url


def test_a_draft_opens_only_under_its_own_patient(alice, bob, dave, draft, client_for):
    CareLink.objects.create(
        clinician=bob,
        patient=dave,
        invited_email=dave.email,
        status=CareLink.Status.ACTIVE,
        responded_at=timezone.now(),
    )
    wrong = reverse("interop:fhir_import_draft", args=[dave.pk, draft.pk])
    assert client_for(bob).get(wrong).status_code == 404


def _shape(rx):
    return [
        (p.kind, p.unit, p.every, p.every_max, p.weekdays, p.bound, p.count, p.duration_days)
        for p in rx.phases.order_by("order")
    ]


@pytest.mark.parametrize("slug", ["bnf-no-neuro", "fda-cyanocobalamin"])
def test_an_exported_prescription_restarts_with_the_same_phases(alice, bob, client_for, slug):
    old = create(alice, regimen=slug, today=TODAY)
    resource = request_resource(old, alice.pk)
    schedule_services.prescription_stop(prescription=old, actor=bob, reason="moved")
    client = client_for(bob)
    paste(client, alice, resource)
    draft = PrescriptionDraft.objects.get()
    assert draft.missing == []

    client.post(draft_url(draft), REVIEWED)

    new = Prescription.objects.get(patient=alice, status="active")
    assert _shape(new) == _shape(old)
    assert [p.dose_mcg for p in new.phases.all()] == [p.dose_mcg for p in old.phases.all()]
