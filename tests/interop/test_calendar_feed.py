"""The calendar feed as a calendar client reads it: one all-day event per planned dose, date
for date; a late injection moves the later events and raises their SEQUENCE, as a dose given
or missed raises its own; cancelled doses say so; plain wording by default; alarms when
chosen; 404 for any token but the current one; 304 when nothing changed; a fixed number of
queries."""

from datetime import date, time

import pytest
import time_machine
from icalendar import Calendar

from accounts.services import patient_reminder_time_update
from interop import services as feed_services
from schedules import services
from tests.helpers import noon
from tests.schedules.helpers import create, live_dues, log

from .helpers import fetch, live_days, one_day, parse, read, subscribe

START = date(2025, 1, 31)  # seed-maintenance: 01-31, 02-28, 03-31, 04-30 … (month-end clamp)
LATE = date(2025, 3, 3)  # the 02-28 dose given on 03-03: the rest becomes 04-03, 05-03 …

PRIVATE = ("b12", "cobalamin", "mcg", "ml")

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(noon(START), tick=False) as traveller:
        yield traveller


@pytest.fixture
def maintenance(alice, clock):
    return create(alice, regimen="seed-maintenance", start=START, today=START)


def by_day(seen):
    return {event.day: event for event in seen.values() if event.status != "CANCELLED"}


def test_the_feed_matches_the_planned_doses_date_for_date(alice, maintenance):
    token = subscribe(alice)

    seen = read(token)

    assert live_days(seen) == live_dues(maintenance)
    assert len(seen) == len(live_dues(maintenance)) >= 13  # twelve months ahead
    assert date(2025, 2, 28) in by_day(seen)  # clamped to the month's end, not skipped
    assert all(one_day(event) and event.status == "CONFIRMED" for event in seen.values())
    assert all(event.sequence == 0 for event in seen.values())
    first = by_day(seen)[START]
    assert "Fri 31 Jan 2025" in first.description and "Fri 7 Feb 2025" in first.description


def test_all_day_events_have_no_recurrence_rule(alice, maintenance):
    body = fetch(subscribe(alice)).content.decode()

    assert "DTSTART;VALUE=DATE:20250131" in body
    assert "RRULE" not in body
    assert "METHOD:PUBLISH" in body and "PRODID:" in body and "X-WR-CALNAME:" in body


def test_a_late_injection_moves_the_later_events_and_raises_their_sequence(
    alice, maintenance, clock
):
    token = subscribe(alice)
    before = read(token)
    third = by_day(before)[date(2025, 3, 31)]
    log(maintenance, START)

    clock.move_to(noon(LATE))
    log(maintenance, LATE)  # the 02-28 dose, given three days late

    after = read(token)
    assert live_days(after) == live_dues(maintenance)
    moved = after[third.uid]
    assert (moved.day, moved.sequence, moved.status) == (date(2025, 4, 3), 1, "CONFIRMED")
    assert by_day(after)[date(2025, 5, 3)].sequence == 1
    # The doses given keep their dates and read as done, their SEQUENCE raised once.
    given = by_day(after)[date(2025, 2, 28)]
    assert (given.summary, given.sequence) == ("Injection (done)", 1)
    assert "Given on Mon 3 Mar 2025" in given.description
    # Nothing stays behind on the dates the doses left.
    assert date(2025, 3, 31) not in {event.day for event in after.values()}


def test_stopping_the_prescription_cancels_the_events_to_come(alice, maintenance, clock):
    token = subscribe(alice)
    log(maintenance, START)
    clock.move_to(noon(date(2025, 2, 10)))

    services.prescription_stop(
        prescription=maintenance, actor=alice, reason="Moved clinic", today=date(2025, 2, 10)
    )

    seen = read(token)
    cancelled = [event for event in seen.values() if event.status == "CANCELLED"]
    stopped = maintenance.doses.filter(status="cancelled").values_list("due", flat=True)
    assert sorted(event.day for event in cancelled) == sorted(stopped)
    assert len(cancelled) >= 12
    assert cancelled and all(event.sequence == 1 for event in cancelled)
    assert by_day(seen)[START].summary == "Injection (done)"


def test_plain_events_say_only_injection_and_detailed_ones_say_more(alice, maintenance):
    token = subscribe(alice)
    plain = read(token)
    assert {event.summary for event in plain.values()} == {"Injection"}
    # What a person sharing the calendar reads: its name, each title and each note.
    shown = [str(Calendar.from_ical(fetch(token).content)["X-WR-CALNAME"])]
    shown += [event.summary + event.description for event in plain.values()]
    assert not [text for text in shown if any(word in text.lower() for word in PRIVATE)]

    feed_services.feed_settings_update(patient=alice, detail_level="detailed", alarm=False)

    detailed = read(token)
    assert {event.summary for event in detailed.values()} == {
        "B12 injection: Hydroxocobalamin 1000 mcg (1.00 mL)"
    }


def test_an_alarm_at_the_reminder_time_when_chosen(alice, maintenance):
    token = subscribe(alice, alarm=True)
    patient_reminder_time_update(user=alice, reminder_time=time(7, 30))

    seen = read(token)

    for event in seen.values():
        assert len(event.alarms) == 1
        alarm = event.alarms[0]
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER").total_seconds() == 7.5 * 3600
    feed_services.feed_settings_update(patient=alice, detail_level="plain", alarm=False)
    assert not any(event.alarms for event in read(token).values())


def test_no_alarm_on_a_dose_already_given(alice, maintenance):
    token = subscribe(alice, alarm=True)
    log(maintenance, START)

    seen = by_day(read(token))

    assert not seen[START].alarms
    assert seen[date(2025, 2, 28)].alarms


def test_wrong_revoked_and_replaced_tokens_get_404(alice, maintenance):
    token = subscribe(alice)
    assert fetch(token + "x").status_code == 404
    assert fetch("not-a-token").status_code == 404

    _, new = feed_services.feed_rotate(patient=alice)
    assert fetch(token).status_code == 404
    assert fetch(new).status_code == 200

    feed_services.feed_revoke(patient=alice)
    assert fetch(new).status_code == 404


def test_an_unchanged_feed_answers_304_and_a_change_gives_a_new_etag(alice, maintenance, clock):
    token = subscribe(alice)
    first = fetch(token)
    assert first["Cache-Control"] == "private, no-cache"
    etag, modified = first["ETag"], first["Last-Modified"]

    again = fetch(token, if_none_match=etag)
    assert again.status_code == 304 and not again.content
    assert fetch(token, if_modified_since=modified).status_code == 304

    clock.move_to(noon(date(2025, 2, 1)))
    log(maintenance, START)

    changed = fetch(token, if_none_match=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert parse(changed.content)


def test_the_feed_costs_the_same_queries_for_one_and_twelve_months(
    alice, dave, django_assert_num_queries
):
    # A month of doses (a course stopped after a month) and a year of every-other-day ones.
    with time_machine.travel(noon(START), tick=False) as clock:
        short = create(alice, regimen="seed-maintenance", start=START, today=START)
        create(dave, regimen="bnf-neuro", start=START, today=START)
        clock.move_to(noon(date(2025, 3, 1)))
        services.prescription_stop(
            prescription=short, actor=alice, reason="Done", today=date(2025, 3, 1)
        )
        tokens = {"short": subscribe(alice), "long": subscribe(dave)}
        sizes = {}
        for name, token in tokens.items():
            # The feed and its patient; the doses; the published states.
            with django_assert_num_queries(3):
                response = fetch(token)
            sizes[name] = len(parse(response.content))
            with django_assert_num_queries(1):  # revalidation reads the feed alone
                assert fetch(token, if_none_match=response["ETag"]).status_code == 304
            with django_assert_num_queries(1):  # the text made for this ETag is kept
                assert fetch(token).content == response.content
    assert sizes["short"] <= 3 and sizes["long"] > 150


def test_doses_a_closed_phase_drops_are_cancelled_and_the_next_phase_appears(alice, bob):
    """bnf-neuro: every other day until closed; closed after the 01-20 dose, maintenance
    follows every two months (03-20, 05-20 …)."""
    start = date(2025, 1, 6)
    with time_machine.travel(noon(date(2025, 1, 20)), tick=False):
        rx = create(alice, regimen="bnf-neuro", start=start, today=start)
        token = subscribe(alice)
        before = read(token)
        loading = rx.phases.get(order=min(rx.phases.values_list("order", flat=True)))

        services.phase_close(phase=loading, actor=bob, closed_on=date(2025, 1, 20))

        after = read(token)
    assert live_days(after) == live_dues(rx)
    dropped = [event for event in after.values() if event.status == "CANCELLED"]
    assert dropped and all(event.uid in before and event.sequence == 1 for event in dropped)
    assert min(event.day for event in dropped) == date(2025, 1, 22)
    assert date(2025, 3, 20) in by_day(after) and date(2025, 3, 20) not in by_day(before)


def test_a_dose_given_or_missed_raises_its_sequence_once(alice, maintenance, clock):
    from django.utils import timezone

    from schedules.services.sweeps import sweep_missed_doses

    token = subscribe(alice, alarm=True)
    first, second = sorted(by_day(read(token)).values(), key=lambda event: event.day)[:2]
    log(maintenance, START)

    given = read(token)[first.uid]
    assert (given.summary, given.sequence, given.alarms) == ("Injection (done)", 1, [])

    after_window = date(2025, 3, 8)  # the 02-28 dose's window has closed, nothing logged
    clock.move_to(noon(after_window))
    shown = read(token)[second.uid]  # the feed says missed before the sweep marks it
    assert shown.summary == "Injection (missed)" and not shown.alarms
    assert sweep_missed_doses(now=timezone.now()) >= 1
    missed = read(token)[second.uid]
    assert (missed.summary, missed.sequence) == ("Injection (missed)", 1)
    assert read(token)[first.uid].sequence == 1  # unchanged by the sweep
