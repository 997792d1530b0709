"""In Chromium: alice shares her record with charlie by his practice code, charlie accepts on
his invitations page and opens her record, and alice sees him among those who can see it and
among those who looked. Both pages pass axe."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in
from tests.e2e.test_reachability import small_targets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_patient_shares_by_code_and_the_clinician_accepts(
    page: Page, live_server, client, alice, charlie, axe_check
):
    code = charlie.clinician_profile.practice_code
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/accounts/care-team/")
    page.get_by_label("Clinician's email address or practice code").fill(code.lower())
    page.get_by_role("button", name="Ask to share my record").click()

    expect(
        page.get_by_text("If a clinician with that address or code uses b12tracker")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Waiting for an answer")).to_be_visible()
    expect(
        page.get_by_role("button", name="Withdraw my request to Dr Charlie Brown")
    ).to_be_visible()
    axe_check(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert small_targets(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})

    page.context.clear_cookies()
    sign_in(page, live_server, client, charlie)
    page.goto(live_server.url + "/clinic/invitations/")
    expect(page.locator(".practice-code")).to_have_text(code)
    page.get_by_role("button", name="Accept Alice Patel's record").click()
    expect(page.get_by_text("Alice Patel is now one of your patients")).to_be_visible()
    axe_check(page)
    assert small_targets(page) == []

    page.goto(live_server.url + "/clinic/")
    page.get_by_role("link", name="Alice Patel").click()
    expect(page.get_by_role("heading", name="Alice Patel", level=1)).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/accounts/care-team/")
    expect(
        page.get_by_role("button", name="Withdraw my request to Dr Charlie Brown")
    ).to_have_count(0)
    expect(page.get_by_role("link", name="Remove Dr Charlie Brown's access")).to_be_visible()
    reads = page.locator(".reads-table tbody tr")
    expect(reads.first).to_contain_text("Dr Charlie Brown")
    expect(reads.first).to_contain_text("Viewed your record")
    axe_check(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert small_targets(page) == []
