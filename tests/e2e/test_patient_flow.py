"""In Chromium: a new patient signs up, adds a bnf-no-neuro prescription, sees six loading
doses then maintenance, logs the first injection on a site picked on the body map, and sees
the next dose and a new suggested site. Also: too soon asks first, a missed dose shows the
banner, and the keyboard alone can log an injection."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from schedules import services
from schedules.models import Injection
from tests.conftest import PASSWORD
from tests.e2e.test_signup_flow import confirm_signup
from tests.helpers import standard_prescription

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


def london_today() -> date:
    return datetime.now(LONDON).date()


def bnf_start(today: date) -> date:
    """A start date whose first dose window holds today (Mon/Wed/Fri doses, one day grace)."""
    return today - timedelta(days=1) if today.weekday() == 5 else today


def log_in_as(page: Page, live_server, client, user) -> None:
    client.force_login(user, backend="accounts.backends.ProfileBackend")
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    page.context.add_cookies([{**cookie, "url": live_server.url}])


def seed(patient, *, regimen: str, start: date, given: list[date] = ()) -> None:
    today = london_today()
    rx = standard_prescription(patient, regimen=regimen, start=start, today=today)
    for day in given:
        services.injection_log(prescription=rx, actor=patient, given_on=day, today=today)


def test_new_patient_adds_a_prescription_and_logs_the_first_injection(
    page: Page, live_server, axe_check
):
    today = london_today()
    page.goto(f"{live_server.url}/accounts/signup/")
    page.locator("#id_email").fill("erin@example.com")
    page.locator("#id_display_name").fill("Erin Walsh")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    confirm_signup(page, live_server)

    page.get_by_role("link", name="Add your prescription").click()
    page.get_by_label("BNF, no nerve symptoms").check()
    page.get_by_role("button", name="Next: your medicine").click()
    page.get_by_label("Start date").fill(bnf_start(today).isoformat())
    page.get_by_label("Strength, in micrograms (mcg) per mL").fill("1000")
    # The htmx preview follows the fields: six loading dates, then maintenance.
    preview = page.locator("#preview")
    expect(preview.locator(".phase-boundary").first).to_contain_text("Loading (Mon, Wed, Fri)")
    expect(preview.locator(".phase-boundary").nth(1)).to_contain_text("Maintenance")
    assert preview.locator("li:not(.phase-boundary)").count() >= 8
    axe_check(page)
    page.get_by_role("button", name="Save prescription").click()
    expect(page.get_by_role("heading", name="Your prescription")).to_be_visible()

    page.goto(f"{live_server.url}/me/schedule/")
    rows = page.locator(".dose-list > li")
    labels = rows.evaluate_all("items => items.map(i => i.className)")
    first_boundary, second_boundary = [i for i, c in enumerate(labels) if "phase-boundary" in c][:2]
    assert second_boundary - first_boundary - 1 == 6
    expect(rows.nth(first_boundary)).to_contain_text("Repletion (loading)")
    expect(rows.nth(second_boundary)).to_contain_text("Maintenance")

    page.goto(live_server.url)
    expect(page.locator("#suggested-site")).to_contain_text("Left upper arm (deltoid)")
    page.get_by_role("link", name="Log with another date, site or details").click()
    page.locator('.body-map [data-site="thigh_right"]').click()
    expect(page.get_by_label("Right thigh (outer)")).to_be_checked()
    expect(page.locator('.body-map [data-site="thigh_right"]')).to_have_class(
        "site-region is-checked"
    )
    page.locator('.body-map [data-site="deltoid_left"]').click()
    expect(page.get_by_label("Left upper arm (deltoid)")).to_be_checked()
    axe_check(page)
    page.get_by_role("button", name="Save injection").click()

    expect(page.get_by_text("Injection logged:")).to_be_visible()
    expect(page.locator("#suggested-site")).to_contain_text("Right upper arm (deltoid)")
    expect(page.locator("#phase-progress")).to_have_text("Repletion (loading): dose 2 of 6")
    next_due = page.locator("#next-dose-date").inner_text()
    assert datetime.strptime(next_due, "%A %d %B %Y").date() > today
    injection = Injection.objects.get()
    assert (injection.site, injection.given_on) == ("deltoid_left", today)


def test_too_soon_injection_asks_for_confirmation(
    page: Page, live_server, client, alice, axe_check
):
    today = london_today()
    seed(alice, regimen="seed-maintenance", start=today, given=[today])
    log_in_as(page, live_server, client, alice)

    page.goto(f"{live_server.url}/me/log/")
    page.get_by_role("button", name="Save injection").click()

    alert = page.locator("#too-soon")
    expect(alert).to_contain_text("A second injection so soon?")
    expect(page.locator("#div_id_given_on .invalid-feedback")).to_contain_text("too close")
    axe_check(page)
    assert Injection.objects.count() == 1
    page.get_by_label("Yes, I really had this injection").check()
    page.get_by_role("button", name="Save injection").click()

    expect(page.get_by_text("recorded as an extra injection")).to_be_visible()
    assert Injection.objects.filter(extra=True).count() == 1


def test_missed_dose_shows_the_banner(page: Page, live_server, client, alice, axe_check):
    today = london_today()
    start = today - timedelta(days=40)
    seed(alice, regimen="seed-maintenance", start=start, given=[start])
    log_in_as(page, live_server, client, alice)

    page.goto(live_server.url)

    banner = page.locator("#banner-missed")
    expect(banner).to_contain_text("You missed the dose due on")
    expect(banner).to_contain_text("carry on with your next dose")
    expect(banner).to_contain_text("Do not have two injections to catch up")
    axe_check(page)


def press_tab_until(page: Page, script: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(script):
            return
    raise AssertionError(f"never reached: {script}")


def test_keyboard_alone_can_log_an_injection(page: Page, live_server, client, alice):
    today = london_today()
    seed(alice, regimen="seed-maintenance", start=today)
    log_in_as(page, live_server, client, alice)
    page.goto(live_server.url)

    press_tab_until(
        page,
        "document.activeElement.textContent.trim() === 'Log with another date, site or details'",
    )
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Log an injection")).to_be_visible()
    press_tab_until(page, "document.activeElement.name === 'site'")
    assert page.evaluate("document.activeElement.value") == "deltoid_left"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "deltoid_right"
    press_tab_until(page, "document.activeElement.textContent.trim() === 'Save injection'")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Injection logged:")).to_be_visible()
    injection = Injection.objects.get()
    assert (injection.site, injection.given_on) == ("deltoid_right", today)


def test_without_javascript_a_patient_can_preview_save_and_log(browser, live_server, client, alice):
    today = london_today()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 700})
    client.force_login(alice, backend="accounts.backends.ProfileBackend")
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    context.add_cookies([{**cookie, "url": live_server.url}])
    page = context.new_page()

    page.goto(f"{live_server.url}/me/prescription/new/")
    page.get_by_label("Monthly", exact=True).check()
    page.get_by_role("button", name="Next: your medicine").click()
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_role("button", name="Show my first dates").click()
    expect(page.locator("#preview .preview-list")).to_contain_text(today.strftime("%a %-d %b %Y"))
    page.get_by_role("button", name="Save prescription").click()
    expect(page.get_by_role("heading", name="Your prescription")).to_be_visible()

    page.goto(f"{live_server.url}/me/log/")
    page.get_by_label("Right thigh (outer)").check()
    page.get_by_role("button", name="Save injection").click()

    expect(page.get_by_text("Injection logged:")).to_be_visible()
    assert Injection.objects.get().site == "thigh_right"
    context.close()
