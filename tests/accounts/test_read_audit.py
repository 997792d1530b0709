"""The read audit: each successful read of a patient's data by someone else is one audit row,
which the patient sees on their care team page; a list page is one row however many patients
it shows; the patient's own reads, refused reads and writes add none."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import AuditEvent, User
from accounts.read_audit import ACTION, mark_read
from api.services import token_create
from tests.clinic.helpers import link

pytestmark = pytest.mark.django_db

CARE_TEAM = reverse("accounts:care_team")


def reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=ACTION).order_by("id"))


def patient_page(patient: User) -> str:
    return reverse("clinic:patient_detail", args=[patient.pk])


def test_each_read_of_a_patient_page_is_one_row_the_patient_then_sees(client_for, alice, bob):
    client = client_for(bob)
    assert client.get(patient_page(alice), REMOTE_ADDR="203.0.113.7").status_code == 200
    assert client.get(patient_page(alice)).status_code == 200

    rows = reads()
    assert len(rows) == 2
    first = rows[0]
    assert (first.actor, first.patient, first.address) == (bob, alice, "203.0.113.7")
    assert first.detail == {
        "kind": "page",
        "url_name": "clinic:patient_detail",
        "path": patient_page(alice),
    }

    client.logout()
    html = client_for(alice).get(CARE_TEAM).content.decode()
    assert "Who looked at your record" in html
    assert html.count("<td>Dr Bob Smith</td>") == 2
    assert "Viewed your record" in html
    assert "2 views in the last 90 days" in html


def test_the_report_page_is_recorded_too(client_for, alice, bob):
    assert client_for(bob).get(reverse("clinic:patient_report", args=[alice.pk])).status_code == 200
    (row,) = reads()
    assert row.detail["url_name"] == "clinic:patient_report"


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize("name", ["clinic:patients", "clinic:flags", "clinic:tests_due"])
def test_a_list_page_is_one_row_without_a_patient(client_for, alice, bob, make_patient, name, size):
    for n in range(size):
        link(bob, make_patient(f"p{n}@example.com", f"Patient {n}"))

    assert client_for(bob).get(reverse(name)).status_code == 200

    (row,) = reads()
    assert (row.actor, row.patient) == (bob, None)
    assert row.detail["url_name"] == name


def test_the_patients_own_reads_add_none(client_for, alice, bob):
    client = client_for(alice)
    for name in ("home", "accounts:care_team", "schedules:record"):
        assert client.get(reverse(name)).status_code == 200
    assert reads() == []


def test_a_refused_read_adds_none(client_for, alice, bob, charlie, dave):
    assert client_for(charlie).get(patient_page(alice)).status_code == 404
    assert client_for(bob).get(patient_page(dave)).status_code == 404
    assert reads() == []


def test_a_write_adds_no_read(client_for, alice, bob):
    url = reverse("clinic:note_add", args=[alice.pk])
    client_for(bob).post(url, {"text": "Called about the missed dose."})
    assert reads() == []


def test_an_export_is_recorded_as_an_export(client_for, alice, bob):
    url = reverse("interop:fhir_export_patient", args=[alice.pk])
    assert client_for(bob).get(url).status_code == 200
    rows = reads()
    assert [(row.actor, row.patient, row.detail["kind"]) for row in rows] == [
        (bob, alice, "export")
    ]


def test_an_api_read_by_token_names_the_tokens_user(alice, bob):
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token_create(user=bob, name='t', scope='read')[1]}"
    )

    assert api.get(f"/api/v1/clinic/patients/{alice.pk}/").status_code == 200
    (row,) = reads()
    assert (row.actor, row.patient) == (bob, alice)
    assert row.detail["kind"] == "api"
    assert row.detail["url_name"] == "api:clinic_patient"

    assert api.get("/api/v1/clinic/patients/").status_code == 200
    assert api.get("/api/v1/clinic/patients/999999/").status_code == 404
    rows = reads()
    assert len(rows) == 2
    assert (rows[1].actor, rows[1].patient) == (bob, None)


def test_the_care_team_lists_reads_newest_first_and_counts_the_rest(client_for, alice, bob):
    from accounts import selectors

    client = client_for(bob)
    for _ in range(selectors.READS_SHOWN + 3):
        client.get(patient_page(alice))
    client.logout()

    html = client_for(alice).get(CARE_TEAM).content.decode()
    shown = selectors.READS_SHOWN
    assert f"The latest {shown} of {shown + 3} views in the last 90 days" in html
    assert html.count("<td>Dr Bob Smith</td>") == shown


def test_reads_older_than_90_days_are_not_listed(client_for, alice, bob):
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() - timezone.timedelta(days=91)):
        client_for(bob).get(patient_page(alice))
    html = client_for(alice).get(CARE_TEAM).content.decode()
    assert "Nobody else has looked at your record in the last 90 days." in html


def test_a_list_mark_does_not_hide_the_patient_read(rf, alice, bob):
    request = rf.get("/clinic/")
    mark_read(request, alice, "page")
    mark_read(request, None, "page")
    from accounts.read_audit import read_of

    read = read_of(request)
    assert read is not None and read.patient == alice


def test_an_unknown_kind_is_refused(rf, alice):
    with pytest.raises(ValueError, match="Unknown read kind"):
        mark_read(rf.get("/"), alice, "glance")


# Session, the user with their profile, the links with each clinician and their profile, and
# the reads of the record with who read it and their count.
CARE_TEAM_QUERIES = 4


@pytest.mark.parametrize("size", [1, 12])
def test_the_care_team_page_costs_the_same_queries_for_any_number_of_reads(
    client_for, alice, bob, make_clinician, django_assert_num_queries, size
):
    for n in range(size):
        clinician = make_clinician(f"reader{n}@example.com", f"Dr Reader {n}")
        link(clinician, alice)
        client_for(clinician).get(patient_page(alice))
    client = client_for(alice)

    with django_assert_num_queries(CARE_TEAM_QUERIES):
        response = client.get(CARE_TEAM)

    html = response.content.decode()
    assert all(f"<td>Dr Reader {n}</td>" in html for n in range(size))
