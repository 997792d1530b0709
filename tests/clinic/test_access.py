"""Who reaches the clinician pages: charlie (no link) gets 404 on every patient URL, export
and action; after alice revokes bob's link bob does too; patients reach no clinician page.
Refusals write nothing. While linked, bob gets each request's real outcome: the page with
alice's name, or the redirect to her page with the change made."""

import csv
import io
from datetime import date

import pytest
from django.urls import get_resolver, reverse

from accounts import services as account_services
from accounts.models import AuditEvent, CareLink
from monitoring.models import Flag, PlanItem
from schedules.models import Phase, Prescription, PrescriptionVersion
from tests.htmltools import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(bob, neuro, flag):
    """alice on open-ended loading with a missed dose (so an open flag), linked to bob."""
    item = PlanItem.objects.get(prescription=neuro, what="serum_b12")
    return {"phase": neuro.phases.get(order=0), "flag": flag, "item": item}


AMENDED = {
    "product": "hydroxocobalamin",
    "strength_mcg_per_ml": "1000",
    "dose_mcg": "1000",
    "route": "IM",
    "cause": "unknown",
    "given_by": "self",
    "notes": "Keep the ampoules in their box.",
    "reason": "Storage advice",
}


def patient_requests(alice, record) -> list[tuple[str, str, dict]]:
    """Every clinic URL that names a patient, with a request that succeeds for bob."""
    ids = {
        "flag_id": record["flag"].pk,
        "phase_id": record["phase"].pk,
        "item_id": record["item"].pk,
    }
    return [
        (method, reverse(f"clinic:{name}", kwargs={"patient_id": alice.pk, **extra}), data)
        for name, method, extra, data in named_requests(ids)
    ]


def named_requests(ids: dict) -> list[tuple[str, str, dict, dict]]:
    flag, phase = {"flag_id": ids["flag_id"]}, {"phase_id": ids["phase_id"]}
    item = {"item_id": ids.get("item_id", 1)}
    return [
        ("patient_detail", "get", {}, {}),
        ("patient_report", "get", {}, {}),
        ("prescription_edit", "get", {}, {}),
        ("prescription_edit", "post", {}, AMENDED),
        ("prescription_confirm", "post", {}, {}),
        ("phase_close", "post", phase, {"closed_on": "2025-07-18"}),
        ("interval_change", "post", {}, {"every": "3", "unit": "month"}),
        ("note_add", "post", {}, {"note": "Hello"}),
        ("flag_acknowledge", "post", flag, {}),
        ("flag_resolve", "post", flag, {"note": "Done"}),
        ("flag_note", "post", flag, {"note": "Rang"}),
        ("plan_item_add", "post", {}, {"what": "folate", "due_on": "2025-08-01"}),
        ("plan_item_change", "post", item, {"due_on": "2025-10-20"}),
        ("plan_item_done", "post", item, {"done_on": "2025-07-18"}),
        ("plan_item_cancel", "post", item, {}),
    ]


def _page(title: str, *texts: str):
    def check(response, alice, bob, record) -> None:
        assert response.status_code == 200
        assert parse(response.content).find("title").text == f"{title} · B12 Tracker"
        assert response.context["patient"] == alice
        for text in texts:
            assert text in response.content.decode()

    return check


def _back_to_alice(then):
    """Redirected to alice's page, after which `then` finds the change made."""

    def check(response, alice, bob, record) -> None:
        assert response.status_code == 302
        assert response.url == reverse("clinic:patient_detail", args=[alice.pk])
        then(alice, bob, record)

    return check


def _amended(alice, bob, record) -> None:
    rx = record["phase"].prescription
    rx.refresh_from_db()
    assert rx.notes == AMENDED["notes"]
    (version,) = PrescriptionVersion.objects.filter(prescription=rx)
    assert (version.changed_by, version.reason) == (bob, "Storage advice")


def _confirmed(alice, bob, record) -> None:
    rx = record["phase"].prescription
    rx.refresh_from_db()
    assert rx.prescriber == bob and rx.confirmed_at is not None


def _loading_ended(alice, bob, record) -> None:
    assert Phase.objects.get(pk=record["phase"].pk).closed_on == date(2025, 7, 18)


def _every_three_months(alice, bob, record) -> None:
    maintenance = record["phase"].prescription.phases.get(kind="maintenance")
    assert (maintenance.every, maintenance.unit, maintenance.closed_on) == (3, "month", None)


def _noted(alice, bob, record) -> None:
    (note,) = AuditEvent.objects.filter(action="patient.note")
    assert (note.actor, note.patient, note.detail) == (bob, alice, {"text": "Hello"})


def _flag(status: str, note_ends: str = ""):
    def check(alice, bob, record) -> None:
        flag = Flag.objects.get(pk=record["flag"].pk)
        assert flag.status == status
        assert flag.note.endswith(note_ends) if note_ends else flag.note == ""
        assert flag.acted_by == (None if status == "open" else bob)

    return check


def _planned(what: str, status: str, due_on: date):
    def check(alice, bob, record) -> None:
        item = PlanItem.objects.get(patient=alice, what=what)
        assert (item.status, item.due_on) == (status, due_on)

    return check


# What bob gets from each request of named_requests, in the same order.
BOB_GETS = [
    _page("Alice Patel"),
    _page("Report: Alice Patel", "B12 injection report: Alice Patel"),
    _page("Amend the prescription of Alice Patel", "Save the amended prescription"),
    _back_to_alice(_amended),
    _back_to_alice(_confirmed),
    _back_to_alice(_loading_ended),
    _back_to_alice(_every_three_months),
    _back_to_alice(_noted),
    _back_to_alice(_flag("acknowledged")),
    _back_to_alice(_flag("resolved", "Dr Bob Smith: Done")),
    _back_to_alice(_flag("open", "Dr Bob Smith: Rang")),
    _back_to_alice(_planned("folate", "planned", date(2025, 8, 1))),
    _back_to_alice(_planned("serum_b12", "planned", date(2025, 10, 20))),
    _back_to_alice(_planned("serum_b12", "done", date(2025, 10, 6))),
    _back_to_alice(_planned("serum_b12", "cancelled", date(2025, 10, 6))),
]
REQUEST_IDS = [
    f"{name}-{method}" for name, method, *_ in named_requests({"flag_id": 1, "phase_id": 1})
]


def written() -> tuple:
    return (
        AuditEvent.objects.exclude(action="patients.exported").count(),
        list(Flag.objects.values_list("status", "note", "acted_by")),
        list(Phase.objects.values_list("closed_on", "every", "unit")),
        list(Prescription.objects.values_list("prescriber", "confirmed_at", "notes", "version")),
        list(PlanItem.objects.values_list("status", "due_on")),
    )


def test_the_list_covers_every_clinic_url_that_names_a_patient():
    clinic = next(e for e in get_resolver().url_patterns if getattr(e, "namespace", "") == "clinic")
    names = {p.name for p in clinic.url_patterns if "patient_id" in p.pattern.regex.groupindex}

    assert names == {name for name, *_ in named_requests({"flag_id": 1, "phase_id": 1})}
    assert len(BOB_GETS) == len(REQUEST_IDS)


def test_charlie_gets_404_on_every_patient_url_and_writes_nothing(
    client_for, alice, charlie, record
):
    client = client_for(charlie)
    before = written()

    for method, url, data in patient_requests(alice, record):
        assert getattr(client, method)(url, data).status_code == 404, (method, url)

    assert written() == before


def test_charlies_lists_and_export_do_not_show_alice(client_for, alice, charlie, record):
    client = client_for(charlie)

    assert "Alice" not in client.get(reverse("clinic:patients")).content.decode()
    assert "Alice" not in client.get(reverse("clinic:flags")).content.decode()
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("clinic:patients_csv")).getvalue().decode()))
    )
    assert len(rows) == 1  # the header only


@pytest.mark.parametrize("index", range(len(REQUEST_IDS)), ids=REQUEST_IDS)
def test_bob_gets_the_real_outcome_of_every_patient_url_while_linked(
    client_for, alice, bob, record, index
):
    method, url, data = patient_requests(alice, record)[index]

    response = getattr(client_for(bob), method)(url, data)

    BOB_GETS[index](response, alice, bob, record)


def test_after_alice_revokes_bob_gets_404_everywhere(client_for, alice, bob, record):
    link = CareLink.objects.get(clinician=bob, patient=alice)
    account_services.carelink_revoke(link_id=link.pk, patient=alice)
    client = client_for(bob)
    before = written()

    for method, url, data in patient_requests(alice, record):
        assert getattr(client, method)(url, data).status_code == 404, (method, url)

    assert written() == before
    assert "Alice" not in client.get(reverse("clinic:patients")).content.decode()
    assert "Alice" not in client.get(reverse("clinic:flags")).content.decode()
    assert "Alice" not in client.get(reverse("clinic:patients_csv")).getvalue().decode()


@pytest.mark.parametrize("who", ["alice", "dave"])
def test_a_patient_reaches_no_clinician_page(client_for, request, record, who):
    patient = request.getfixturevalue(who)
    alice = request.getfixturevalue("alice")
    client = client_for(patient)
    before = written()
    own = [
        ("get", reverse("clinic:patients"), {}),
        ("get", reverse("clinic:patients_csv"), {}),
        ("get", reverse("clinic:flags"), {}),
        ("post", reverse("clinic:invite"), {"email": "x@example.com"}),
    ]

    for method, url, data in own + patient_requests(alice, record):
        assert getattr(client, method)(url, data).status_code == 404, (method, url)

    assert written() == before
