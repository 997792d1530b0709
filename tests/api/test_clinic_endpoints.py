"""Clinician endpoints: the linked patients sorted by need with the list page's figures, one
patient's summary, the flags inbox, and acknowledging or resolving a flag through the same
actions as the pages; anything not the clinician's is 404."""

from datetime import date

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, CareLink
from monitoring.models import Flag
from tests.helpers import prescribe

pytestmark = pytest.mark.django_db


def flag_of(patient, kind=Flag.Kind.THREE_MONTH_REVIEW):
    rx = prescribe(patient, regimen="seed-maintenance", start=date(2025, 7, 1))
    return Flag.objects.create(
        patient=patient, prescription=rx, kind=kind, key=f"rx:{rx.pk}:review"
    )


def link(clinician, patient):
    CareLink.objects.create(
        clinician=clinician,
        patient=patient,
        invited_email=patient.email,
        status=CareLink.Status.ACTIVE,
        responded_at=timezone.now(),
    )


def test_patients_are_the_linked_ones_sorted_by_need(alice, bob, dave, make_patient, as_user):
    prescribe(alice, regimen="bnf-neuro", start=date(2026, 1, 5))
    erin = make_patient("erin@example.com", "Erin Flagged")
    link(bob, erin)
    flag_of(erin)
    body = as_user(bob, "read").get("/api/v1/clinic/patients/").json()
    assert body["count"] == 2
    first, second = body["results"]
    assert (first["name"], first["open_flags"], first["open_flag_kinds"]) == (
        "Erin Flagged",
        1,
        ["three_month_review"],
    )
    assert second["id"] == alice.pk and second["regimen"]
    assert set(second["adherence_90_days"]) == {
        "on_time",
        "late",
        "missed",
        "percent_taken",
        "band",
    }
    assert dave.pk not in {row["id"] for row in body["results"]}


def test_patients_list_is_paginated(alice, bob, make_patient, as_user):
    for n in range(3):
        link(bob, make_patient(f"p{n}@example.com", f"Patient {n}"))
    body = as_user(bob).get("/api/v1/clinic/patients/?page_size=2&page=2").json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["previous"]


@pytest.mark.parametrize("size", [2, 12])
def test_patients_list_costs_the_same_queries_for_any_number(
    size, bob, make_patient, as_user, django_assert_num_queries
):
    for n in range(size):
        patient = make_patient(f"q{n}@example.com", f"Patient {n}")
        link(bob, patient)
        flag_of(patient)
    client = as_user(bob, "read")
    client.get("/api/v1/clinic/patients/")  # the token's first use is written once
    # token, count, the page of summaries (their figures are columns of it), the read audit
    with django_assert_num_queries(4):
        response = client.get("/api/v1/clinic/patients/")
    assert response.json()["count"] == size + 1


def test_one_patient_summary_and_unlinked_is_404(alice, bob, charlie, dave, as_user):
    prescribe(alice, regimen="bnf-neuro", start=date(2026, 1, 5))
    body = as_user(bob).get(f"/api/v1/clinic/patients/{alice.pk}/").json()
    assert (body["id"], body["name"], body["email"]) == (alice.pk, "Alice Patel", alice.email)
    assert body["next_due"] and body["phase"] and body["phase_kind"]
    for who, patient in ((bob, dave), (charlie, alice)):
        response = as_user(who).get(f"/api/v1/clinic/patients/{patient.pk}/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_patient_token_on_clinic_endpoints_is_404(alice, bob, as_user):
    flag = flag_of(alice)
    client = as_user(alice)
    assert client.get("/api/v1/clinic/patients/").status_code == 404
    assert client.get("/api/v1/clinic/flags/").status_code == 404
    response = client.post(f"/api/v1/clinic/flags/{flag.pk}/resolve/", {"note": "x"}, format="json")
    assert response.status_code == 404
    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.OPEN


def test_flags_inbox_shows_only_own_patients_unresolved(alice, bob, dave, as_user):
    mine = flag_of(alice)
    flag_of(dave)
    Flag.objects.create(
        patient=alice,
        prescription=mine.prescription,
        kind=Flag.Kind.TEST_OVERDUE,
        key="done",
        status=Flag.Status.RESOLVED,
    )
    body = as_user(bob).get("/api/v1/clinic/flags/").json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0]["patient"] == alice.pk
    assert body["results"][0]["acted_by"] is None and body["results"][0]["dose_due"] is None
    resolved = as_user(bob).get("/api/v1/clinic/flags/?status=resolved").json()
    assert [row["kind"] for row in resolved["results"]] == ["test_overdue"]


def test_flags_filter_rejects_an_unknown_status(bob, as_user):
    response = as_user(bob).get("/api/v1/clinic/flags/?status=lost")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_acknowledge_then_resolve_through_the_actions(alice, bob, as_user):
    flag = flag_of(alice)
    client = as_user(bob)
    url = f"/api/v1/clinic/flags/{flag.pk}/"
    response = client.post(url + "acknowledge/", {"note": "Booking a review."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    assert response.json()["acted_by"] == "Dr Bob Smith"
    again = client.post(url + "acknowledge/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["detail"] == "This flag was already acknowledged."
    response = client.post(url + "resolve/", {"note": "Reviewed."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert response.json()["note"].endswith("Dr Bob Smith: Reviewed.")
    assert AuditEvent.objects.filter(action="flag.resolved", patient=alice).count() == 1
    assert client.post(url + "resolve/", {"note": "x"}, format="json").status_code == 409


def test_resolve_needs_a_note_and_writes_nothing_without(alice, bob, as_user):
    flag = flag_of(alice)
    for body in ({}, {"note": "   "}):
        response = as_user(bob).post(
            f"/api/v1/clinic/flags/{flag.pk}/resolve/", body, format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"]["note"]
    too_long = as_user(bob).post(
        f"/api/v1/clinic/flags/{flag.pk}/acknowledge/", {"note": "x" * 2001}, format="json"
    )
    assert too_long.status_code == 400 and too_long.json()["errors"]["note"]
    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.OPEN
    assert not AuditEvent.objects.filter(action__startswith="flag.").exists()


def test_another_clinicians_flag_is_404(alice, bob, charlie, dave, as_user):
    flag = flag_of(dave)
    for who in (bob, charlie):
        response = as_user(who).post(
            f"/api/v1/clinic/flags/{flag.pk}/acknowledge/", {}, format="json"
        )
        assert response.status_code == 404
    assert (
        as_user(bob).post("/api/v1/clinic/flags/99999999999999999999/resolve/").status_code == 404
    )
    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.OPEN


def test_read_token_cannot_act_on_a_flag(alice, bob, as_user):
    flag = flag_of(alice)
    response = as_user(bob, "read").post(
        f"/api/v1/clinic/flags/{flag.pk}/acknowledge/", {}, format="json"
    )
    assert response.status_code == 403
    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.OPEN
