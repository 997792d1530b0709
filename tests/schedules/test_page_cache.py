"""The page cache never shows a stale page: every write to a plan or its injections makes a
new key, and a day's turn does too."""

from datetime import date

import pytest
from django.urls import reverse

from schedules import services
from schedules.selectors import history as history_selectors
from tests.helpers import noon
from tests.htmltools import parse
from tests.schedules.helpers import START, log

pytestmark = pytest.mark.django_db
HISTORY = reverse("schedules:history")


def dose_rows(client):
    page = parse(client.get(reverse("schedules:schedule")).content)
    return [li.text for li in page.find(cls="dose-list").find_all("li")]


def test_logging_an_injection_shows_at_once_on_every_cached_page(client_for, alice, alice_rx):
    client = client_for(alice)
    before = dose_rows(client)
    history = client.get(reverse("schedules:history")).content.decode()
    home = parse(client.get("/").content).by_id("next-dose-date").text
    assert "Due now" in before[1] and "No injections logged yet" in history
    assert home == "Monday 6 January 2025"

    log(alice_rx, START, site="thigh_left")

    assert "Taken" in dose_rows(client)[1]
    assert "Left thigh (outer)" in client.get(reverse("schedules:history")).content.decode()
    assert parse(client.get("/").content).by_id("next-dose-date").text == "Wednesday 8 January 2025"


def test_voiding_and_stopping_show_at_once(client_for, alice, alice_rx):
    client = client_for(alice)
    injection = log(alice_rx, START, site="thigh_left")
    assert "Taken" in dose_rows(client)[1]

    services.injection_void(injection=injection, actor=alice, reason="Not given", today=START)
    assert "Taken" not in dose_rows(client)[1]
    assert "Voided" in client.get(reverse("schedules:history")).content.decode()

    other = log(alice_rx, START, site="thigh_right")
    history = client.get(reverse("schedules:history")).content.decode()
    assert f"/me/history/{other.pk}/correct/" in history  # cached with its links

    services.prescription_stop(prescription=alice_rx, actor=alice, reason="Done", today=START)
    history = client.get(reverse("schedules:history")).content.decode()
    assert "From a prescription that was stopped" in history
    assert f"/me/history/{other.pk}/correct/" not in history
    assert "You have no active prescription" in client.get("/").content.decode()


def test_a_new_day_redraws_the_statuses(client_for, alice, alice_rx, clock):
    client = client_for(alice)
    assert "Due now" in dose_rows(client)[1]

    clock.move_to(noon(date(2025, 1, 8)))  # Monday's window (one day's grace) closed
    client = client_for(alice)  # the session of two days ago has expired

    assert "Missed" in dose_rows(client)[1]


def test_page_numbers_are_read_as_numbers_and_odd_ones_are_harmless(
    client_for, alice, alice_rx, monkeypatch
):
    monkeypatch.setattr(history_selectors, "PAGE_SIZE", 1)
    first = log(alice_rx, START, site="thigh_left")
    log(alice_rx, START, site="thigh_right", confirm=True)  # newer: page 1
    client = client_for(alice)

    for two in ("2", "000000002"):  # the same page, and the same cached fragment
        page = parse(client.get(HISTORY, {"page": two}).content)
        assert page.by_id(f"injection-{first.pk}") is not None
    for odd in ("\u00b2", "1e3", "-1", "9" * 40):
        assert client.get(HISTORY, {"page": odd}).status_code == 200
        assert client.get(HISTORY, {"entry": odd}).status_code == 200
