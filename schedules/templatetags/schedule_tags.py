"""Small display helpers for the patient pages: relative days and status words."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django import template

from accounts.models import User
from schedules.models import Dose, Phase
from schedules.selectors.past import has_stopped
from schedules.selectors.prescription import RegimenText, describe_regimen, phase_bound_words

if TYPE_CHECKING:
    from schedules.selectors.prescription import CountedPhase

register = template.Library()

STATUS_WORDS = {
    "taken": "Taken",
    "due": "Due now",
    "missed": "Missed",
    "scheduled": "Coming up",
    "extra": "Extra",
}
STATUS_MARKS = {"taken": "✓", "due": "!", "missed": "✗", "scheduled": "○", "extra": "+"}


@register.filter
def days_from(day: date, today: date) -> str:
    """'today', 'tomorrow', 'in 3 days', 'yesterday' or '3 days ago'."""
    gap = (day - today).days
    if gap == 0:
        return "today"
    if gap == 1:
        return "tomorrow"
    if gap == -1:
        return "yesterday"
    return f"in {gap} days" if gap > 0 else f"{-gap} days ago"


@register.filter
def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status)


@register.filter
def status_mark(status: str) -> str:
    return STATUS_MARKS.get(status, "")


@register.filter
def phase_bound(phase: Phase) -> str:
    """How a phase ends, in words (see phase_bound_words)."""
    return phase_bound_words(phase)


@register.simple_tag
def regimen_words(phases: list[CountedPhase]) -> RegimenText:
    """`{% regimen_words phases as described %}`: the regimen in words, for phases loaded by
    phases_with_counts."""
    return describe_regimen(phases=phases)


@register.filter
def dose_status(dose: Dose, today: date) -> str:
    """The dose's status on `today` (Dose.status_on), for the status words and marks."""
    return dose.status_on(today)


@register.simple_tag
def stopped_before(user: User) -> bool:
    """`{% stopped_before user as stopped %}`: whether the patient has a stopped prescription,
    so a page without an active one does not say none was ever recorded."""
    return has_stopped(patient=user)


@register.filter
def late_by(given_on: date, due: date) -> str:
    gap = (given_on - due).days
    return f"{gap} day{'s' if gap != 1 else ''} late"


# Where each site sits on the body map: (cx, cy, rx, ry) in the figure's coordinates.
# The front figure faces you, so the patient's right is on your left; the back one does not.
SITE_SHAPES = {
    "deltoid_right": (38, 64, 9, 11),
    "deltoid_left": (112, 64, 9, 11),
    "abdomen_right": (65, 112, 8, 10),
    "abdomen_left": (85, 112, 8, 10),
    "ventrogluteal_right": (51, 136, 6, 9),
    "ventrogluteal_left": (99, 136, 6, 9),
    "thigh_right": (56, 182, 7, 20),
    "thigh_left": (94, 182, 7, 20),
    "upper_arm_left": (186, 84, 8, 14),
    "upper_arm_right": (264, 84, 8, 14),
    "gluteal_left": (213, 134, 10, 9),
    "gluteal_right": (237, 134, 10, 9),
}


@register.simple_tag
def site_shape(site: str) -> dict[str, int]:
    cx, cy, rx, ry = SITE_SHAPES[site]
    return {"cx": cx, "cy": cy, "rx": rx, "ry": ry}


@register.filter
def make_list_of_words(value: str) -> list[str]:
    return value.split()


# Fast date labels for long lists: strftime in C instead of Django's `date` filter, which
# costs a measurable share of a three-year schedule page. Month and day names are English,
# like the rest of the pages.
@register.filter
def day_short(day: date | None) -> str:
    """Mon 6 Jan 2025"""
    return f"{day:%a} {day.day} {day:%b %Y}" if day else ""


@register.filter
def day_month(day: date | None) -> str:
    """6 Jan"""
    return f"{day.day} {day:%b}" if day else ""


@register.filter
def day_medium(day: date | None) -> str:
    """6 Jan 2025"""
    return f"{day.day} {day:%b %Y}" if day else ""


@register.filter
def day_long(day: date | None) -> str:
    """Monday 6 January 2025"""
    return f"{day:%A} {day.day} {day:%B %Y}" if day else ""
