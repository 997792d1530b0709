"""Long unbroken text never widens a page: in Chromium, notes of 100,000 letters without a
space (on injections, the prescription and a flag) wrap inside their own column, so the
document is no wider than the window on a phone or a desktop."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page

from core.clock import local_today
from monitoring.models import Flag
from schedules import services
from schedules.models import Injection, Prescription
from tests.clinic.helpers import log, settle
from tests.e2e.helpers import sign_in
from tests.helpers import prescribe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORD = "B12" * 33_334  # 100,002 letters, no space


@pytest.fixture
def long_notes(alice, bob):
    """alice on bnf-neuro with a missed dose (so bob has a flag to read); her injection notes,
    prescription notes and monitoring plan, and the flag's note, each one unbroken word."""
    today = local_today(alice)
    rx = prescribe(alice, regimen="bnf-neuro", start=today - timedelta(days=12))
    for ago in (12, 10, 6, 4, 2):
        log(rx, today - timedelta(days=ago))
    settle(rx, today)
    Injection.objects.filter(prescription=rx).update(notes=WORD)
    Prescription.objects.filter(pk=rx.pk).update(notes=WORD, monitoring_plan=WORD)
    assert Flag.objects.filter(patient=alice).update(note=WORD)
    return rx


def overflow(page: Page, live_server, paths: list[str]) -> dict[str, int]:
    """Each page whose document is wider than the window, with its width."""
    wide = {}
    for path in paths:
        assert page.goto(live_server.url + path).status == 200, path
        assert page.get_by_text(WORD[:30], exact=False).count() >= 1, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.viewport_size["width"]:
            wide[path] = width
    return wide


@pytest.mark.parametrize("width", [375, 1280])
def test_long_notes_wrap_on_the_patient_pages(
    page: Page, live_server, client, alice, long_notes, width
):
    sign_in(page, live_server, client, alice)
    page.set_viewport_size({"width": width, "height": 800})

    wide = overflow(page, live_server, ["/me/history/", "/me/prescription/", "/me/record/"])

    assert wide == {}


@pytest.mark.parametrize("width", [375, 1280])
def test_a_long_flag_note_wraps_on_the_clinician_pages(
    page: Page, live_server, client, bob, long_notes, width
):
    sign_in(page, live_server, client, bob)
    page.set_viewport_size({"width": width, "height": 800})
    patient = long_notes.patient_id

    wide = overflow(page, live_server, ["/clinic/flags/", f"/clinic/patients/{patient}/"])

    assert wide == {}


@pytest.mark.parametrize("width", [375, 1280])
def test_corrected_and_voided_entries_on_the_history_page_pass_axe(
    page: Page, live_server, client, alice, width, axe_check
):
    """Their grey cards hold links ('see the original'), which must keep 4.5:1 there."""
    today = local_today(alice)
    rx = prescribe(alice, regimen="bnf-neuro", start=today - timedelta(days=12))
    _first, second, third = (log(rx, today - timedelta(days=ago)) for ago in (12, 10, 6))
    services.injection_correct(
        injection=second, actor=alice, reason="Wrong site", site="deltoid_right", today=today
    )
    services.injection_void(injection=third, actor=alice, reason="Logged twice", today=today)
    sign_in(page, live_server, client, alice)
    page.set_viewport_size({"width": width, "height": 800})

    page.goto(live_server.url + "/me/history/")

    assert page.locator(".injection-corrected a").count() == 1
    assert page.locator(".injection-corrected, .injection-voided").count() == 2
    axe_check(page)
