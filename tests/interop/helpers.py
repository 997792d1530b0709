"""Building blocks for the calendar tests: a feed made through the service, fetched as a
calendar client would, and parsed with `icalendar`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from interop import services


def subscribe(patient, *, detail_level: str = "plain", alarm: bool = False) -> str:
    _, token = services.feed_create(patient=patient, detail_level=detail_level, alarm=alarm)
    return token


def feed_path(token: str) -> str:
    return reverse("interop:feed", kwargs={"token": token})


@dataclass(frozen=True)
class Seen:
    uid: str
    day: date
    end: date
    status: str
    sequence: int
    summary: str
    description: str
    alarms: list


def fetch(token: str, **headers: str):
    return Client().get(feed_path(token), headers=headers)


def parse(body: bytes) -> dict[str, Seen]:
    """The events as a calendar client sees them, by UID (each UID once)."""
    calendar = Calendar.from_ical(body)
    seen: dict[str, Seen] = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in seen, f"UID {uid} appears twice"
        seen[uid] = Seen(
            uid=uid,
            day=event.decoded("DTSTART"),
            end=event.decoded("DTEND"),
            status=str(event["STATUS"]),
            sequence=int(event.get("SEQUENCE", 0)),
            summary=str(event["SUMMARY"]),
            description=str(event["DESCRIPTION"]),
            alarms=event.walk("VALARM"),
        )
    return seen


def read(token: str) -> dict[str, Seen]:
    response = fetch(token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return parse(response.content)


def live_days(seen: dict[str, Seen]) -> list[date]:
    return sorted(event.day for event in seen.values() if event.status != "CANCELLED")


def one_day(event: Seen) -> bool:
    return event.end - event.day == timedelta(days=1)
