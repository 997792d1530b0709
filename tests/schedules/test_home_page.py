"""The patient home page: the next dose in large type, the phase progress, one-tap logging
and the banners for a dose due today, overdue or missed."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import CareLink
from schedules.models import Injection
from tests.helpers import noon
from tests.htmltools import parse
from tests.schedules.helpers import START, log

pytestmark = pytest.mark.django_db


def home(client_for, user):
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    return parse(response.content)


def text(page, element_id):
    element = page.by_id(element_id)
    return element.text if element is not None else None


def test_without_a_prescription_home_offers_to_add_one(client_for, alice, clock):
    page = home(client_for, alice)

    link = page.find("a", href=reverse("schedules:prescription_new"))
    assert link is not None and "Add your prescription" in link.text
    assert page.by_id("next-dose-date") is None


def test_first_dose_due_today_shows_date_dose_volume_site_and_progress(client_for, alice, alice_rx):
    page = home(client_for, alice)

    assert text(page, "next-dose-date") == "Monday 6 January 2025"
    assert "Today" in page.find(cls="next-dose-when").text
    assert "1000 mcg: draw up 1.00 mL" in page.find(cls="next-dose-facts").text
    assert text(page, "suggested-site").startswith("Left upper arm (deltoid) Not used yet")
    assert text(page, "phase-progress") == "Repletion (loading): dose 1 of 6"
    assert "Your injection is due today" in text(page, "banner-due")
    assert page.by_id("banner-missed") is None


def test_after_logging_the_next_dose_and_suggested_site_move_on(client_for, alice, alice_rx, clock):
    log(alice_rx, START, site="deltoid_left")
    clock.move_to(noon(date(2025, 1, 7)))

    page = home(client_for, alice)

    assert text(page, "next-dose-date") == "Wednesday 8 January 2025"
    assert "Tomorrow" in page.find(cls="next-dose-when").text
    assert text(page, "suggested-site").startswith("Right upper arm (deltoid)")
    assert text(page, "phase-progress") == "Repletion (loading): dose 2 of 6"
    assert "You can have your next injection from today" in text(page, "banner-open")


def test_overdue_dose_says_until_when_it_can_still_be_given(client_for, alice, alice_rx, clock):
    log(alice_rx, START)
    clock.move_to(noon(date(2025, 1, 9)))

    banner = text(home(client_for, alice), "banner-overdue")

    assert "It was due on Wednesday 8 January" in banner
    assert "until Thursday 9 January" in banner


def test_missed_dose_banner_says_carry_on_and_do_not_double_up(client_for, alice, alice_rx, clock):
    log(alice_rx, START)
    clock.move_to(noon(date(2025, 1, 10)))

    page = home(client_for, alice)

    banner = text(page, "banner-missed")
    assert "You missed the dose due on Wednesday 8 January" in banner
    assert "carry on with your next dose" in banner
    assert "Do not have two injections to catch up" in banner
    assert text(page, "next-dose-date") == "Friday 10 January 2025"
    # A counted phase still delivers its six doses: this is the second of them.
    assert text(page, "phase-progress") == "Repletion (loading): dose 2 of 6"


def test_missed_banner_goes_once_a_later_dose_is_logged(client_for, alice, alice_rx, clock):
    log(alice_rx, START)
    log(alice_rx, date(2025, 1, 10))
    clock.move_to(noon(date(2025, 1, 11)))

    assert home(client_for, alice).by_id("banner-missed") is None


def test_maintenance_progress_says_ongoing(client_for, alice, alice_rx, clock):
    for day in (6, 8, 10, 13, 15, 17):
        log(alice_rx, date(2025, 1, day))
    clock.move_to(noon(date(2025, 1, 20)))

    page = home(client_for, alice)

    assert text(page, "next-dose-date") == "Monday 17 March 2025"
    assert text(page, "phase-progress") == "Maintenance: ongoing, every 2–3 months"


def test_one_tap_logs_today_on_the_suggested_site(client_for, alice, alice_rx):
    client = client_for(alice)
    form = parse(client.get(reverse("home")).content).find(cls="one-tap")
    data = {e.attrs["name"]: e.attrs.get("value", "") for e in form.find_all("input")}

    response = client.post(form.attrs["action"], data, follow=True)

    injection = Injection.objects.get()
    assert (injection.given_on, injection.site, injection.dose_mcg) == (START, "deltoid_left", 1000)
    assert (
        "Injection logged: Monday 6 January, left upper arm (deltoid)." in response.content.decode()
    )
    assert text(parse(response.content), "next-dose-date") == "Wednesday 8 January 2025"


def test_missed_banner_is_a_warning_that_mentions_the_care_team_only_when_linked(
    client_for, alice, alice_rx, clock, request
):
    log(alice_rx, START)
    clock.move_to(noon(date(2025, 1, 10)))

    alone = home(client_for, alice).by_id("banner-missed")
    request.getfixturevalue("bob")  # an active care link
    linked = home(client_for, alice).by_id("banner-missed")

    assert "alert-warning" in alone.classes and "alert-danger" not in alone.classes
    assert "care team" not in alone.text
    assert "Your care team can see the missed dose." in linked.text


def test_missed_banner_stays_quiet_about_a_care_team_that_is_only_invited(
    client_for, alice, alice_rx, clock, charlie
):
    CareLink.objects.create(clinician=charlie, patient=alice, invited_email=alice.email)
    log(alice_rx, START)
    clock.move_to(noon(date(2025, 1, 10)))

    assert "care team" not in home(client_for, alice).by_id("banner-missed").text


@pytest.mark.parametrize(
    ("today", "one_tap"),
    [
        (date(2025, 1, 20), False),  # maintenance is due 17 March: weeks away
        (date(2025, 3, 10), True),  # its window opens a week early
        (date(2025, 3, 17), True),  # due today
        (date(2025, 3, 20), True),  # overdue, window still open
    ],
)
def test_one_tap_shows_only_while_the_next_dose_window_is_open(
    client_for, alice, alice_rx, clock, today, one_tap
):
    for day in (6, 8, 10, 13, 15, 17):
        log(alice_rx, date(2025, 1, day))
    clock.move_to(noon(today))

    page = home(client_for, alice)

    assert (page.find(cls="one-tap") is not None) is one_tap
    link = page.by_id("log-link")
    if one_tap:
        assert link is None
    else:
        assert link.text == "Log an injection"
        assert link.attrs["href"] == reverse("schedules:injection_log")
        assert "Log injection: today" not in page.text
