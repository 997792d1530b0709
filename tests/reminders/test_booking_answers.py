"""The booking reminder's answer: a signed link to a page that records the date booked without
a password. It books the appointment once, stops the dose's other booking reminders, keeps
the planner from asking again, and writes nothing on a bad date or a bad link."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditEvent
from reminders.answers import tokens
from reminders.messages import render
from reminders.models import Kind, Notification, ReminderAnswer, ReminderPreference
from reminders.planner import plan_notifications
from schedules.models import Appointment, Dose
from schedules.services.appointments import appointment_book, appointment_cancel
from tests.helpers import noon, prescribe
from tests.htmltools import field_errors
from tests.reminders.conftest import rows, utc

pytestmark = pytest.mark.django_db

TODAY = date(2027, 1, 29)
DUE = date(2027, 2, 12)  # window 5 to 19 Feb
NOW = utc(2027, 1, 29, 9, 30)  # just after the 09:00 booking reminder, 14 days before


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dose(alice, clock) -> Dose:
    ReminderPreference.objects.create(
        patient=alice, sms_enabled=True, sms_number="+447700900123", sms_verified_at=NOW
    )
    rx = prescribe(alice, start=DUE, today=TODAY, given_by="nurse")
    plan_notifications(now=NOW)
    return rx.doses.get(due=DUE)


def booking_rows(dose: Dose) -> dict[str, Notification]:
    return {row.channel: row for row in rows(dose=dose, kind=Kind.BOOKING)}


@pytest.fixture
def email_row(dose) -> Notification:
    """The email went; the text is still waiting for the end of quiet hours or a retry."""
    row = booking_rows(dose)["email"]
    Notification.objects.filter(pk=row.pk).update(status="sent", sent_at=NOW)
    row.refresh_from_db()
    return row


def link_path(row: Notification, action: str = "booked") -> str:
    return f"/answer/{action}/{tokens.sign(row, action)}/"


def test_the_booking_email_and_text_carry_the_answer_link(dose):
    booking = booking_rows(dose)
    email = render(booking["email"]).body
    text = render(booking["sms"]).body

    assert "Tell us the date you booked" in email
    assert link_path(booking["email"]) in email
    assert link_path(booking["sms"]) in text
    assert text.isascii()


def test_the_link_page_asks_for_the_date_without_a_login(client, email_row):
    page = client.get(link_path(email_row))

    assert page.status_code == 200
    body = page.content.decode()
    assert 'type="date"' in body and 'name="on"' in body
    assert "from 5 February to 19 February 2027" in body


def test_answering_books_and_stops_the_other_channels_booking_reminder(client, email_row, dose):
    sms = booking_rows(dose)["sms"]
    assert sms.status == "pending"

    page = client.post(
        link_path(email_row), {"on": "2027-02-12", "at": "10:30", "place": "Riverside Surgery"}
    )

    assert page.status_code == 200
    assert "Booked for Friday 12 February 2027, 10:30, Riverside Surgery" in page.content.decode()
    (booked,) = Appointment.objects.live()
    assert (booked.dose, booked.on, booked.place) == (dose, DUE, "Riverside Surgery")
    sms.refresh_from_db()
    assert (sms.status, sms.last_error) == ("cancelled", "Booked for 12 Feb 2027.")
    answer = ReminderAnswer.objects.get()
    assert (answer.action, answer.via, answer.dose, answer.notification) == (
        "booked",
        "link",
        dose,
        email_row,
    )


def test_the_planner_plans_no_booking_reminder_for_a_booked_dose(client, email_row, dose, clock):
    client.post(link_path(email_row), {"on": "2027-02-12"})
    Notification.objects.filter(dose=dose, kind=Kind.BOOKING).delete()

    plan_notifications(now=NOW + timedelta(minutes=5))

    assert rows(dose=dose, kind=Kind.BOOKING) == []


def test_cancelled_booking_reminders_stay_cancelled_until_the_appointment_is(
    client, email_row, dose
):
    client.post(link_path(email_row), {"on": "2027-02-12"})
    plan_notifications(now=NOW + timedelta(minutes=5))
    assert booking_rows(dose)["sms"].status == "cancelled"

    appointment_cancel(
        appointment=Appointment.objects.live().get(), actor=dose.prescription.patient
    )
    plan_notifications(now=NOW + timedelta(minutes=10))

    assert booking_rows(dose)["sms"].status == "pending"  # asked again: nothing is booked


def test_answering_twice_updates_the_appointment_never_duplicates(client, email_row, dose):
    client.post(link_path(email_row), {"on": "2027-02-12"})
    again = client.get(link_path(email_row))
    assert "You told us: booked for Friday 12 February" in again.content.decode()

    client.post(link_path(email_row), {"on": "2027-02-15", "place": "Riverside"})
    client.post(link_path(email_row), {"on": "2027-02-15", "place": "Riverside"})

    assert [a.on for a in Appointment.objects.live()] == [date(2027, 2, 15)]
    assert Appointment.objects.count() == 2  # the first kept, cancelled
    answer = ReminderAnswer.objects.get()
    assert answer.outcome == "Booked for 15 Feb 2027."


def test_a_date_after_the_window_is_refused_beside_the_field_and_nothing_written(
    client, email_row, dose
):
    page = client.post(link_path(email_row), {"on": "2027-02-20"})

    assert page.status_code == 400
    (error,) = field_errors(page.content, "on")
    assert "after this injection's window closes on 19 Feb; ask for an appointment by then" in error
    assert Appointment.objects.count() == 0
    assert ReminderAnswer.objects.count() == 0
    assert booking_rows(dose)["sms"].status == "pending"


def test_a_malformed_date_is_refused_and_nothing_written(client, email_row):
    page = client.post(link_path(email_row), {"on": "12/02/2027x"})

    assert page.status_code == 400
    assert field_errors(page.content, "on")
    assert Appointment.objects.count() == 0


def test_a_tampered_link_writes_nothing(client, email_row):
    path = link_path(email_row)
    tampered = path.replace(f"/{email_row.pk}-", f"/{email_row.pk + 1}-")

    assert client.get(tampered).status_code == 400
    page = client.post(tampered, {"on": "2027-02-12"})

    assert page.status_code == 400
    assert "This link is not valid" in page.content.decode()
    assert Appointment.objects.count() == 0 and ReminderAnswer.objects.count() == 0


def test_a_link_for_another_answer_does_not_book(client, email_row):
    path = f"/answer/booked/{tokens.sign(email_row, 'taken')}/"

    page = client.post(path, {"on": "2027-02-12"})

    assert page.status_code == 400
    assert Appointment.objects.count() == 0


def test_an_expired_link_writes_nothing(client, email_row, clock):
    clock.move_to(noon(date(2027, 2, 20)))

    page = client.post(link_path(email_row), {"on": "2027-02-21"})

    assert page.status_code == 410
    assert "window for this injection closed" in page.content.decode()
    assert Appointment.objects.count() == 0 and ReminderAnswer.objects.count() == 0


def test_a_link_used_before_stops_working_once_the_dose_is_given(client, email_row, dose, clock):
    from schedules.services import injection_log

    client.post(link_path(email_row), {"on": "2027-02-12"})
    clock.move_to(noon(DUE))
    injection_log(prescription=dose.prescription, actor=dose.prescription.patient, given_on=DUE)

    page = client.post(link_path(email_row), {"on": "2027-02-13"})

    assert page.status_code == 410
    assert [a.on for a in Appointment.objects.live()] == [DUE]
    assert timezone.now().date() == DUE


def test_the_booking_text_with_its_link_fits_one_message(dose):
    """Plain ASCII, one message (a patient who asked for detailed messages, naming the
    medicine, may get two parts)."""
    text = render(booking_rows(dose)["sms"]).body

    assert text.isascii() and len(text) <= 160, (len(text), text)
    assert text.startswith("B12 Tracker: book a nurse for your B12 injection due Fri 12 Feb.")


def test_a_booking_row_written_beside_a_booking_is_cancelled_by_the_next_sweep(alice, dose):
    """A planner that read the dose before the booking committed may still write its row."""
    appointment_book(dose=dose, on=DUE, actor=alice)
    Notification.objects.filter(dose=dose, kind=Kind.BOOKING).update(status="pending")

    plan_notifications(now=NOW + timedelta(minutes=5))

    reasons = {row.status + ": " + row.last_error for row in rows(dose=dose, kind=Kind.BOOKING)}
    assert reasons == {"cancelled: Booked for 12 Feb 2027."}  # as when the booking cancels them


def test_each_answer_through_the_link_is_audited(client, email_row, alice):
    client.post(link_path(email_row), {"on": "2027-02-12"})
    client.post(link_path(email_row), {"on": "2027-02-15"})

    events = AuditEvent.objects.filter(action="reminders.answer_booked").order_by("pk")
    assert [(e.actor, e.detail["outcome"]) for e in events] == [
        (alice, "Booked for 12 Feb 2027."),
        (alice, "Booked for 15 Feb 2027."),
    ]
    assert events[0].detail["via"] == "link"
