"""Lab results in Chromium: a patient reaches the page from the menu, adds a serum B12 of
150 pmol/L with the units the test allows, and sees it as 203 ng/L in the range NICE NG239 calls
indeterminate, charted with a table beside; the pages pass axe and fit a 320 px screen."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core.clock import local_today
from monitoring.labs.services import LabEntry, lab_result_record
from monitoring.models import LabResult
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_patient_adds_a_b12_and_sees_it_converted_banded_and_in_the_table(
    page: Page, live_server, client, alice, axe_check
):
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Labs", exact=True).first.click()
    expect(page.get_by_role("heading", name="Your lab results")).to_be_visible()
    page.get_by_role("link", name="Add a result").click()

    page.get_by_label("Test").select_option(label="Methylmalonic acid (MMA)")
    expect(page.get_by_label("Unit")).to_contain_text("µmol/L")
    page.get_by_label("Test").select_option(label="Serum B12")
    units = page.get_by_label("Unit").locator("option").all_inner_texts()
    assert units == ["pg/mL", "ng/L", "pmol/L"]
    page.get_by_label("Unit").select_option("pmol/L")
    page.get_by_label("Result, as printed on the report").fill("150")
    taken = local_today(alice) - timedelta(days=7)
    page.get_by_label("Date the blood sample was taken").fill(taken.isoformat())
    axe_check(page)
    page.get_by_role("button", name="Save result").click()

    expect(page.get_by_role("status")).to_contain_text("Serum B12 150 pmol/L (203 ng/L)")
    table = page.locator("table.lab-trend")
    expect(table).to_contain_text("150 pmol/L")
    expect(table).to_contain_text("203 ng/L")
    expect(table).to_contain_text("In the range NICE NG239 calls indeterminate")
    expect(page.locator("svg circle.lab-chart-dot")).to_have_count(1)
    axe_check(page)
    assert LabResult.objects.get(patient=alice).canonical_value == Decimal("203.25")


def test_a_unit_of_another_test_is_refused_beside_the_unit(
    page: Page, live_server, client, alice, axe_check
):
    """Without the script's help (a unit typed for another test, as a request could send), the
    page says why beside the unit and saves nothing."""
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/me/labs/add/?test=mma")
    page.get_by_label("Result, as printed on the report").fill("250")
    page.get_by_label("Date the blood sample was taken").fill(local_today(alice).isoformat())
    # Switch the test without letting the script swap the units.
    page.evaluate("document.getElementById('id_test').value = 'serum_b12'")
    page.get_by_role("button", name="Save result").click()

    expect(page.locator("#div_id_unit .invalid-feedback")).to_contain_text(
        "µmol/L is not a unit for Serum B12"
    )
    axe_check(page)
    assert not LabResult.objects.exists()


@pytest.mark.parametrize("path", ["/me/labs/", "/me/labs/serum_b12/", "/me/labs/add/"])
def test_lab_pages_with_results_pass_axe_fit_320_and_have_44_px_targets(
    page: Page, live_server, client, alice, axe_check, path
):
    from tests.e2e.test_patient_pages import fits_320
    from tests.e2e.test_reachability import small_targets

    today = local_today(alice)
    for days, value in ((200, "120"), (100, "260"), (10, "410")):
        entry = LabEntry(
            test="serum_b12",
            value=Decimal(value),
            unit="pmol/L",
            taken_on=today - timedelta(days=days),
            ref_low=Decimal(140),
            ref_high=Decimal(700),
            note="From the GP surgery",
        )
        lab_result_record(patient=alice, actor=alice, entry=entry)
    sign_in(page, live_server, client, alice)
    page.set_viewport_size({"width": 320, "height": 800})

    assert page.goto(live_server.url + path).status == 200
    axe_check(page)
    assert fits_320(page), path
    assert small_targets(page) == [], path
