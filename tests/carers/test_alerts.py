"""Carer alerts: a dose still not logged the chosen hours into its due day (the patient's
clock) is told to the carer once; not before, not once logged, not twice."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.models import User
from carers.alerts import alert_at, alerts_due, send_carer_alerts
from carers.models import CarerLink
from reminders.models import Kind, Notification
from tests.carers.conftest import carer_link
from tests.clinic.helpers import log
from tests.helpers import prescribe

DUE = date(2026, 6, 10)  # London is on UTC+1 then: the day starts at 23:00 UTC the day before


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 9, 23, tzinfo=UTC) + timedelta(hours=hour, minutes=minute)


@pytest.fixture
def watched(alice: User, frank: User) -> CarerLink:
    prescribe(alice, start=DUE)
    return carer_link(alice, frank, gets_alerts=True, alert_after_hours=12)


def test_the_alert_time_counts_hours_from_the_start_of_the_due_day_on_the_patients_clock():
    from zoneinfo import ZoneInfo

    assert alert_at(due=DUE, zone=ZoneInfo("Europe/London"), hours=12) == at(12)
    assert alert_at(due=DUE, zone=ZoneInfo("America/New_York"), hours=1) == datetime(
        2026, 6, 10, 5, tzinfo=UTC
    )


def test_no_alert_before_the_chosen_hours(watched):
    assert alerts_due(now=at(11, 59)) == []


def test_an_alert_is_due_once_the_hours_have_passed(watched):
    [alert] = alerts_due(now=at(12))
    assert (alert.link, alert.dose.due, alert.at) == (watched, DUE, at(12))


def test_no_alert_for_a_logged_dose(watched, alice):
    rx = alice.prescriptions.get()
    log(rx, DUE)
    assert alerts_due(now=at(13)) == []


def test_no_alert_for_a_carer_who_does_not_want_them(watched):
    CarerLink.objects.filter(pk=watched.pk).update(gets_alerts=False)
    assert alerts_due(now=at(13)) == []


def test_no_alert_for_a_link_that_ended(watched):
    CarerLink.objects.filter(pk=watched.pk).update(status="revoked")
    assert alerts_due(now=at(13)) == []


def test_the_alert_is_one_outbox_row_per_dose_and_carer(watched, frank):
    with time_machine.travel(at(11), tick=False):
        assert send_carer_alerts(now=at(11)) == 0
    with time_machine.travel(at(12, 5), tick=False):
        send_carer_alerts(now=at(12, 5))
        send_carer_alerts(now=at(12, 20))
    [row] = Notification.objects.filter(kind=Kind.CARER_ALERT, channel="email")
    assert (row.recipient, row.status, row.payload["link_id"]) == (frank, "pending", watched.pk)


def test_a_dose_logged_before_the_alert_went_withdraws_it(watched, alice):
    with time_machine.travel(at(12, 5), tick=False):
        send_carer_alerts(now=at(12, 5))
        log(alice.prescriptions.get(), DUE)
    row = Notification.objects.get(kind=Kind.CARER_ALERT, channel="email")
    assert row.status == "cancelled"
