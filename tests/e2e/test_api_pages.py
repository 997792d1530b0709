"""The API's pages in Chromium: a patient makes a token, sees it once, calls the API with it,
revokes it on the page and the same call is refused; the reference page draws every
operation of the served schema with Swagger UI under the real Content-Security-Policy, with
no console errors, and passes axe."""

import pytest
from playwright.sync_api import Page, expect

from core.clock import local_today
from tests.e2e.helpers import sign_in
from tests.helpers import prescribe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Collects what the browser refuses under the page's policy, from before the first script.
WATCH_CSP = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__refused.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_a_patient_makes_a_token_uses_it_once_shown_and_revokes_it(
    page: Page, live_server, client, alice, axe_check
):
    prescribe(alice, regimen="bnf-neuro", start=local_today(alice))
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/accounts/api-tokens/")
    expect(page.locator("#no-tokens")).to_be_visible()
    page.get_by_label("What the token is for").fill("My spreadsheet")
    page.get_by_label("Read only", exact=True).check()
    page.get_by_role("button", name="Make the token").click()

    token = page.locator("#token-value").input_value()
    assert token.startswith("b12_")
    expect(page.get_by_text("only now")).to_be_visible()
    axe_check(page)

    doses = live_server.url + "/api/v1/me/doses/"
    called = page.request.get(doses, headers={"Authorization": f"Bearer {token}"})
    assert called.status == 200 and called.json()["count"] > 0

    page.goto(live_server.url + "/accounts/api-tokens/")
    assert token not in page.content()  # shown once only
    expect(page.locator("#token-list")).to_contain_text(token[:12])
    page.get_by_role("button", name="Revoke “My spreadsheet”").click()
    expect(page.locator("#token-list")).to_contain_text("Revoked")

    refused = page.request.get(doses, headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 401
    assert refused.headers["content-type"] == "application/problem+json"


def test_the_reference_draws_every_operation_under_the_real_policy(
    browser, live_server, client, alice
):
    context = browser.new_context(bypass_csp=False)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(WATCH_CSP)
        page.goto(live_server.url + "/api/docs/")
        schema = page.request.get(live_server.url + "/api/v1/schema/").json()
        operations = [
            (method.upper(), path)
            for path, methods in schema["paths"].items()
            for method in methods
        ]
        expect(page.locator(".opblock")).to_have_count(len(operations))
        for method, path in operations:
            block = page.locator(
                f'.opblock-summary:has(.opblock-summary-method:text-is("{method}"))'
            )
            expect(block.locator(f'[data-path="{path}"]')).to_have_count(1)
        refused = page.evaluate("window.__refused")
    finally:
        context.close()
    assert refused == [] and errors == []


def test_the_reference_passes_axe(page: Page, live_server, axe_check):
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    axe_check(page)
