"""In Chromium, as a clinician: bob opens alice's page (no prescription yet), imports a FHIR
MedicationRequest by pasting it, reviews the draft with its Not imported list, gives what it
did not say, starts the prescription and sees it on her page. Both pages pass axe."""

import json

import pytest
from playwright.sync_api import Page, expect

from core.clock import local_today
from tests.e2e.test_clinician import log_in_as_bob
from tests.interop.test_fhir_import_mapping import EHR_REQUEST

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_bob_imports_reviews_and_starts_alices_prescription(
    page: Page, live_server, alice, bob, axe_check
):
    resource = json.loads(json.dumps(EHR_REQUEST))
    start = local_today(alice).isoformat()
    resource["dosageInstruction"][1]["timing"]["repeat"]["boundsPeriod"]["start"] = start
    log_in_as_bob(page, live_server)
    page.goto(f"{live_server.url}/clinic/patients/{alice.pk}/")
    expect(page.get_by_text("No active prescription")).to_be_visible()

    page.get_by_role("link", name="Import a prescription (FHIR)").click()
    expect(page.get_by_role("heading", name="Import a prescription (FHIR)")).to_be_visible()
    axe_check(page)
    page.get_by_label("Or paste the JSON").fill(json.dumps(resource, indent=2))
    page.get_by_role("button", name="Read it into a draft").click()

    expect(page.get_by_role("heading", name="Review the imported prescription")).to_be_visible()
    not_imported = page.locator("#not-imported")
    expect(not_imported).to_contain_text("dispenseRequest")
    expect(not_imported).to_contain_text("additionalInstruction")
    expect(page.locator("#phases")).to_contain_text("Mon, Wed, Fri, 6 injections")
    expect(page.get_by_label("Dose per injection (mcg)")).to_have_value("1000")
    expect(page.get_by_label("Start date")).to_have_value(start)
    axe_check(page)

    page.get_by_label("Yes, for life").check()
    page.get_by_role("button", name="Start this prescription").click()

    expect(page.get_by_role("heading", name="Alice Patel", level=1)).to_be_visible()
    expect(page.get_by_text("The imported prescription has started.")).to_be_visible()
    expect(page.get_by_role("link", name="Amend the prescription")).to_be_visible()
    expect(page.get_by_text("No active prescription")).to_have_count(0)
