"""Booked nurse appointments, as reminders sees them: a booking stops the dose's booking
reminders, and an answer to a booking reminder's link is recorded once per link."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from schedules.models import Appointment

from .models import Kind, Notification, ReminderAnswer


def booked_reason(appointment: Appointment) -> str:
    return f"Booked for {appointment.on:%-d %b %Y}."


def appointment_booked_received(sender: object, *, appointment: Appointment, **kwargs: Any) -> int:
    """The dose's booking reminders still waiting to go are cancelled, with the date booked."""
    return Notification.objects.filter(
        Q(status=Notification.Status.PENDING),
        dose_id=appointment.dose_id,
        kind=Kind.BOOKING,
    ).update(status=Notification.Status.CANCELLED, last_error=booked_reason(appointment))


def booking_answer_record(
    *, row: Notification | None, appointment: Appointment, nonce: str
) -> ReminderAnswer:
    """The answer given through one link: answering again through it updates the same row."""
    answer, _ = ReminderAnswer.objects.update_or_create(
        nonce=nonce,
        defaults={
            "patient_id": appointment.prescription.patient_id,
            "dose_id": appointment.dose_id,
            "notification": row,
            "action": ReminderAnswer.Action.BOOKED,
            "via": ReminderAnswer.Via.LINK,
            "outcome": booked_reason(appointment),
        },
    )
    return answer
