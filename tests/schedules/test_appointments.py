"""Booking a nurse appointment for a nurse-given dose: the date must fall in the dose's window
and not be past; rebooking replaces the live appointment and keeps the old one; cancelling
frees the dose to be booked again."""

from datetime import date, time

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from schedules.models import Appointment, Dose, Prescription
from schedules.services import injection_log, prescription_stop
from schedules.services.appointments import appointment_book, appointment_cancel
from schedules.signals import appointment_booked
from tests.helpers import noon, prescribe
from tests.htmltools import field_errors, parse

pytestmark = pytest.mark.django_db

TODAY = date(2027, 1, 29)
DUE = date(2027, 2, 12)  # first monthly dose; window 5 to 19 Feb


@pytest.fixture
def clock():
    with time_machine.travel(noon(TODAY), tick=False) as traveller:
        yield traveller


@pytest.fixture
def dose(alice, clock) -> Dose:
    rx = prescribe(alice, start=DUE, today=TODAY, given_by="nurse")
    return rx.doses.get(due=DUE)


def live(dose: Dose) -> list[Appointment]:
    return list(Appointment.objects.live().filter(dose=dose))


def test_booking_records_the_appointment_and_raises_the_revision(alice, dose):
    revision = Prescription.objects.get(pk=dose.prescription_id).revision

    booked = appointment_book(
        dose=dose, on=date(2027, 2, 12), at=time(10, 30), place=" Riverside Surgery ", actor=alice
    )

    assert live(dose) == [booked]
    assert (booked.on, booked.at, booked.place) == (
        date(2027, 2, 12),
        time(10, 30),
        "Riverside Surgery",
    )
    assert booked.created_by == alice
    assert Prescription.objects.get(pk=dose.prescription_id).revision == revision + 1
    event = AuditEvent.objects.get(action="appointment.booked")
    assert event.detail["on"] == "2027-02-12" and event.detail["at"] == "10:30"


def test_booking_sends_the_signal_inside_the_transaction(alice, dose):
    heard = []

    def listener(sender, *, appointment, actor, **kwargs):
        heard.append((appointment.on, actor))

    appointment_booked.connect(listener)
    try:
        appointment_book(dose=dose, on=DUE, actor=alice)
    finally:
        appointment_booked.disconnect(listener)

    assert heard == [(DUE, alice)]


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (
            date(2027, 2, 20),
            "after this injection's window closes on 19 Feb; ask for an appointment by then",
        ),
        (date(2027, 2, 4), "before this injection's window opens on 5 Feb"),
        (date(2027, 1, 28), "That date has passed"),
    ],
)
def test_a_date_outside_the_window_or_past_is_refused_and_nothing_written(alice, dose, on, message):
    with pytest.raises(ValidationError) as refused:
        appointment_book(dose=dose, on=on, actor=alice)

    assert message in refused.value.message_dict["on"][0]
    assert Appointment.objects.count() == 0
    assert not AuditEvent.objects.filter(action="appointment.booked").exists()


def test_the_window_edges_are_allowed(alice, dose):
    appointment_book(dose=dose, on=date(2027, 2, 5), actor=alice)
    appointment_book(dose=dose, on=date(2027, 2, 19), actor=alice)

    assert [a.on for a in live(dose)] == [date(2027, 2, 19)]


def test_rebooking_replaces_the_live_appointment_and_keeps_the_old_one(alice, dose):
    first = appointment_book(dose=dose, on=date(2027, 2, 10), actor=alice)
    second = appointment_book(dose=dose, on=date(2027, 2, 12), at=time(9, 0), actor=alice)

    assert live(dose) == [second]
    first.refresh_from_db()
    assert first.cancelled_at is not None
    assert (
        AuditEvent.objects.filter(action="appointment.booked")
        .order_by("pk")
        .last()
        .detail["replaces"]
        == first.pk
    )


def test_the_same_answer_twice_is_one_appointment(alice, dose):
    first = appointment_book(dose=dose, on=DUE, place="Riverside", actor=alice)
    again = appointment_book(dose=dose, on=DUE, place="Riverside", actor=alice)

    assert again == first
    assert Appointment.objects.count() == 1


def test_another_patient_cannot_book_alices_dose(alice, dave, dose):
    with pytest.raises(ValidationError):
        appointment_book(dose=dose, on=DUE, actor=dave)

    assert Appointment.objects.count() == 0


def test_a_self_given_dose_has_no_appointment_to_book(dave, clock):
    rx = prescribe(dave, start=DUE, today=TODAY)

    with pytest.raises(ValidationError, match="nurse does not give"):
        appointment_book(dose=rx.doses.get(due=DUE), on=DUE, actor=dave)


def test_a_given_dose_cannot_be_booked(alice, dose, clock):
    clock.move_to(noon(DUE))
    injection_log(prescription=dose.prescription, actor=alice, given_on=DUE)

    with pytest.raises(ValidationError, match="already been given"):
        appointment_book(dose=dose, on=date(2027, 2, 13), actor=alice)


def test_a_stopped_prescriptions_dose_cannot_be_booked(alice, dose):
    prescription_stop(prescription=dose.prescription, actor=alice, reason="Finished")

    with pytest.raises(ValidationError, match="stopped"):
        appointment_book(dose=dose, on=DUE, actor=alice)


def test_cancelling_frees_the_dose_and_is_audited(alice, dose):
    booked = appointment_book(dose=dose, on=DUE, actor=alice)

    appointment_cancel(appointment=booked, actor=alice)

    assert live(dose) == []
    assert AuditEvent.objects.filter(action="appointment.cancelled").count() == 1
    with pytest.raises(ValidationError, match="already cancelled"):
        appointment_cancel(appointment=booked, actor=alice)
    rebooked = appointment_book(dose=dose, on=DUE, actor=alice)
    assert live(dose) == [rebooked]


def test_another_patient_cannot_cancel(alice, dave, dose):
    booked = appointment_book(dose=dose, on=DUE, actor=alice)

    with pytest.raises(ValidationError):
        appointment_cancel(appointment=booked, actor=dave)

    assert live(dose) == [booked]


# --- the pages -------------------------------------------------------------------------------


def test_the_schedule_page_marks_the_appointment_day_and_the_dose_row(client_for, alice, dose):
    appointment_book(
        dose=dose, on=date(2027, 2, 11), at=time(10, 30), place="Riverside Surgery", actor=alice
    )

    page = client_for(alice).get("/me/schedule/?month=2027-02")

    html = parse(page.content)
    calendar = html.by_id("calendar")
    assert "Nurse appointment 11 Feb, 10:30, Riverside Surgery" in calendar.text
    day = next(cell for cell in calendar.find_all("td") if cell.find(cls="appointment-mark"))
    assert day.find(cls="day-number").text.strip() == "11"
    row = html.find(cls="dose-row")
    assert "Booked for 11 Feb, 10:30, Riverside Surgery" in row.text


def test_the_home_page_says_the_next_dose_is_booked(client_for, alice, dose):
    client = client_for(alice)
    assert "Booked your nurse appointment? Tell us the date" in client.get("/").content.decode()

    appointment_book(dose=dose, on=DUE, place="Riverside Surgery", actor=alice)

    card = parse(client.get("/").content).by_id("next-dose-booked")
    assert card is not None and "Booked for 12 Feb, Riverside Surgery" in card.text


def test_the_appointment_page_books_changes_and_cancels(client_for, alice, dose):
    client = client_for(alice)
    assert parse(client.get("/me/appointment/").content).by_id("booking") is not None

    booked = client.post(
        "/me/appointment/booking/", {"dose": dose.pk, "on": "2027-02-12", "at": "10:30"}
    )
    assert booked.status_code == 302
    page = client.get("/me/appointment/")
    assert "Booked for Friday 12 February, 10:30" in page.content.decode()

    client.post("/me/appointment/booking/", {"dose": dose.pk, "on": "2027-02-15"})
    (current,) = live(dose)
    assert current.on == date(2027, 2, 15) and Appointment.objects.count() == 2

    cancelled = client.post(f"/me/appointment/{current.pk}/cancel/")
    assert cancelled.status_code == 302
    assert live(dose) == []
    assert "Booked for" not in client.get("/me/appointment/").content.decode()


def test_a_refused_date_shows_beside_the_field_and_writes_nothing(client_for, alice, dose):
    page = client_for(alice).post("/me/appointment/booking/", {"dose": dose.pk, "on": "2027-03-01"})

    assert page.status_code == 400
    (error,) = field_errors(page.content, "on")
    assert "after this injection's window closes on 19 Feb" in error
    assert Appointment.objects.count() == 0


def test_another_patients_dose_or_appointment_is_404_and_unchanged(client_for, alice, dave, dose):
    booked = appointment_book(dose=dose, on=DUE, actor=alice)
    prescribe(dave, start=DUE, today=TODAY, given_by="nurse")
    client = client_for(dave)

    assert (
        client.post("/me/appointment/booking/", {"dose": dose.pk, "on": "2027-02-13"}).status_code
        == 404
    )
    assert client.post(f"/me/appointment/{booked.pk}/cancel/").status_code == 404
    assert live(dose) == [booked]


def test_the_booking_actions_take_post_only(client_for, alice, dose):
    client = client_for(alice)

    assert client.get("/me/appointment/booking/").status_code == 405
