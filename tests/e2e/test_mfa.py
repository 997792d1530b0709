"""Two-factor sign-in in Chromium: a clinician is sent from the password straight to adding an
app, sets one up from the page (reading the key as a person would type it), keeps the recovery
codes, logs out and in again with password and code; a patient adds a passkey with Chromium's
virtual authenticator under the real Content-Security-Policy, logs out and confirms the next
sign-in with it. The pages pass axe."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from accounts.models import AuditEvent
from tests.conftest import PASSWORD
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH_CSP = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__refused.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def code_for(secret: str, *, ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed from the page (`ahead` steps on:
    a code once accepted is never accepted again)."""
    key = b32decode(secret.replace(" ", "").upper())
    return f"{totp(key, drift=ahead):06d}"


def log_in(page: Page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_a_clinician_sets_up_an_app_then_signs_in_with_password_and_code(
    page: Page, live_server, alice, bob, axe_check
):
    log_in(page, live_server, bob.email)
    expect(page.locator("#mfa-required")).to_contain_text(
        "Your role needs two-factor sign-in before you can see patients"
    )
    axe_check(page)
    page.goto(f"{live_server.url}/clinic/")
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()

    page.get_by_role("link", name="Add an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    axe_check(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill("000000" if code_for(secret) != "000000" else "1")
    page.get_by_role("button", name="Turn on the app").click()
    expect(page.locator("#error_1_id_code")).to_contain_text("That code is not right")
    page.wait_for_timeout(1100)  # a wrong code makes the next try wait a second

    page.get_by_label("Code from the app").fill(code_for(secret))
    page.get_by_role("button", name="Turn on the app").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    axe_check(page)
    page.get_by_role("link", name="I have kept them safe").click()
    expect(page.locator("#mfa-apps")).to_contain_text("Authenticator app")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").first.click()
    expect(page.get_by_role("heading", name="My patients")).to_be_visible()

    log_out(page)
    log_in(page, live_server, bob.email)
    expect(page.get_by_role("heading", name="One more step to sign in")).to_be_visible()
    axe_check(page)
    page.locator("#id_code").fill(code_for(secret, ahead=1))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="My patients")).to_be_visible()


@pytest.fixture
def passkeys_on_localhost(settings, live_server):
    """Browsers offer passkeys on http only at localhost, which the live server is."""
    assert live_server.url.startswith("http://localhost:")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


def virtual_authenticator(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def test_a_patient_adds_a_passkey_and_signs_in_with_it(
    browser: Browser, live_server, client, alice, passkeys_on_localhost
):
    context = browser.new_context(bypass_csp=False)
    try:
        context.add_init_script(WATCH_CSP)
        page = context.new_page()
        virtual_authenticator(page)
        sign_in(page, live_server, client, alice)

        page.goto(f"{live_server.url}/accounts/profile/")
        page.get_by_role("link", name="Two-factor sign-in").click()
        page.get_by_role("link", name="Add or remove passkeys").click()
        page.get_by_role("button", name="Add a passkey").click()
        # A first method comes with recovery codes.
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        page.get_by_role("link", name="I have kept them safe").click()
        expect(page.get_by_text("You have 1 passkey.")).to_be_visible()
        assert page.evaluate("window.__refused") == []
        added = AuditEvent.objects.filter(actor=alice, action="mfa.added")
        assert sorted(event.detail["method"] for event in added) == ["passkey", "recovery_codes"]

        log_out(page)
        log_in(page, live_server, alice.email)
        expect(page.get_by_role("heading", name="One more step to sign in")).to_be_visible()
        page.get_by_role("button", name="Use a passkey").click()
        expect(page.get_by_role("heading", name="Hello, Alice Patel")).to_be_visible()
        assert page.evaluate("window.__refused") == []
    finally:
        context.close()
