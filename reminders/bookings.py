"""Booked nurse appointments, as reminders sees them: a booking stops the dose's booking
reminders, and an answer to a booking reminder's link is recorded once per link."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from schedules.models import Appointment
from schedules.services.appointments import appointment_book

from .answers import services as answer_services
from .answers import tokens
from .answers.tokens import Answerable
from .models import Notification, ReminderAnswer
from .planner import cancel_booked


def appointment_booked_received(sender: object, *, appointment: Appointment, **kwargs: Any) -> int:
    """The dose's booking reminders still waiting to go are cancelled, with the date booked."""
    return cancel_booked(Notification.objects.filter(dose_id=appointment.dose_id))


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
        asked = answer_services.Asked(
            patient=answerable.patient,
            dose_id=answerable.dose.pk,
            notification_id=answerable.row.pk,
            nonce=answerable.nonce,
            via=ReminderAnswer.Via.LINK,
        )
        answer_services.booked_answer(asked=asked, appointment=appointment, request=request)
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
