"""The clinician's tests-due list and the plan on a patient's page: only their own patients'
due and overdue checks, soonest first, a fixed number of queries however many patients; the
plan's add, move, done and cancel actions, refused input shown beside its field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from demo.bulk import linked_demo_patients
from monitoring.models import PlanItem
from schedules.models import Prescription
from tests.helpers import noon, prescribe

pytestmark = pytest.mark.django_db

TODAY = date(2025, 4, 1)
URL = "/clinic/tests-due/"


@pytest.fixture
def rx(alice):
    return prescribe(alice, regimen="seed-maintenance", start=date(2025, 1, 6))


@pytest.fixture
def clock():
    with time_machine.travel(noon(TODAY), tick=False) as traveller:
        yield traveller


def test_bob_sees_alices_checks_due(client_for, bob, rx, clock):
    page = client_for(bob).get(URL).content.decode()

    assert "Alice Patel" in page
    assert page.count('text-bg-warning">Due<') == 3
    assert reverse("clinic:patient_detail", args=[rx.patient_id]) in page


def test_charlie_sees_nothing_of_alices(client_for, charlie, rx, clock):
    response = client_for(charlie).get(URL)

    assert response.status_code == 200
    assert "Alice Patel" not in response.content.decode()


@pytest.mark.parametrize("who", ["alice", "dave", "staff"])
def test_other_roles_get_404(client_for, cast, who):
    assert client_for(cast[who]).get(URL).status_code == 404


def test_a_far_off_or_done_check_is_not_listed(client_for, bob, rx, clock):
    PlanItem.objects.filter(what="fbc").update(due_on=TODAY + timedelta(days=40))
    PlanItem.objects.filter(what="review").update(status="done", done_on=TODAY)

    page = client_for(bob).get(URL).content.decode()

    assert page.count('text-bg-warning">Due<') == 1 and "Serum B12" in page


def ward(bob: User, size: int) -> None:
    users = linked_demo_patients(bob, size)
    rows = [
        PlanItem(
            patient=rx.patient,
            prescription=rx,
            what="serum_b12",
            due_on=TODAY - timedelta(days=n % 30),
        )
        for n, rx in enumerate(Prescription.objects.filter(patient__in=users, status="active"))
    ]
    PlanItem.objects.bulk_create(rows)
    assert PlanItem.objects.filter(status="planned").count() >= size


# session, user, second-factor device, the page's rows with their patients (by cursor: no
# count), the read-audit row.
TESTS_DUE = 5


@pytest.mark.parametrize("size", [2, 30])
def test_the_list_costs_the_same_queries_for_2_or_30_patients(
    client_for, bob, clock, django_assert_num_queries, size
):
    ward(bob, size)
    client = client_for(bob)
    with django_assert_num_queries(TESTS_DUE):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count("Zed Patient") == size


# --- The plan on the patient's page ------------------------------------------------------------


def detail(alice) -> str:
    return reverse("clinic:patient_detail", args=[alice.pk])


def test_bob_adds_a_check_to_alices_plan(client_for, bob, alice, rx, clock):
    url = reverse("clinic:plan_item_add", args=[alice.pk])
    response = client_for(bob).post(
        url, {"what": "folate", "due_on": "2025-05-01", "note": "Fasting"}
    )

    assert response.status_code == 302
    item = PlanItem.objects.get(what="folate")
    assert (item.due_on, item.note, item.origin) == (date(2025, 5, 1), "Fasting", "clinician")
    assert "Folate" in client_for(bob).get(detail(alice)).content.decode()


def test_a_date_before_the_start_is_shown_beside_the_field(client_for, bob, alice, rx, clock):
    url = reverse("clinic:plan_item_add", args=[alice.pk])
    response = client_for(bob).post(url, {"what": "folate", "due_on": "2024-12-01"})

    assert response.status_code == 400
    assert "on or after the prescription" in response.content.decode()
    assert not PlanItem.objects.filter(what="folate").exists()


def test_bob_moves_marks_done_and_cancels(client_for, bob, alice, rx, clock):
    fbc, b12, review = (PlanItem.objects.get(what=w) for w in ("fbc", "serum_b12", "review"))
    client = client_for(bob)

    client.post(
        reverse("clinic:plan_item_change", args=[alice.pk, fbc.pk]), {"due_on": "2025-04-20"}
    )
    client.post(
        reverse("clinic:plan_item_done", args=[alice.pk, b12.pk]), {"done_on": "2025-03-30"}
    )
    client.post(reverse("clinic:plan_item_cancel", args=[alice.pk, review.pk]))

    assert PlanItem.objects.get(pk=fbc.pk).due_on == date(2025, 4, 20)
    assert PlanItem.objects.get(pk=b12.pk).done_on == date(2025, 3, 30)
    assert PlanItem.objects.get(pk=review.pk).status == "cancelled"


def test_a_done_date_in_the_future_is_refused_beside_the_field(client_for, bob, alice, rx, clock):
    b12 = PlanItem.objects.get(what="serum_b12")
    url = reverse("clinic:plan_item_done", args=[alice.pk, b12.pk])

    response = client_for(bob).post(url, {"done_on": "2025-05-01"})

    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert PlanItem.objects.get(pk=b12.pk).status == "planned"


def test_charlie_and_dave_get_404_on_the_plan_actions(client_for, charlie, dave, alice, bob, rx):
    item = PlanItem.objects.get(what="fbc")
    urls = [
        (
            reverse("clinic:plan_item_add", args=[alice.pk]),
            {"what": "folate", "due_on": "2025-05-01"},
        ),
        (reverse("clinic:plan_item_change", args=[alice.pk, item.pk]), {"due_on": "2025-05-01"}),
        (reverse("clinic:plan_item_done", args=[alice.pk, item.pk]), {"done_on": "2025-03-01"}),
        (reverse("clinic:plan_item_cancel", args=[alice.pk, item.pk]), {}),
    ]
    for who in (charlie, dave):
        for url, data in urls:
            assert client_for(who).post(url, data).status_code == 404, (who, url)
    assert not PlanItem.objects.exclude(status="planned").exists()
    assert PlanItem.objects.count() == 3


def test_an_item_of_another_patient_is_not_found_under_alice(
    client_for, bob, alice, dave, rx, make_patient
):
    other = prescribe(dave, regimen="seed-maintenance", start=date(2025, 1, 6))
    item = PlanItem.objects.filter(prescription=other).first()

    response = client_for(bob).post(reverse("clinic:plan_item_cancel", args=[alice.pk, item.pk]))

    assert response.status_code == 404
    assert PlanItem.objects.get(pk=item.pk).status == "planned"
