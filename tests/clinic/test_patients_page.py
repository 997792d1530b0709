"""The clinician's patients page: sorted by need, searchable, filterable, 50 a page, a fixed
number of queries whatever the number of patients; days overdue in each patient's zone."""

import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.selectors import patients as patient_list
from clinic.selectors.metrics import band_for
from clinic.selectors.patients import Filters
from demo.bulk import linked_demo_patients
from monitoring.models import Flag
from tests.helpers import prescribe

from .helpers import link, log
from .test_page_queries import PATIENTS, PATIENTS_BANDED

pytestmark = pytest.mark.django_db
URL = reverse("clinic:patients")


def names(html: str, *wanted: str) -> list[str]:
    """The wanted names in the order the page shows them."""
    return sorted((n for n in wanted if n in html), key=html.index)


def test_patients_are_sorted_by_need(client_for, bob, ward):
    html = client_for(bob).get(URL).content.decode()

    assert names(html, "Alice Patel", "Erin Overdue", "Aaron Adams") == [
        "Alice Patel",  # an open flag for the missed loading dose
        "Erin Overdue",  # most overdue next
        "Aaron Adams",
    ]
    assert Flag.objects.filter(patient=ward["alice"], kind="missed_loading").exists()


def test_search_finds_by_name(client_for, bob, ward):
    html = client_for(bob).get(URL, {"q": "erin"}).content.decode()

    assert "Erin Overdue" in html
    assert "Alice Patel" not in html and "Aaron Adams" not in html


def test_filter_by_phase(client_for, bob, ward):
    html = client_for(bob).get(URL, {"phase": "repletion"}).content.decode()

    assert names(html, "Alice Patel", "Erin Overdue", "Aaron Adams") == ["Alice Patel"]


def test_filter_by_open_flag_kind(client_for, bob, ward):
    html = client_for(bob).get(URL, {"flag": "missed_loading"}).content.decode()

    assert names(html, "Alice Patel", "Erin Overdue", "Aaron Adams") == ["Alice Patel"]


def test_an_unknown_filter_value_is_ignored_and_shown(client_for, bob, ward):
    response = client_for(bob).get(URL, {"phase": "nonsense", "q": "aaron"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Aaron Adams" in html and "Alice Patel" not in html
    assert "Select a valid choice" in html


def test_band_filter_in_sql_agrees_with_the_python_rule(bob):
    linked_demo_patients(bob, 60)
    now = timezone.now()
    rows = list(patient_list.export_rows(clinician=bob, filters=Filters(), now=now))
    expected = {}
    for row in rows:
        expected.setdefault(band_for(row.recent.taken, row.recent.missed), set()).add(
            row.patient.pk
        )
    assert len(expected) >= 3  # the demo histories are varied

    for band, ids in expected.items():
        found = patient_list.patients_queryset(clinician=bob, filters=Filters(band=band), now=now)
        assert set(found.values_list("pk", flat=True)) == ids, band


def test_fifty_patients_a_page(client_for, bob):
    linked_demo_patients(bob, 60)  # and alice: 61
    client = client_for(bob)

    first = client.get(URL).content.decode()
    following = re.search(r'rel="next" href="([^"]+)"', first)
    assert following is not None
    second = client.get(URL + unescape(following.group(1))).content.decode()

    assert first.count('href="/clinic/patients/') == 50
    assert second.count('href="/clinic/patients/') == 11
    assert 'rel="next"' not in second and 'rel="prev"' in second


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_10_and_500_patients(
    client_for, bob, django_assert_num_queries
):
    linked_demo_patients(bob, 9)  # and alice: 10
    client = client_for(bob)
    with django_assert_num_queries(page_queries(client)) as ten:
        client.get(URL)
    linked_demo_patients(bob, 490, first=10)

    with django_assert_num_queries(len(ten)):
        html = client.get(URL).content.decode()

    assert html.count('href="/clinic/patients/') == 50 and 'rel="next"' in html
    assert len(ten) == PATIENTS


def test_query_count_with_every_filter_does_not_grow_either(
    client_for, bob, django_assert_num_queries
):
    linked_demo_patients(bob, 10)
    client = client_for(bob)
    query = {"q": "patient", "phase": "maintenance", "flag": "", "band": "good"}
    with django_assert_num_queries(PATIENTS_BANDED):
        client.get(URL, query)
    linked_demo_patients(bob, 200, first=11)

    with django_assert_num_queries(PATIENTS_BANDED):
        html = client.get(URL, query).content.decode()

    assert 'href="/clinic/patients/' in html  # not an empty page


def test_the_page_links_to_the_export_with_the_same_filters(client_for, bob, ward):
    html = client_for(bob).get(URL, {"phase": "maintenance", "q": "a"}).content.decode()

    assert 'href="/clinic/patients.csv?q=a&amp;phase=maintenance"' in html


def test_a_patient_without_a_prescription_is_listed_last(client_for, bob, ward, make_patient):
    link(bob, make_patient("new@example.com", "Aardvark New"))

    html = client_for(bob).get(URL).content.decode()

    assert names(html, "Aaron Adams", "Aardvark New") == ["Aaron Adams", "Aardvark New"]
    assert "No prescription" in html


def test_days_overdue_count_in_the_patients_zone(bob, make_patient, clock):
    """At 15:00 UTC it is already tomorrow in Sydney: the same dose is a day more overdue."""
    clock.move_to(datetime(2025, 7, 20, 15, tzinfo=UTC))
    rows = {}
    for zone in ("Europe/London", "Australia/Sydney"):
        patient = make_patient(f"{zone[:3].lower()}@example.com", zone, zone)
        link(bob, patient)
        rx = prescribe(patient, regimen="seed-maintenance", start=date(2025, 6, 16))
        log(rx, date(2025, 6, 16))
        rows[zone] = rx
    page = patient_list.patients_page(clinician=bob, filters=Filters(), now=timezone.now())

    overdue = {row.name: row.days_overdue for row in page.rows if row.prescription_id}
    assert overdue == {"Europe/London": 4, "Australia/Sydney": 5}  # dose due 16 Jul
