"""The feed as RFC 5545 text: one all-day VEVENT per dose (never a recurrence rule, which
cannot follow re-anchoring or month-end clamping), built with the `icalendar` package."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta

from icalendar import Alarm, Calendar, Event

from .models import CalendarFeed
from .selectors import FeedEvent

PRODID = "-//B12 Tracker//Injection calendar//EN"
REFRESH = timedelta(hours=1)
SUFFIX = {"done": " (done)", "missed": " (missed)", "planned": "", "cancelled": ""}


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def summary(event: FeedEvent, detail_level: str) -> str:
    """Only "Injection" unless the patient chose more: a calendar is often shared."""
    if detail_level == CalendarFeed.Detail.DETAILED:
        text = f"B12 injection: {event.product} {event.dose_mcg} mcg ({event.volume_ml} mL)"
    else:
        text = "Injection"
    return text + SUFFIX[event.state]


def description(event: FeedEvent) -> str:
    if event.state == "done" and event.given_on is not None:
        return f"Given on {_day(event.given_on)}."
    if event.state == "cancelled":
        return "No longer planned: this date was changed or the course stopped."
    window = f"any day from {_day(event.earliest)} to {_day(event.latest)}"
    if event.state == "missed":
        return f"Not given in its window ({window}). Carry on with the next one; never double up."
    return f"Due on {_day(event.due)}; {window} counts."


def _vevent(event: FeedEvent, feed: CalendarFeed, reminder: time) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", feed.changed_at.astimezone(UTC))
    vevent.add("dtstart", event.due)
    vevent.add("dtend", event.due + timedelta(days=1))
    vevent.add("summary", summary(event, feed.detail_level))
    vevent.add("description", description(event))
    vevent.add("sequence", event.sequence)
    vevent.add("status", "CANCELLED" if event.state == "cancelled" else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")  # a day with an injection is not a busy day
    vevent.add("last-modified", event.changed_at.astimezone(UTC))
    if feed.alarm and event.state == "planned":
        vevent.add_component(_alarm(reminder))
    return vevent


def _alarm(reminder: time) -> Alarm:
    """At the patient's reminder time on the day: an all-day event starts at local midnight,
    so the trigger is that time after the start, in whatever zone the phone is in."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "Injection today")
    alarm.add("trigger", timedelta(hours=reminder.hour, minutes=reminder.minute))
    return alarm


def feed_calendar(*, feed: CalendarFeed, events: list[FeedEvent], reminder: time) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    detailed = feed.detail_level == CalendarFeed.Detail.DETAILED
    calendar.add("x-wr-calname", "B12 injections" if detailed else "Injections")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for event in events:
        calendar.add_component(_vevent(event, feed, reminder))
    body: bytes = calendar.to_ical()
    return body
