"""Leaving in Chromium: the patient goes from the profile to "Download everything", gets the
ZIP with their injections in it, then closes the account (a wrong password first, refused
beside the field), lands on the goodbye page signed out, and the clinician's patient page for
them answers 404. Both pages pass axe with 44 px targets."""

import csv
import io
import zipfile

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from accounts.models import User
from core.clock import local_today
from tests.clinic.helpers import log
from tests.conftest import PASSWORD
from tests.e2e.helpers import sign_in
from tests.e2e.test_reachability import small_targets
from tests.helpers import prescribe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_patient_downloads_everything_then_closes_the_account(
    page: Page, live_server, client, alice, bob, axe_check
):
    rx = prescribe(alice, regimen="seed-maintenance", start=local_today(alice))
    injection = log(rx, local_today(alice))
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/accounts/profile/")
    page.get_by_role("link", name="Download everything").click()
    expect(page.get_by_role("heading", name="Download everything")).to_be_visible()
    axe_check(page)
    assert small_targets(page) == []

    with page.expect_download() as info:
        page.get_by_role("button", name="Download the ZIP file").click()
    download = info.value
    assert download.suggested_filename.startswith("b12-everything-")
    with zipfile.ZipFile(download.path()) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("injections.csv").decode())))
        assert "fhir-bundle.json" in archive.namelist()
    assert [int(row["id"]) for row in rows] == [injection.pk]

    page.get_by_role("link", name="Close my account").click()
    expect(page.get_by_role("heading", name="Close my account")).to_be_visible()
    axe_check(page)
    assert small_targets(page) == []
    page.get_by_label("Your email address").fill("alice@example.com")
    page.get_by_label("Your password").fill("not-my-password-9")
    page.get_by_role("button", name="Close my account and delete my record").click()
    expect(page.locator("#error-summary")).to_contain_text("This is not your password.")
    assert User.objects.get(pk=alice.pk).closed_at is None

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Close my account and delete my record").click()
    expect(page.get_by_role("heading", name="Your account is closed")).to_be_visible()
    axe_check(page)
    assert User.objects.get(pk=alice.pk).closed_at is not None

    page.goto(live_server.url + "/accounts/profile/")
    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/accounts/profile/")
    clinician = Client()
    clinician.force_login(bob, backend="accounts.backends.ProfileBackend")
    assert clinician.get(f"/clinic/patients/{alice.pk}/").status_code == 404
