"""In Chromium, as a clinician: bob logs in and sees alice at the top because she missed a
loading dose, opens her page, ends her open-ended loading phase and sees maintenance dates
appear; he resolves her flag from the inbox and exports the list. A refused flag action opens on
its note; a daily maintenance interval asks for confirmation beside the field. Every clinician
page passes axe without serious violations."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import app_of, pass_second_step

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in_as_bob(page: Page, live_server) -> None:
    """Password, then the code from his authenticator app."""
    from accounts.models import User

    app = app_of(User.objects.get(email="bob@example.com"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("bob@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    pass_second_step(page, app)


def test_bob_ends_alices_open_loading_and_sees_maintenance_dates(
    page: Page, live_server, ward, axe_check
):
    log_in_as_bob(page, live_server)

    expect(page.get_by_role("heading", name="My patients")).to_be_visible()
    first = page.locator("table.patients-table tbody tr").first
    expect(first).to_contain_text("Alice Patel")
    expect(first).to_contain_text("Missed loading dose")
    axe_check(page)

    first.get_by_role("link", name="Alice Patel").click()
    expect(page.get_by_role("heading", name="Alice Patel", level=1)).to_be_visible()
    upcoming = page.locator("#upcoming")
    expect(upcoming).not_to_contain_text("Maintenance")
    expect(page.locator("#adherence-chart")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="End loading and start maintenance").click()

    expect(page.get_by_text("maintenance doses are now planned")).to_be_visible()
    expect(upcoming).to_contain_text("Maintenance")
    expect(page.get_by_role("button", name="End loading and start maintenance")).to_have_count(0)
    axe_check(page)


def test_bob_resolves_a_flag_from_the_inbox_and_exports_the_list(
    page: Page, live_server, ward, axe_check
):
    log_in_as_bob(page, live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Flags").click()
    expect(page.get_by_role("heading", name="Flags inbox")).to_be_visible()
    axe_check(page)

    card = page.locator(".flag-card").filter(has_text="Alice Patel")
    card.get_by_text("Act on this flag").click()
    card.get_by_role("button", name="Resolve with this note").click()
    expect(page.get_by_role("alert")).to_contain_text("Say what was done")  # a note is needed
    axe_check(page)

    page.goto(f"{live_server.url}/clinic/flags/")
    card = page.locator(".flag-card").filter(has_text="Alice Patel")
    card.get_by_text("Act on this flag").click()
    card.get_by_label("What was done (needed to resolve)").fill("Rang her: back on track.")
    card.get_by_role("button", name="Resolve with this note").click()
    expect(page.get_by_text("Flag resolved.")).to_be_visible()
    expect(page.locator(".flag-card").filter(has_text="Alice Patel")).to_have_count(0)

    page.goto(f"{live_server.url}/clinic/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these patients as CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert text.splitlines()[0].startswith("Patient,Email,Regimen")
    assert "Alice Patel" in text and "Aaron Adams" in text


@pytest.mark.parametrize("path", ["report/", "prescription/edit/"])
def test_the_report_and_the_amend_form_pass_axe(page: Page, live_server, ward, axe_check, path):
    log_in_as_bob(page, live_server)

    page.goto(f"{live_server.url}/clinic/patients/{ward.patient_id}/{path}")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)


def test_bad_input_on_the_patient_page_is_shown_and_passes_axe(
    page: Page, live_server, ward, axe_check
):
    log_in_as_bob(page, live_server)
    page.goto(f"{live_server.url}/clinic/patients/{ward.patient_id}/")

    page.locator("#close_closed_on").fill("2000-01-01")
    page.get_by_role("button", name="End loading and start maintenance").click()

    expect(page.locator("#action-error")).to_contain_text("before the prescription started")
    axe_check(page)


def test_the_patients_page_fits_a_320_pixel_screen(page: Page, live_server, ward):
    page.set_viewport_size({"width": 320, "height": 640})
    log_in_as_bob(page, live_server)

    expect(page.get_by_role("heading", name="My patients")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_resolving_without_a_note_opens_the_flag_on_its_error(
    page: Page, live_server, ward, axe_check
):
    log_in_as_bob(page, live_server)
    page.goto(f"{live_server.url}/clinic/patients/{ward.patient_id}/")
    card = page.locator(".flag-card").filter(has_text="Missed dose in a loading phase")
    card.get_by_text("Act on this flag").click()

    card.get_by_role("button", name="Resolve with this note").click()

    card = page.locator(".flag-card").filter(has_text="Missed dose in a loading phase")
    expect(card.locator("details.flag-actions")).to_have_attribute("open", "")
    note = card.get_by_label("What was done (needed to resolve)")
    expect(note).to_be_visible()
    expect(note).to_be_focused()
    expect(note).to_have_attribute("aria-invalid", "true")
    error = card.locator(".invalid-feedback")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Say what was done before resolving the flag.")
    axe_check(page)


def test_a_daily_maintenance_interval_asks_for_confirmation_beside_the_field(
    page: Page, live_server, ward, axe_check
):
    log_in_as_bob(page, live_server)
    page.goto(f"{live_server.url}/clinic/patients/{ward.patient_id}/")

    page.locator("#interval_every").fill("1")
    page.locator("#interval_unit").select_option("day")
    page.get_by_role("button", name="Change the interval").click()

    expect(page.locator("#interval_every")).to_have_attribute("aria-invalid", "true")
    beside = page.locator("#error_1_interval_every")  # the field's own message
    expect(beside).to_be_visible()
    expect(beside).to_contain_text("Daily means 365 injections a year.")
    expect(beside).to_contain_text("between monthly and every 3 months")
    confirm = page.get_by_label("Yes, I mean this interval")
    expect(confirm).not_to_be_checked()
    axe_check(page)

    confirm.check()
    page.get_by_role("button", name="Change the interval").click()

    expect(page.get_by_text("Maintenance is now daily, from today on.")).to_be_visible()
