"""When a "Remind me later" reminder would come, channel by channel, read before anything is
written: the page shows it, the service writes it, and both say the same time.

Two hours on, at the latest half an hour before the dose's window closes; each channel's first
attempt waits out its quiet hours (`planner.deliver_at`), and a channel held past the window's
close is left out. When none is left, there is nothing to promise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from accounts.models import User
from core.clock import home_zone
from reminders import timing
from reminders.models import ReminderPreference
from reminders.planner import deliver_at
from schedules.models import Dose

from .tokens import LinkProblem

SNOOZE = timedelta(hours=2)
# A snoozed reminder goes at the latest this long before the window closes, so it can still
# be sent and acted on; one that would come sooner than SNOOZE_AT_LEAST is not worth it.
SNOOZE_BEFORE_CLOSE = timedelta(minutes=30)
SNOOZE_AT_LEAST = timedelta(minutes=15)


@dataclass(frozen=True)
class SnoozePlan:
    """The instant the reminder is meant for and each channel's first attempt."""

    until: datetime
    sends: dict[str, datetime]

    @property
    def first(self) -> datetime:
        return min(self.sends.values())


def day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def window_end(dose: Dose, patient: User) -> datetime:
    """The instant the dose's window closes: the end of its last day in the home zone."""
    return timing.start_of_day(dose.latest + timedelta(days=1), home_zone(patient))


def when_text(instant: datetime, patient: User, *, now: datetime) -> str:
    """ "at 22:00", "tomorrow at 08:00" or "at 08:00 on Fri 12 Jun", in the home zone."""
    zone = home_zone(patient)
    local, today = instant.astimezone(zone), now.astimezone(zone).date()
    clock = f"{local:%H:%M}"
    if local.date() == today:
        return f"at {clock}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow at {clock}"
    return f"at {clock} on {day_text(local.date())}"


def _too_late(dose: Dose) -> LinkProblem:
    return LinkProblem(
        LinkProblem.NO_REMINDER,
        "It is too late to remind you again before this injection's window closes at the end "
        f"of {day_text(dose.latest)}. If you have had it, log it on the Log injection page.",
    )


def snooze_plan(dose: Dose, patient: User, *, now: datetime) -> SnoozePlan:
    """The snoozed reminder's instants, or LinkProblem when no reminder could come in time
    (or no channel is on) and so nothing should be promised."""
    closes = window_end(dose, patient)
    until = min(now + SNOOZE, closes - SNOOZE_BEFORE_CLOSE)
    if until - now < SNOOZE_AT_LEAST:
        raise _too_late(dose)
    pref = ReminderPreference.of(patient)
    channels = pref.channels()
    if not channels:
        raise LinkProblem(
            LinkProblem.NO_REMINDER,
            "Your reminders are turned off, so we cannot remind you later. "
            "If you have had it, log it on the Log injection page.",
        )
    zone = home_zone(patient)
    sends = {channel: deliver_at(channel, until, pref, zone) for channel in channels}
    sends = {channel: at for channel, at in sends.items() if at < closes}
    if not sends:
        raise _too_late(dose)
    return SnoozePlan(until=until, sends=sends)
