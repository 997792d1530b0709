"""The patient's lab pages: only the patient reaches them, a result is added and corrected
through the form, bad input is refused beside its field with nothing written, and the list and
trend pages cost the same queries for 3 results or 30."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from core.clock import local_today
from monitoring.labs.services import LabEntry, lab_result_record
from monitoring.models import LabResult
from tests.htmltools import field_errors, fields_with_errors, parse

pytestmark = pytest.mark.django_db


def add(patient, *, days_ago: int = 10, **changes) -> LabResult:
    values = {
        "test": "serum_b12",
        "value": Decimal(150),
        "unit": "pmol/L",
        "taken_on": local_today(patient) - timedelta(days=days_ago),
    }
    return lab_result_record(patient=patient, actor=patient, entry=LabEntry(**(values | changes)))


def form_data(patient, **changes) -> dict[str, str]:
    taken = local_today(patient) - timedelta(days=3)
    values = {"test": "serum_b12", "value": "150", "unit": "pmol/L", "taken_on": taken.isoformat()}
    return values | {"ref_low": "", "ref_high": "", "note": ""} | changes


# --- access --------------------------------------------------------------------------------------

PAGES = ["monitoring:labs", "monitoring:lab_add"]


@pytest.mark.parametrize("name", PAGES)
def test_only_patients_reach_the_lab_pages(cast, client_for, name):
    assert client_for(cast["alice"]).get(reverse(name)).status_code == 200
    for who in ("bob", "charlie", "staff"):
        assert client_for(cast[who]).get(reverse(name)).status_code == 404, who


def test_the_trend_page_is_the_patients_own(cast, client_for):
    add(cast["alice"], value=Decimal(111))
    path = reverse("monitoring:lab_trend", args=["serum_b12"])

    assert "111 pmol/L" in client_for(cast["alice"]).get(path).content.decode()
    for who in ("bob", "charlie"):
        assert client_for(cast[who]).get(path).status_code == 404, who
    dave_sees = client_for(cast["dave"]).get(path)
    assert dave_sees.status_code == 200 and "111 pmol/L" not in dave_sees.content.decode()


def test_an_unknown_test_is_404(client_for, alice):
    path = reverse("monitoring:lab_trend", args=["cholesterol"])
    assert client_for(alice).get(path).status_code == 404


def test_another_patients_result_cannot_be_corrected(cast, client_for):
    result = add(cast["alice"])
    path = reverse("monitoring:lab_edit", args=[result.pk])

    assert client_for(cast["alice"]).get(path).status_code == 200
    for who in ("bob", "charlie", "dave"):
        assert client_for(cast[who]).get(path).status_code == 404, who
        response = client_for(cast[who]).post(path, form_data(cast["alice"], value="999"))
        assert response.status_code == 404, who
    result.refresh_from_db()
    assert result.value == Decimal(150)


def test_the_nav_links_to_labs(client_for, alice):
    html = client_for(alice).get(reverse("home"), follow=True).content.decode()
    assert f'href="{reverse("monitoring:labs")}"' in html


# --- adding and correcting ---------------------------------------------------------------------


def test_a_result_added_shows_converted_and_banded(client_for, alice):
    client = client_for(alice)

    response = client.post(reverse("monitoring:lab_add"), form_data(alice), follow=True)

    assert response.redirect_chain[-1][0] == reverse("monitoring:lab_trend", args=["serum_b12"])
    result = LabResult.objects.get(patient=alice)
    assert result.canonical_value == Decimal("203.25") and result.entered_by == alice
    html = response.content.decode()
    assert "Saved: Serum B12 150 pmol/L (203 ng/L)." in html
    table = parse(html).find("table", cls="lab-trend")
    assert "203 ng/L" in table.text
    assert "NICE NG239 calls indeterminate" in table.text
    assert parse(html).find("circle", cls="lab-chart-dot") is not None


def test_the_unit_select_offers_the_chosen_tests_units(client_for, alice):
    html = client_for(alice).get(reverse("monitoring:lab_add"), {"test": "mma"}).content
    select = parse(html).by_id("id_unit")

    assert [o.attrs["value"] for o in select.find_all("option")] == ["umol/L", "nmol/L"]


def test_a_correction_is_saved_and_audited(client_for, alice):
    result = add(alice)
    path = reverse("monitoring:lab_edit", args=[result.pk])
    form = client_for(alice).get(path).content
    assert parse(form).by_id("id_value").attrs["value"] == "150"
    assert parse(form).by_id("id_taken_on").attrs["value"] == result.taken_on.isoformat()

    client_for(alice).post(path, form_data(alice, unit="pg/mL", taken_on=result.taken_on))

    result.refresh_from_db()
    assert (result.unit, result.canonical_value) == ("pg/mL", Decimal(150))
    event = AuditEvent.objects.get(action="lab_result.corrected")
    assert event.detail["changed"]["unit"] == ["pmol/L", "pg/mL"]


def test_a_b12_soon_after_an_injection_is_saved_with_a_warning(client_for, alice):
    from tests.clinic.helpers import log
    from tests.helpers import prescribe

    today = local_today(alice)
    rx = prescribe(alice, regimen="seed-maintenance", start=today - timedelta(days=20))
    log(rx, today - timedelta(days=8), today=today)

    response = client_for(alice).post(reverse("monitoring:lab_add"), form_data(alice), follow=True)

    assert LabResult.objects.filter(patient=alice).count() == 1
    assert "Taken 5 days after an injection: it reflects the injection" in response.content.decode()


# --- bad input --------------------------------------------------------------------------------


def refused(client, patient, field: str, **changes) -> list[str]:
    response = client.post(reverse("monitoring:lab_add"), form_data(patient, **changes))
    assert response.status_code == 200
    assert not LabResult.objects.exists()
    assert fields_with_errors(response.content) == {field}
    return field_errors(response.content, field)


BAD = {
    "unit of another test": (
        "unit",
        {"value": "250", "unit": "umol/L"},
        "µmol/L is not a unit for Serum B12: choose pg/mL, ng/L, pmol/L.",
    ),
    "implausibly high": ("value", {"value": "5000"}, "5000 pmol/L (6775 ng/L) is implausible"),
    "zero": ("value", {"value": "0"}, "Enter the result as a number above zero."),
    "negative": ("value", {"value": "-3"}, "Enter the result as a number above zero."),
    "absurd": ("value", {"value": "1e300"}, "That number is too long for a lab result."),
    "not a number": ("value", {"value": "lots"}, "Enter a number."),
    "before 1900": ("taken_on", {"taken_on": "1899-12-31"}, "Enter a sample date from 1900"),
    "range upside down": (
        "ref_high",
        {"ref_low": "700", "ref_high": "140"},
        "The top of the lab's range is below its bottom",
    ),
    "no test": ("test", {"test": ""}, "This field is required."),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_beside_its_field(client_for, alice, case):
    field, changes, message = BAD[case]

    [error] = refused(client_for(alice), alice, field, **changes)

    assert error.startswith(message)


def test_a_date_in_the_patients_future_is_refused(client_for, alice):
    tomorrow = (local_today(alice) + timedelta(days=1)).isoformat()

    [error] = refused(client_for(alice), alice, "taken_on", taken_on=tomorrow)

    assert error == "The sample date is in the future: enter the day it was taken."


def test_a_date_before_birth_is_refused(client_for, alice):
    alice.patient_profile.date_of_birth = date(1990, 1, 1)
    alice.patient_profile.save()

    [error] = refused(client_for(alice), alice, "taken_on", taken_on="1989-12-31")

    assert error == "The sample date is before your date of birth."


# --- queries -----------------------------------------------------------------------------------

# Session, user, and the results with their injection dates in one query.
LIST_QUERIES = 3
TREND_QUERIES = 3


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [("monitoring:labs", [], LIST_QUERIES), ("monitoring:lab_trend", ["serum_b12"], TREND_QUERIES)],
    ids=["list", "trend"],
)
def test_lab_pages_cost_the_same_queries_however_many_results(
    client_for, alice, django_assert_num_queries, count, name, args, expected
):
    from tests.clinic.helpers import log
    from tests.helpers import prescribe

    today = local_today(alice)
    rx = prescribe(alice, regimen="seed-maintenance", start=today - timedelta(days=200))
    for months in range(6):
        log(rx, rx.start_date + timedelta(days=30 * months), today=today)
    for n in range(count):
        add(alice, days_ago=n * 5, value=Decimal(100 + n))
        add(alice, days_ago=n * 5, test="folate", unit="ng/mL", value=Decimal(3 + n % 4))
    client = client_for(alice)

    with django_assert_num_queries(expected):
        response = client.get(reverse(name, args=args))

    assert response.status_code == 200
