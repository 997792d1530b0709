"""The patient's own record: a printable page and a CSV with every prescription (stopped ones
too), the doses due so far with their state and every injection entry; only the patient's own,
in a fixed number of queries, linked from the history page."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import AuditEvent
from schedules import services
from schedules.views.record_pages import CSV_HEADER
from tests.helpers import noon, standard_prescription
from tests.htmltools import parse
from tests.schedules.helpers import START, log
from tests.schedules.history import give_history

pytestmark = pytest.mark.django_db
PAGE = reverse("schedules:record")
CSV = reverse("schedules:record_csv")


@pytest.fixture
def two_prescriptions(alice, clock):
    """A stopped weekly prescription with one on-time, one voided and one missed dose, then an
    active one with one injection (expired ampoule, formula-like notes)."""
    old = standard_prescription(alice, regimen="cdc-weekly", start=START)
    log(old, START, lot="OLD-1")
    voided = log(old, date(2025, 1, 13), site="deltoid_right")
    services.injection_void(
        injection=voided, actor=alice, reason="Logged twice", today=date(2025, 1, 13)
    )
    clock.move_to(noon(date(2025, 1, 24)))
    services.prescription_stop(prescription=old, actor=alice, reason="New schedule")
    new = standard_prescription(alice, regimen="cdc-weekly", start=date(2025, 1, 24))
    log(
        new,
        date(2025, 1, 24),
        site="thigh_left",
        expiry=date(2024, 12, 1),
        notes="=HYPERLINK(1)",
    )
    return old, new


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_page_shows_every_prescription_with_its_doses_and_entries(
    client_for, alice, two_prescriptions
):
    old, new = two_prescriptions

    response = client_for(alice).get(PAGE)

    assert response.status_code == 200
    page = parse(response.content)
    assert page.find("h1").text == "B12 injection record: Alice Patel"
    sections = list(page.find_all("section", cls="record-prescription"))
    assert [s.attrs["aria-labelledby"] for s in sections] == [
        f"rx-{new.pk}-heading",
        f"rx-{old.pk}-heading",
    ]
    assert "(stopped)" in sections[1].find("h2").text
    assert "(active)" in sections[0].find("h2").text
    old_doses = [row.text for row in sections[1].find("table").find("tbody").find_all("tr")]
    assert old_doses[0].startswith("20 Jan 2025") and "Missed" in old_doses[0]
    assert old_doses[-1].startswith("6 Jan 2025") and "On time" in old_doses[-1]
    entries = sections[1].find("table", cls="injection-list").text
    assert "Voided: Logged twice" in entries and "OLD-1" in entries
    new_entries = sections[0].find("table", cls="injection-list").text
    assert "1 Dec 2024" in new_entries and "Counted" in new_entries


def test_the_csv_holds_the_same_record_and_is_audited(client_for, alice, two_prescriptions):
    response = client_for(alice).get(CSV)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="b12-record-2025-01-24.csv"'
    rows = csv_rows(response)
    assert rows[0] == list(CSV_HEADER)
    by_kind = {(row[1], row[2], row[3], row[7]) for row in rows[1:]}
    assert ("Stopped", "Dose", "2025-01-20", "Missed") in by_kind
    assert ("Stopped", "Dose", "2025-01-06", "On time") in by_kind
    assert ("Stopped", "Injection", "2025-01-13", "Voided") in by_kind
    assert ("Active", "Dose", "2025-01-24", "On time") in by_kind
    (injection,) = [row for row in rows if row[1] == "Active" and row[2] == "Injection"]
    assert injection[10] == "Left thigh (outer)"
    assert injection[14] == "2024-12-01"
    assert injection[15] == "'=HYPERLINK(1)"  # not run as a formula by a spreadsheet
    (event,) = AuditEvent.objects.filter(action="record.exported")
    assert (event.actor, event.patient) == (alice, alice)


def test_only_the_patients_own_record_is_shown(client_for, alice, dave, two_prescriptions):
    standard_prescription(dave, regimen="cdc-weekly", start=START, today=date(2025, 1, 24))

    page = client_for(dave).get(PAGE)
    rows = csv_rows(client_for(dave).get(CSV))

    assert "Dave Jones" in page.content.decode()
    assert "OLD-1" not in page.content.decode() and "Alice" not in page.content.decode()
    assert {row[1] for row in rows[1:]} == {"Active"}
    assert not [row for row in rows if row[2] == "Injection"]


def test_without_a_prescription_the_record_says_so(client_for, alice, clock):
    page = client_for(alice).get(PAGE)
    rows = csv_rows(client_for(alice).get(CSV))

    assert "No prescription yet" in page.content.decode()
    assert rows == [list(CSV_HEADER)]


def test_the_history_page_links_to_the_record_and_its_csv(client_for, alice, alice_rx):
    page = parse(client_for(alice).get(reverse("schedules:history")).content)

    assert page.find("a", href=PAGE) is not None
    assert page.find("a", href=CSV) is not None


def test_the_printout_leaves_out_the_menu_and_the_links(client_for, alice, alice_rx):
    page = parse(client_for(alice).get(PAGE).content)

    report = page.find("div", cls="report")
    assert report.find("a", href=reverse("schedules:history")) is not None
    for link in report.find_all("a"):
        assert any("no-print" in e.classes for e in _ancestors(report, link)), link.attrs
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    printing = css[css.index("@media print") :]
    assert re.search(r"header,[\s\S]*\.no-print[\s\S]*display: none", printing)


def _ancestors(root, target):
    """The elements from `root` down to `target`."""
    for child in root.children:
        if child is target:
            return [root, target]
        if not isinstance(child, str):
            path = _ancestors(child, target)
            if path:
                return [root, *path]
    return []


RECORD_QUERIES = 5  # session, user with profile, prescriptions, doses, injections


@pytest.mark.parametrize("days", [30, 3 * 365], ids=["one month", "three years"])
def test_the_record_page_query_count_does_not_grow_with_history(
    client_for, alice, django_assert_num_queries, days
):
    give_history(alice, days=days)
    client = client_for(alice)
    client.get(PAGE)

    with django_assert_num_queries(RECORD_QUERIES):
        response = client.get(PAGE)

    assert response.status_code == 200
    assert len(list(parse(response.content).find_all("tr"))) > (60 if days > 30 else 10)
