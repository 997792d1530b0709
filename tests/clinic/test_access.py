"""Who reaches the clinician pages: charlie (no link) gets 404 on every patient URL, export
and action; after alice revokes bob's link bob does too; patients reach no clinician page.
Refusals write nothing."""

import csv
import io

import pytest
from django.urls import get_resolver, reverse

from accounts import services as account_services
from accounts.models import AuditEvent, CareLink
from monitoring.models import Flag
from schedules.models import Phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(bob, neuro, flag):
    """alice on open-ended loading with a missed dose (so an open flag), linked to bob."""
    return {"phase": neuro.phases.get(order=0), "flag": flag}


def patient_requests(alice, record) -> list[tuple[str, str, dict]]:
    """Every clinic URL that names a patient, with a request that would succeed for bob."""
    ids = {"flag_id": record["flag"].pk, "phase_id": record["phase"].pk}
    return [
        (method, reverse(f"clinic:{name}", kwargs={"patient_id": alice.pk, **extra}), data)
        for name, method, extra, data in named_requests(ids)
    ]


def named_requests(ids: dict) -> list[tuple[str, str, dict, dict]]:
    flag, phase = {"flag_id": ids["flag_id"]}, {"phase_id": ids["phase_id"]}
    return [
        ("patient_detail", "get", {}, {}),
        ("patient_report", "get", {}, {}),
        ("prescription_edit", "get", {}, {}),
        ("prescription_edit", "post", {}, {"dose_mcg": "1000"}),
        ("prescription_confirm", "post", {}, {}),
        ("phase_close", "post", phase, {"closed_on": "2025-07-18"}),
        ("interval_change", "post", {}, {"every": "3", "unit": "month"}),
        ("note_add", "post", {}, {"note": "Hello"}),
        ("flag_acknowledge", "post", flag, {}),
        ("flag_resolve", "post", flag, {"note": "Done"}),
        ("flag_note", "post", flag, {"note": "Rang"}),
    ]


def written() -> tuple:
    return (
        AuditEvent.objects.exclude(action="patients.exported").count(),
        list(Flag.objects.values_list("status", "note")),
        list(Phase.objects.values_list("closed_on", "every")),
    )


def test_the_list_covers_every_clinic_url_that_names_a_patient():
    clinic = next(e for e in get_resolver().url_patterns if getattr(e, "namespace", "") == "clinic")
    names = {p.name for p in clinic.url_patterns if "patient_id" in p.pattern.regex.groupindex}

    assert names == {name for name, *_ in named_requests({"flag_id": 1, "phase_id": 1})}


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
        csv.reader(io.StringIO(client.get(reverse("clinic:patients_csv")).content.decode()))
    )
    assert len(rows) == 1  # the header only


def test_bob_reaches_every_patient_url_while_linked(client_for, alice, bob, record):
    client = client_for(bob)

    for method, url, data in patient_requests(alice, record):
        assert getattr(client, method)(url, data).status_code in (200, 302, 400), (method, url)


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
    assert "Alice" not in client.get(reverse("clinic:patients_csv")).content.decode()


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
