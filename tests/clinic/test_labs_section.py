"""The Labs section of a clinician's patient page: the latest result of each test with its band
and date, each test's trend as a chart and a table, seen only by a linked clinician."""

from datetime import date
from decimal import Decimal

import pytest

from monitoring.labs.services import LabEntry, lab_result_record
from tests.htmltools import parse

from .helpers import TODAY, log, settle, url

pytestmark = pytest.mark.django_db


def record(patient, test: str, value: str, unit: str, taken_on: date, **extra) -> None:
    entry = LabEntry(test=test, value=Decimal(value), unit=unit, taken_on=taken_on, **extra)
    lab_result_record(patient=patient, actor=patient, entry=entry, today=TODAY)


@pytest.fixture
def results(alice, clock):
    record(alice, "serum_b12", "120", "pmol/L", date(2025, 1, 10))
    record(alice, "serum_b12", "300", "ng/L", date(2025, 5, 2))
    record(alice, "mma", "450", "nmol/L", date(2025, 5, 2))
    record(alice, "haemoglobin", "11.2", "g/dL", date(2025, 5, 2), ref_low=Decimal("11.5"))


def test_only_a_linked_clinician_sees_the_section(cast, client_for, results):
    path = url("patient_detail", cast["alice"])

    html = client_for(cast["bob"]).get(path).content.decode()
    assert parse(html).by_id("labs") is not None
    for who in ("charlie", "dave", "alice"):
        assert client_for(cast[who]).get(path).status_code == 404, who


def test_latest_of_each_test_with_band_and_date(client_for, alice, bob, results):
    html = client_for(bob).get(url("patient_detail", alice)).content
    table = parse(html).find("table", cls="labs-latest")
    rows = {row.find("th").text: row.text for row in table.find("tbody").find_all("tr")}

    assert list(rows) == ["Serum B12", "Methylmalonic acid (MMA)", "Haemoglobin"]
    assert "2 May 2025" in rows["Serum B12"] and "300 ng/L" in rows["Serum B12"]
    assert "indeterminate" in rows["Serum B12"]
    assert "0.45 µmol/L" in rows["Methylmalonic acid (MMA)"]
    assert "raised" in rows["Methylmalonic acid (MMA)"]
    assert "112 g/L" in rows["Haemoglobin"]
    assert "Below the lab's own range (from 11.5 g/dL)." in rows["Haemoglobin"]


def test_each_test_has_a_chart_and_a_table_of_the_same_values(client_for, alice, bob, results):
    page = parse(client_for(bob).get(url("patient_detail", alice)).content)
    [b12, *_] = list(page.find_all("table", cls="labs-trend"))

    cells = [list(row.find_all("td")) for row in b12.find("tbody").find_all("tr")]
    assert [c[1].text for c in cells] == ["163 ng/L", "300 ng/L"]  # 120 pmol/L x 1.355
    assert [c[2].text for c in cells] == ["deficient", "indeterminate"]
    section = page.by_id("labs")
    assert len(list(section.find_all("circle", cls="lab-chart-dot"))) == 4


def test_timing_warnings_reach_the_clinician(client_for, alice, bob, clock):
    from tests.helpers import prescribe

    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 6, 1))
    log(rx, date(2025, 6, 1))
    settle(rx, TODAY)
    record(alice, "serum_b12", "400", "ng/L", date(2025, 6, 4))

    html = client_for(bob).get(url("patient_detail", alice)).content.decode()

    assert "Taken 3 days after an injection: it reflects the injection" in html


def test_without_results_the_section_says_so(client_for, alice, bob, clock):
    section = parse(client_for(bob).get(url("patient_detail", alice)).content).by_id("labs")

    assert "No lab results recorded." in section.text
