"""The schedule page: a month calendar and the list of every dose, with statuses, a legend,
phase boundaries and each dose's window."""

from datetime import date

import pytest
from django.urls import reverse

from tests.helpers import noon, standard_prescription
from tests.htmltools import parse
from tests.schedules.helpers import START, log
from tests.schedules.history import give_history

pytestmark = pytest.mark.django_db
URL = reverse("schedules:schedule")


def rows(page):
    return [row.text for row in page.find(cls="dose-list").find_all("li")]


def test_list_shows_six_loading_doses_then_maintenance_with_windows(client_for, alice, alice_rx):
    page = parse(client_for(alice).get(URL).content)

    assert page.by_id("dose-list").text == "Every dose"  # younger than three months: all of it

    lines = rows(page)
    assert lines[0].startswith("Repletion (loading) : Mon, Wed, Fri, 6 injections")
    assert [line.split(" 2025")[0] for line in lines[1:7]] == [
        "Mon 6 Jan",
        "Wed 8 Jan",
        "Fri 10 Jan",
        "Mon 13 Jan",
        "Wed 15 Jan",
        "Fri 17 Jan",
    ]
    assert lines[7].startswith("Maintenance : every 2–3 months, ongoing")
    assert lines[8].startswith("Mon 17 Mar 2025")
    assert "window 10 Mar to 24 Apr 2025" in lines[8]


def test_statuses_follow_what_was_logged_and_today(client_for, alice, alice_rx, clock):
    log(alice_rx, START, site="thigh_left")
    log(alice_rx, START, confirm=True)  # a second one the same day: extra
    clock.move_to(noon(date(2025, 1, 10)))

    lines = rows(parse(client_for(alice).get(URL).content))

    assert "Taken" in lines[1] and "given 6 Jan 2025, left thigh (outer)" in lines[1]
    assert "Extra" in lines[2] and "not counted as a dose" in lines[2]
    assert "Missed" in lines[3] and lines[3].startswith("Wed 8 Jan")
    assert "Due now" in lines[4] and lines[4].startswith("Fri 10 Jan")
    assert "Coming up" in lines[5]


def test_legend_names_every_status(client_for, alice, alice_rx):
    legend = parse(client_for(alice).get(URL).content).find(cls="legend").text

    for word in ("Taken", "Due now", "Missed", "Coming up", "Extra", "A new phase starts"):
        assert word in legend


def test_calendar_marks_the_doses_of_the_month_asked_for(client_for, alice, alice_rx):
    page = parse(client_for(alice).get(URL, {"month": "2025-03"}).content)

    assert page.by_id("month-heading").text == "March 2025"
    marked = {
        cell.find(cls="day-number").text
        for cell in page.by_id("calendar").find_all("td")
        if cell.find(cls="dose-mark")
    }
    assert marked == {"17"}
    cell = next(c for c in page.by_id("calendar").find_all("td", cls="phase-start"))
    assert "Maintenance starts" in cell.text


def test_calendar_defaults_to_this_month_and_ignores_a_bad_month(client_for, alice, alice_rx):
    client = client_for(alice)

    for query in ({}, {"month": "2025-13"}, {"month": "rubbish"}, {"month": "0-1"}):
        page = parse(client.get(URL, query).content)
        assert page.by_id("month-heading").text == "January 2025"
    today = parse(client.get(URL).content).find("td", cls="is-today")
    assert today.find(cls="day-number").text == "6"


def test_injection_outside_every_dose_window_is_listed_and_marked_as_extra(
    client_for, alice, clock
):
    rx = standard_prescription(
        alice,
        regimen="seed-maintenance",
        start=START,
    )
    log(rx, START)
    log(rx, date(2025, 1, 22), site="thigh_right")  # between the windows of 6 Jan and 6 Feb
    clock.move_to(noon(date(2025, 1, 22)))

    page = parse(client_for(alice).get(URL).content)

    lines = rows(page)
    stray = next(line for line in lines if line.startswith("Wed 22 Jan 2025"))
    assert "Extra" in stray and "not counted as a dose" in stray and "right thigh" in stray
    cell = next(
        c
        for c in page.by_id("calendar").find_all("td")
        if c.find(cls="day-number") is not None and c.find(cls="day-number").text == "22"
    )
    assert cell.find(cls="status-extra") is not None
    assert "extra 1" in page.find("p", cls="small").text.lower()


def test_a_daily_dose_window_reads_on_that_day_only(client_for, alice, clock):
    standard_prescription(
        alice,
        regimen="afp-daily-weekly-monthly",
        start=START,
    )

    lines = rows(parse(client_for(alice).get(URL).content))

    assert "on 6 Jan only" in lines[1]
    assert "window 6 Jan to 6 Jan" not in " ".join(lines)
    weekly = next(line for line in lines if line.startswith("Sun 19 Jan"))
    assert "window 16 Jan to 22 Jan 2025" in weekly


# --- a long history: the list opens three months back ------------------------------------------


def test_a_long_history_lists_the_last_three_months_and_what_is_ahead(client_for, alice, clock):
    rx = give_history(alice, days=2 * 365, regimen="seed-maintenance", today=START)
    client = client_for(alice)

    page = parse(client.get(URL).content)

    since = date(2024, 10, 6)  # 92 days before today
    assert page.by_id("dose-list").text == "Doses from 6 Oct 2024"
    lines = rows(page)
    assert lines[0].startswith("Maintenance : monthly, ongoing")
    assert "Continues from before 6 Oct 2024" in lines[0]
    live = rx.doses.exclude(status="cancelled").order_by("due")
    first = live.filter(due__gte=since).first()
    assert lines[1].startswith(f"{first.due:%a} {first.due.day} {first.due:%b %Y}")
    assert len(lines) - 1 == live.filter(due__gte=since).count()
    earlier = live.filter(due__lt=since).count()
    assert earlier > 20
    links = [a.text for a in page.find_all("a") if a.text.startswith("Show every dose")]
    assert links == [f"Show every dose since the start ({earlier} earlier doses)"]
    # The counts are over the whole plan, not only the doses listed.
    counts = next(p.text for p in page.find_all("p") if p.text.startswith("Each dose has a window"))
    taken = rx.doses.filter(injection__isnull=False).count()
    assert f"taken {taken}," in counts


def test_every_dose_is_listed_on_request_and_the_calendar_reaches_any_month(
    client_for, alice, clock
):
    rx = give_history(alice, days=2 * 365, regimen="seed-maintenance", today=START)
    client = client_for(alice)

    page = parse(client.get(URL, {"list": "all"}).content)

    assert page.by_id("dose-list").text == "Every dose"
    live = rx.doses.exclude(status="cancelled").count()
    assert len([line for line in rows(page) if "Maintenance :" not in line]) == live
    links = [a.text for a in page.find_all("a")]
    assert "Show only the last three months and what is ahead" in links
    old = parse(client.get(URL, {"month": "2023-05"}).content)
    marked = [c for c in old.by_id("calendar").find_all("td") if c.find(cls="dose-mark")]
    assert len(marked) == 1  # the May 2023 dose, far before the list's window
