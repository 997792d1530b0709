"""An open-ended loading phase (every other day until a clinician ends it) lists the next
eight weeks on the schedule page, not a year of dates; a plain link shows the rest."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.htmltools import parse
from tests.schedules.helpers import START, create

pytestmark = pytest.mark.django_db
URL = reverse("schedules:schedule")


def dose_dates(page) -> list[str]:
    return [row.find(cls="dose-date").text for row in page.find_all("li", cls="dose-row")]


def test_open_ended_loading_lists_eight_weeks_and_links_to_the_rest(client_for, alice, clock):
    rx = create(alice, regimen="bnf-neuro", start=START, today=START)
    planned = rx.doses.exclude(status="cancelled").count()
    horizon = START + timedelta(weeks=8)  # Mon 3 Mar 2025
    shown = rx.doses.exclude(status="cancelled").filter(due__lte=horizon).count()
    client = client_for(alice)

    page = parse(client.get(URL).content)

    dates = dose_dates(page)
    assert len(dates) == shown == 29 and planned > 150
    assert dates[-1] == "Mon 3 Mar 2025"
    more = page.by_id("show-later")
    assert more is not None
    assert more.text == f"Show the {planned - shown} later doses"
    assert "ahead=all" in more.attrs["href"]

    everything = parse(client.get(URL + more.attrs["href"]).content)
    assert len(dose_dates(everything)) == planned
    assert everything.by_id("show-later") is None
    assert everything.by_id("show-fewer") is not None


def test_monthly_maintenance_still_lists_its_year_ahead(client_for, alice, clock):
    rx = create(alice, regimen="seed-maintenance", start=START, today=START)

    page = parse(client_for(alice).get(URL).content)

    assert len(dose_dates(page)) == rx.doses.exclude(status="cancelled").count()
    assert page.by_id("show-later") is None


def test_the_horizon_and_the_whole_list_cost_the_pinned_queries(
    client_for, alice, clock, django_assert_num_queries
):
    create(alice, regimen="bnf-neuro", start=START, today=START)
    client = client_for(alice)
    client.get(URL)  # the session is saved on the first request

    for query in ({}, {"ahead": "all"}):
        cache.clear()
        with django_assert_num_queries(7):  # as tests/schedules/test_page_queries.py pins
            assert client.get(URL, query).status_code == 200
