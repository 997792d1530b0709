"""Ampoule stock in Chromium at a phone's width (390 px): a patient reaches the page from the
home page, adds a batch and reads how long it lasts; a past use-by date is refused beside its
field with nothing saved; the page passes axe and fits the screen."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from core.clock import local_today
from reminders.models import StockBatch
from tests.e2e.helpers import sign_in
from tests.helpers import prescribe
from tests.reminders.test_stock_helpers import WEEKLY

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_patient_adds_a_batch_at_390_px_and_sees_how_long_it_lasts(
    page: Page, live_server, client, alice, axe_check
):
    today = local_today(alice)
    prescribe(alice, start=today, phases=WEEKLY)
    sign_in(page, live_server, client, alice)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Your ampoules").click()
    expect(page.get_by_role("heading", name="Your ampoules", level=1)).to_be_visible()
    expect(page.locator("#forecast")).to_contain_text("No ampoules recorded yet")
    axe_check(page)

    page.get_by_label("Ampoules received").fill("4")
    page.get_by_label("Strength (mcg per mL)").fill("1000")
    page.get_by_label("Use by").fill((today + timedelta(days=300)).isoformat())
    page.get_by_label("Lot or batch number").fill("HX-42")
    page.get_by_role("button", name="Add batch").click()

    expect(page.get_by_role("status")).to_contain_text("Added 4 ampoules")
    expect(page.locator("#forecast-sentence")).to_have_text(
        f"Your ampoules last until your injection on {day(today + timedelta(weeks=3))}: "
        f"4 doses. Get more before {day(today + timedelta(weeks=4))}."
    )
    expect(page.locator("#stock-batches")).to_contain_text("4 of 4")
    expect(page.locator("#stock-ledger")).to_contain_text("Received")
    axe_check(page)
    assert fits(page)


def test_a_past_use_by_date_is_refused_beside_the_field(
    page: Page, live_server, client, alice, axe_check
):
    today = local_today(alice)
    prescribe(alice, start=today, phases=WEEKLY)
    sign_in(page, live_server, client, alice)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/me/stock/")
    page.get_by_label("Ampoules received").fill("4")
    page.get_by_label("Strength (mcg per mL)").fill("1000")
    page.get_by_label("Use by").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Add batch").click()

    expect(page.locator("#div_id_expiry .invalid-feedback")).to_contain_text("has passed")
    expect(page.locator("#error-summary")).to_contain_text("Nothing was saved")
    axe_check(page)
    assert fits(page)
    assert not StockBatch.objects.exists()
