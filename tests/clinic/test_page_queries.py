"""Pinned query counts for the clinician pages: each list and report costs the same number of
queries for 2 or 30 linked patients (the per-patient pages: for a short or a long history),
session and user included. A count that grows with the data fails its pin."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pytest
from django.urls import reverse

from accounts.models import CareLink, User
from clinic.selectors import patients as patient_list
from demo.bulk import linked_demo_patients
from monitoring import actions
from monitoring.models import Flag
from schedules import services
from tests.helpers import prescribe

from .helpers import TODAY, log, settle, url

pytestmark = pytest.mark.django_db

# The patients list: session, user, second-factor device, the page of summaries (with their
# patient and phases), the count of linked patients, pending invitations, the read-audit row.
PATIENTS = 7
# With a search or a filter: the same queries (the filters are in the page's one query).
PATIENTS_FILTERED = 7
# With the adherence band as well: the band is a column of the summary.
PATIENTS_BANDED = 7
# The export: session, user, second-factor device, the count for the audit event, the audit
# event, the read-audit row, then the rows, streamed from one query.
PATIENTS_CSV = 7
# The flags inbox: session, user, second-factor device, one page of flags with their patient,
# dose and actor (by cursor: no count), the read-audit row.
FLAGS = 5
# The patient page's Labs section: every result with its injection dates, in one query.
LABS = 1
# The patient page's Symptoms section: maintenance injections, their check-ins, the latest ones.
SYMPTOMS = 3
# One patient's page and report: session, user, second-factor device, the patient, then the
# prescription, flags, audit events, phases with their counts, doses and injections, and the
# read-audit row; the page adds the monitoring plan.
PATIENT_DETAIL = 12 + LABS + SYMPTOMS
# The report adds the evidence: the cycles (injections, check-ins), latest labs, urgent answers.
PATIENT_REPORT = 11 + 4
# Once a clinician has confirmed the prescription, one more: naming the prescriber looks for a
# patient profile first (User.display_name), which the prescription's select_related lacks.
CONFIRMED = 1

WARDS = {"2 patients": 2, "30 patients": 30}
FILTERS = {
    "searched": ({"q": "patient"}, PATIENTS_FILTERED),
    "by phase": ({"phase": "maintenance"}, PATIENTS_FILTERED),
    "by flag": ({"flag": "missed_maintenance"}, PATIENTS_FILTERED),
    "every filter": (
        {"q": "patient", "phase": "maintenance", "flag": "", "band": "poor"},
        PATIENTS_BANDED,
    ),
}


def ward(bob: User, alice: User, size: int) -> None:
    """`size` patients linked to bob, each with a history: alice's is short, the others are the
    demo's. bob has acknowledged every other open flag (so the inbox names him) and has as many
    invitations waiting as he has patients."""
    rx = prescribe(alice, regimen="seed-maintenance", start=TODAY - timedelta(days=70))
    log(rx, rx.start_date)
    settle(rx, TODAY)
    linked_demo_patients(bob, size - 1)
    for n, flag in enumerate(Flag.objects.filter(status=Flag.Status.OPEN).order_by("pk")):
        if n % 2:
            actions.flag_acknowledge(flag=flag, actor=bob, note=f"Seen {n}")
    for n in range(size):
        CareLink.objects.create(clinician=bob, invited_email=f"invited{n}@example.com")
    assert CareLink.objects.filter(clinician=bob, status="active").count() == size
    assert Flag.objects.filter(status=Flag.Status.ACKNOWLEDGED).exists()


def measure(client, django_assert_num_queries, expected: int, path: str, query=None):
    """The first visit is measured: nothing is made on it that a second visit would skip."""
    with django_assert_num_queries(expected):
        response = client.get(path, query)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", list(WARDS))
def test_patients_list(client_for, alice, bob, clock, django_assert_num_queries, size):
    ward(bob, alice, WARDS[size])

    response = measure(
        client_for(bob), django_assert_num_queries, PATIENTS, reverse("clinic:patients")
    )

    assert response.content.decode().count('href="/clinic/patients/') == WARDS[size]


@pytest.mark.parametrize("size", list(WARDS))
@pytest.mark.parametrize("filtered", list(FILTERS))
def test_patients_list_searched_or_filtered(
    client_for, alice, bob, clock, django_assert_num_queries, filtered, size
):
    ward(bob, alice, WARDS[size])
    query, expected = FILTERS[filtered]

    response = measure(
        client_for(bob), django_assert_num_queries, expected, reverse("clinic:patients"), query
    )

    assert 'href="/clinic/patients/' in response.content.decode()  # not an empty page


@pytest.mark.parametrize("size", list(WARDS))
def test_patients_csv(client_for, alice, bob, clock, django_assert_num_queries, size):
    ward(bob, alice, WARDS[size])

    client = client_for(bob)
    with django_assert_num_queries(PATIENTS_CSV):
        text = client.get(reverse("clinic:patients_csv")).getvalue().decode()

    assert len(text.splitlines()) == 1 + WARDS[size]


def test_patients_csv_reads_its_chunks_from_one_query(
    client_for, alice, bob, clock, django_assert_num_queries, monkeypatch
):
    """The export reads its rows 500 patients at a time (here 10, to see three chunks) from
    one query's cursor: no chunk adds a query, and nothing is read per patient."""
    ward(bob, alice, 30)
    export_rows = patient_list.export_rows
    monkeypatch.setattr(patient_list, "export_rows", partial(export_rows, chunk=10))

    client = client_for(bob)
    with django_assert_num_queries(PATIENTS_CSV):
        text = client.get(reverse("clinic:patients_csv")).getvalue().decode()

    assert len(text.splitlines()) == 1 + 30


@pytest.mark.parametrize("size", list(WARDS))
@pytest.mark.parametrize("query", [None, {"status": "acknowledged"}], ids=["unresolved", "seen"])
def test_flags_inbox(client_for, alice, bob, clock, django_assert_num_queries, query, size):
    ward(bob, alice, WARDS[size])

    response = measure(
        client_for(bob), django_assert_num_queries, FLAGS, reverse("clinic:flags"), query
    )

    assert "by Dr Bob Smith" in response.content.decode()


# --- one patient --------------------------------------------------------------------------------


def short_history(alice: User, bob: User) -> None:
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 6, 1))
    log(rx, date(2025, 6, 1))
    settle(rx, TODAY)


def long_history(alice: User, bob: User) -> None:
    """A year and a half of loading and maintenance with every dose logged but a few, one
    entry corrected and one voided, flags acknowledged and resolved by bob, and his notes."""
    start = date(2024, 1, 1)
    rx = prescribe(alice, regimen="afp-daily-weekly-monthly", start=start)
    doses = list(rx.doses.filter(due__lt=TODAY).order_by("due"))
    for n, dose in enumerate(doses):
        if n % 9 == 4:
            continue  # missed
        entry = log(rx, dose.due)
        if n == 3:
            services.injection_correct(
                injection=entry, actor=alice, reason="Typo", given_on=dose.due, today=dose.due
            )
        if n == 6:
            services.injection_void(
                injection=entry, actor=alice, reason="Not given", today=dose.due
            )
    settle(rx, TODAY)
    for n, flag in enumerate(Flag.objects.filter(patient=alice).order_by("pk")):
        if n % 2:
            actions.flag_acknowledge(flag=flag, actor=bob, note=f"Seen {n}")
        else:
            actions.flag_resolve(flag=flag, actor=bob, note=f"Called {n}")
    for n in range(10):
        actions.patient_note_add(patient=alice, actor=bob, note=f"Note {n}")


HISTORIES = {"short": short_history, "long": long_history}


@pytest.mark.parametrize("history", list(HISTORIES))
@pytest.mark.parametrize("confirmed", [False, True], ids=["as entered", "confirmed"])
@pytest.mark.parametrize(
    ("name", "query", "expected"),
    [
        ("patient_detail", None, PATIENT_DETAIL),
        ("patient_detail", {"history": "all"}, PATIENT_DETAIL),
        ("patient_report", None, PATIENT_REPORT),
    ],
    ids=["detail", "detail, whole history", "report"],
)
def test_one_patient(
    client_for,
    alice,
    bob,
    clock,
    django_assert_num_queries,
    history,
    confirmed,
    name,
    query,
    expected,
):
    HISTORIES[history](alice, bob)
    if confirmed:
        rx = alice.prescriptions.get(status="active")
        services.prescription_confirm(prescription=rx, clinician=bob)

    response = measure(
        client_for(bob),
        django_assert_num_queries,
        expected + (CONFIRMED if confirmed else 0),
        url(name, alice),
        query,
    )

    html = response.content.decode()
    assert ("Dr Bob Smith, 20 Jul 2025" in html) == confirmed  # checked by


@pytest.mark.parametrize("results", [3, 30])
def test_one_patient_with_lab_results(
    client_for, alice, bob, clock, django_assert_num_queries, results
):
    """The Labs section costs one query for 3 results of each test or for 30, with injections
    around them for the timing warnings."""
    from decimal import Decimal

    from monitoring.labs.services import LabEntry, lab_result_record

    short_history(alice, bob)
    for n in range(results):
        taken_on = date(2025, 6, 1) + timedelta(days=n)
        for test, value, unit in (("serum_b12", 150 + n, "pmol/L"), ("folate", 5, "ng/mL")):
            entry = LabEntry(test=test, value=Decimal(value), unit=unit, taken_on=taken_on)
            lab_result_record(patient=alice, actor=alice, entry=entry, today=TODAY)

    response = measure(
        client_for(bob),
        django_assert_num_queries,
        PATIENT_DETAIL,
        url("patient_detail", alice),
    )

    html = response.content.decode()
    assert html.count('class="lab-chart-dot"') == 2 * results
    assert "Taken on the same day as an injection" in html


def test_one_patient_with_5_or_50_symptom_check_ins_costs_the_same(client_for, alice, bob, clock):
    """The Symptoms section's queries do not grow with the check-ins (its own pin is in
    tests/clinic/test_symptoms_section.py), over four maintenance cycles."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitoring.models import CheckIn

    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 4, 1))
    for day in (date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1)):
        log(rx, day)
    settle(rx, TODAY)
    client = client_for(bob)
    counts = []
    for total in (5, 50):
        CheckIn.objects.filter(patient=alice).delete()
        CheckIn.objects.bulk_create(
            CheckIn(patient=alice, on=TODAY - timedelta(days=n), tiredness=n % 4)
            for n in range(total)
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("patient_detail", alice))
        assert response.status_code == 200
        assert response.content.decode().count('class="recent-checkin"') == min(total, 10)
        counts.append(len(queries))
    assert counts[0] == counts[1]
