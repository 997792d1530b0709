"""Changing the email address in Chromium: a session whose password check is old goes through
"Confirm it's you" first; the link sent to the new address switches it when opened."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.reauth import AUTHENTICATED_AT
from reminders import tasks
from tests.conftest import PASSWORD
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW = "alice.new@example.org"


def age_password_check(client, minutes: int) -> None:
    """Move the session's last password check into the past, as time passing would."""
    session = client.session
    session[AUTHENTICATED_AT] -= minutes * 60
    session.save()


def test_a_patient_confirms_it_is_her_and_changes_her_address(
    page: Page, live_server, client, alice, axe_check
):
    sign_in(page, live_server, client, alice)
    age_password_check(client, 30)

    page.goto(live_server.url + "/accounts/profile/")
    page.get_by_role("link", name="Change your email address").click()
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    axe_check(page)
    page.get_by_label("Password").fill("not my password at all")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#error_1_id_password, .invalid-feedback").first).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Change your email address")).to_be_visible()
    axe_check(page)
    page.get_by_label("New email address").fill(NEW)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your new inbox")).to_be_visible()

    tasks.dispatch_notifications()
    (message,) = [m for m in mail.outbox if m.to == [NEW]]
    path = re.search(r"(/accounts/email/confirm/\S+)", message.body)
    assert path
    page.goto(live_server.url + path.group(1))
    page.get_by_role("button", name="Use this address").click()
    expect(page.get_by_text(f"Your email address is now {NEW}")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {NEW}")).to_be_visible()
