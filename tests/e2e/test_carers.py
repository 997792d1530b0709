"""In Chromium: a patient invites a carer who may log, the carer accepts from the emailed link
and logs an injection for the patient; the carer pages pass axe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from core.clock import local_today
from schedules.models import Injection
from tests.e2e.helpers import sign_in
from tests.helpers import prescribe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_patient_invites_a_carer_who_accepts_and_logs(
    page: Page, live_server, client, alice, make_patient, axe_check
):
    prescribe(alice, start=local_today(alice))
    erin = make_patient("erin@example.com", "Erin Walsh")

    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/accounts/profile/")
    page.get_by_role("link", name="Your carers: who helps with your injections").click()
    expect(page.get_by_role("heading", name="Your carers")).to_be_visible()
    page.get_by_label("Their email address").fill(erin.email)
    page.get_by_label("Log injections for me").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to erin@example.com.")).to_be_visible()
    axe_check(page)

    match = re.search(r"https?://[^/\s]+(/care/invitation/\S+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    page.context.clear_cookies()
    sign_in(page, live_server, client, erin)
    page.goto(live_server.url + match.group(1))
    axe_check(page)
    page.get_by_role("button", name="Accept and care for Alice Patel").click()
    expect(page.get_by_role("heading", name="People you care for")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Log an injection for Alice Patel").click()
    expect(page.get_by_role("heading", name="Log an injection for Alice Patel")).to_be_visible()
    page.get_by_role("button", name="Save injection").click()
    expect(page.get_by_role("heading", name="Alice Patel's schedule")).to_be_visible()
    expect(page.get_by_text("Injection logged for Alice Patel")).to_be_visible()
    axe_check(page)
    injection = Injection.objects.get()
    assert (injection.patient, injection.logged_by, injection.given_by) == (alice, erin, "carer")
