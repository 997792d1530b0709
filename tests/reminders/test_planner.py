"""The plan sweep: outbox rows for the next 48 hours, computed in the patient's home zone.

Planning is idempotent; taken, moved and cancelled doses lose their pending reminders.
"""

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import PatientProfile
from accounts.services import patient_profile_update
from reminders import services as reminder_services
from reminders.models import Notification, ReminderPreference
from reminders.planner import plan_notifications
from schedules import services
from schedules.models import Dose
from tests.helpers import prescribe
from tests.reminders.conftest import rows, utc

pytestmark = pytest.mark.django_db

NOW = utc(2026, 6, 10, 12, 0)  # 13:00 in London (BST)
DUE = date(2026, 6, 11)


def pending(**filters):
    return rows(status="pending", **filters)


def test_day_before_and_day_of_reminders_at_local_times(alice):
    prescribe(alice, start=DUE, today=NOW.date())

    plan_notifications(now=NOW)

    planned = {(row.kind, row.channel): row.scheduled_for for row in pending()}
    assert planned == {
        ("upcoming", "email"): utc(2026, 6, 10, 17, 0),  # 18:00 BST the day before
        ("due", "email"): utc(2026, 6, 11, 8, 0),  # 09:00 BST on the day
    }
    assert all(row.dose.due == DUE and row.recipient == alice for row in pending())


def test_planning_twice_creates_nothing_new(alice, dave):
    prescribe(alice, start=DUE, today=NOW.date())
    prescribe(dave, start=DUE, today=NOW.date())
    plan_notifications(now=NOW)
    before = list(Notification.objects.order_by("pk").values())

    second = plan_notifications(now=NOW)
    third = plan_notifications(now=NOW + timedelta(minutes=1))

    assert (second.created, second.updated, second.revived, second.cancelled) == (0, 0, 0, 0)
    assert third.updated == 0
    assert list(Notification.objects.order_by("pk").values()) == before
    assert len(before) == 4


def test_only_the_next_48_hours_are_planned(alice):
    prescribe(alice, start=DUE + timedelta(days=3), today=NOW.date())

    plan_notifications(now=NOW)
    assert pending() == []

    plan_notifications(now=NOW + timedelta(days=1, hours=6))
    assert [row.kind for row in pending()] == ["upcoming"]


def test_a_taken_dose_cancels_its_pending_reminders(alice):
    rx = prescribe(alice, start=DUE, today=NOW.date())
    plan_notifications(now=NOW)
    assert len(pending()) == 2

    services.injection_log(
        prescription=rx, actor=alice, given_on=DUE, site="deltoid_left", today=DUE
    )
    result = plan_notifications(now=utc(2026, 6, 11, 7, 0))

    assert pending() == []
    assert result.cancelled == 2
    assert {row.status for row in rows()} == {"cancelled"}


def test_a_moved_dose_cancels_the_old_reminders_and_plans_the_new_date(alice):
    # Every other day from Mon 8 Jun: 8, 10, 12 ... Giving the 10th's dose on the 11th
    # re-anchors the phase: the 12th moves to the 13th.
    now = utc(2026, 6, 11, 12, 0)
    rx = prescribe(alice, start=date(2026, 6, 8), today=date(2026, 6, 8), regimen="seed-repletion")
    services.injection_log(
        prescription=rx, actor=alice, given_on=date(2026, 6, 8), site="thigh_left", today=now.date()
    )
    plan_notifications(now=now)
    assert {row.dose.due for row in pending()} == {date(2026, 6, 12)}

    services.injection_log(
        prescription=rx,
        actor=alice,
        given_on=date(2026, 6, 11),
        site="thigh_right",
        today=now.date(),
    )
    plan_notifications(now=now + timedelta(minutes=1))

    assert Dose.objects.get(prescription=rx, due=date(2026, 6, 12)).status == "cancelled"
    assert {row.dose.due for row in pending()} == {date(2026, 6, 13)}
    old = rows(dose__due=date(2026, 6, 12))
    assert old and {row.status for row in old} == {"cancelled"}


def test_a_cancelled_prescription_dose_cancels_reminders(alice):
    rx = prescribe(alice, start=DUE, today=NOW.date())
    plan_notifications(now=NOW)
    Dose.objects.filter(prescription=rx, due=DUE).update(status="cancelled")

    plan_notifications(now=NOW + timedelta(minutes=1))

    assert pending() == []


def test_changing_the_home_zone_replans_pending_instants_only(alice):
    prescribe(alice, start=DUE, today=NOW.date())
    plan_notifications(now=NOW)
    upcoming, due = pending()
    Notification.objects.filter(pk=upcoming.pk).update(status="sent", sent_at=NOW)

    patient_profile_update(
        user=alice,
        display_name="Alice Patel",
        time_zone="America/New_York",
        mobile="",
        reminder_time=time(9, 0),
    )

    upcoming.refresh_from_db()
    due.refresh_from_db()
    assert upcoming.status == "sent" and upcoming.scheduled_for == utc(2026, 6, 10, 17, 0)
    assert due.status == "pending"
    assert due.scheduled_for == due.next_attempt_at == utc(2026, 6, 11, 13, 0)  # 09:00 EDT
    assert due.dose.due == DUE  # the dose date never moves
    assert Notification.objects.count() == 2


def test_a_new_preferred_reminder_time_moves_the_day_of_reminder(alice):
    prescribe(alice, start=DUE, today=NOW.date())
    plan_notifications(now=NOW)

    patient_profile_update(
        user=alice,
        display_name="Alice Patel",
        time_zone="Europe/London",
        mobile="",
        reminder_time=time(7, 15),
    )

    (due,) = pending(kind="due")
    assert due.scheduled_for == utc(2026, 6, 11, 6, 15)


def test_nurse_given_doses_get_a_booking_reminder_14_days_ahead(alice):
    due = NOW.date() + timedelta(days=14)
    prescribe(alice, start=due, today=NOW.date(), given_by="nurse")

    plan_notifications(now=NOW - timedelta(hours=6))  # 07:00 BST, before the 09:00 reminder

    (booking,) = pending(kind="booking")
    assert booking.scheduled_for == utc(2026, 6, 10, 8, 0)  # 09:00 BST, 14 days before
    assert booking.dose.due == due


def test_self_given_doses_get_no_booking_reminder(alice):
    prescribe(alice, start=NOW.date() + timedelta(days=14), today=NOW.date())

    plan_notifications(now=NOW - timedelta(hours=6))

    assert pending(kind="booking") == []


def test_turning_a_kind_off_cancels_it_and_back_on_revives_it(alice):
    prescribe(alice, start=DUE, today=NOW.date())
    plan_notifications(now=NOW)
    values = {"upcoming_enabled": False}

    reminder_services.preference_update(patient=alice, values=values, now=NOW)
    assert [row.kind for row in pending()] == ["due"]

    reminder_services.preference_update(patient=alice, values={"upcoming_enabled": True}, now=NOW)
    assert [row.kind for row in pending()] == ["upcoming", "due"]
    assert Notification.objects.count() == 2


def test_a_day_of_time_saved_with_the_preferences_moves_the_reminder_in_one_replan(
    alice, monkeypatch
):
    prescribe(alice, start=DUE, today=NOW.date())
    plan_notifications(now=NOW)
    replans = []
    replan = reminder_services.replan_patient

    def counted(**kwargs):
        replans.append(kwargs)
        return replan(**kwargs)

    monkeypatch.setattr(reminder_services, "replan_patient", counted)
    values = {"upcoming_enabled": False, "reminder_time": time(7, 15)}

    reminder_services.preference_update(patient=alice, values=values, now=NOW)

    (due,) = pending()
    assert due.kind == "due" and due.scheduled_for == utc(2026, 6, 11, 6, 15)
    alice.patient_profile.refresh_from_db()
    assert alice.patient_profile.reminder_time == time(7, 15)
    assert replans == [{"patient": alice, "now": NOW}]


def test_the_plan_sweep_reads_each_reminder_time_without_a_query_per_patient(make_patient, alice):
    prescribe(alice, start=DUE, today=NOW.date())
    with CaptureQueriesContext(connection) as one_patient:
        plan_notifications(now=NOW)
    patients = [make_patient(f"p{n}@example.com", f"Patient {n}") for n in range(3)]
    for n, patient in enumerate(patients):
        PatientProfile.objects.filter(user=patient).update(reminder_time=time(7, n))
        prescribe(patient, start=DUE, today=NOW.date())

    with CaptureQueriesContext(connection) as four_patients:
        plan_notifications(now=NOW)

    assert len(four_patients) == len(one_patient)
    due = {row.recipient_id: row.scheduled_for for row in pending(kind="due")}
    assert [due[patient.pk] for patient in patients] == [utc(2026, 6, 11, 6, n) for n in range(3)]


def test_texts_wait_until_quiet_hours_end(alice):
    ReminderPreference.objects.create(
        patient=alice,
        sms_enabled=True,
        sms_number="+447700900123",
        upcoming_time=time(22, 30),
        quiet_start=time(21, 0),
        quiet_end=time(8, 0),
    )
    prescribe(alice, start=DUE, today=NOW.date())

    plan_notifications(now=NOW)

    sms = {row.kind: row for row in pending(channel="sms")}
    email = {row.kind: row for row in pending(channel="email")}
    assert email["upcoming"].next_attempt_at == utc(2026, 6, 10, 21, 30)  # 22:30 BST
    assert sms["upcoming"].scheduled_for == utc(2026, 6, 10, 21, 30)
    assert sms["upcoming"].next_attempt_at == utc(2026, 6, 11, 7, 0)  # 08:00 BST
    assert sms["due"].next_attempt_at == utc(2026, 6, 11, 8, 0)


def test_no_sms_rows_without_a_verified_number(alice):
    prescribe(alice, start=DUE, today=NOW.date())

    plan_notifications(now=NOW)

    assert {row.channel for row in pending()} == {"email"}
