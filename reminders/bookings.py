"""Booked nurse appointments, as reminders sees them: a booking stops the dose's booking
reminders, and an answer to a booking reminder's link is recorded once per link."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from schedules.models import Appointment
from schedules.services.appointments import appointment_book

from .answers import tokens
from .answers.tokens import Answerable
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


def booking_answer(
    *,
    answerable: Answerable,
    on: date,
    at: time | None,
    place: str,
    request: HttpRequest | None = None,
) -> Appointment:
    """Book through a booking reminder's link: the appointment and the link's answer, in one
    transaction (a refused date writes neither)."""
    with transaction.atomic():
        appointment = appointment_book(
            dose=answerable.dose,
            on=on,
            at=at,
            place=place,
            actor=answerable.patient,
            request=request,
            source="answer",
        )
        booking_answer_record(row=answerable.row, appointment=appointment, nonce=answerable.nonce)
    return appointment


def booking_answerable(token: str) -> Answerable:
    """What a booking link answers. Unlike the one-tap answers it may be used again while the
    dose is open, to change the date: each use updates the one appointment."""
    try:
        return tokens.read(token, ReminderAnswer.Action.BOOKED)
    except tokens.LinkProblem as problem:
        earlier = problem.answer
        if problem.reason_code != tokens.LinkProblem.USED or earlier is None:
            raise
        if earlier.notification is None:
            raise
        tokens.check_open(earlier.dose, earlier.patient)
        return tokens.Answerable(
            row=earlier.notification,
            dose=earlier.dose,
            patient=earlier.patient,
            nonce=earlier.nonce,
            action=earlier.action,
        )
