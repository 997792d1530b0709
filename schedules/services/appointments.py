"""Nurse appointments: booking one for a nurse-given dose, rebooking it and cancelling it.

A date must fall inside the dose's window, the range in which the injection still counts.
"""

from __future__ import annotations

from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User
from core.clock import local_today
from schedules import states
from schedules.models import Appointment, Dose, GivenBy, Prescription
from schedules.signals import appointment_booked

PLACE_MAX = Appointment._meta.get_field("place").max_length or 120


def appointment_problems(
    *, dose: Dose, on: date, place: str = "", today: date
) -> dict[str, list[str]]:
    """What is wrong with an appointment date for `dose`, under the field it names; writes
    nothing. `today` is the patient's."""
    if on < today:
        return {"on": ["That date has passed. Enter the date of the appointment you booked."]}
    if on < dose.earliest:
        opens = f"{dose.earliest:%-d %b}"
        return {
            "on": [
                f"That is before this injection's window opens on {opens}, so it would be too "
                f"early to count as this dose; ask for an appointment from {opens}."
            ]
        }
    if on > dose.latest:
        closes = f"{dose.latest:%-d %b}"
        return {
            "on": [
                f"That is after this injection's window closes on {closes}; ask for an "
                f"appointment by then."
            ]
        }
    if len(place) > PLACE_MAX:
        return {"place": [f"Keep the place to {PLACE_MAX} characters."]}
    return {}


def _lock_dose(*, dose: Dose, actor: User) -> tuple[Prescription, Dose]:
    """The dose and its prescription, locked and checked: the actor's own, active,
    nurse-given, and the dose still to be given."""
    rx = Prescription.objects.select_for_update().get(pk=dose.prescription_id)
    if rx.patient_id != actor.pk:
        raise ValidationError("Only the patient can book their own appointments.")
    if rx.status != Prescription.Status.ACTIVE:
        raise ValidationError("This prescription was stopped, so it has no doses to book.")
    if rx.given_by != GivenBy.NURSE:
        raise ValidationError("A nurse does not give these injections, so there is no booking.")
    locked = Dose.objects.select_for_update().get(pk=dose.pk)
    if not Dose.objects.filter(states.open_(), pk=locked.pk).exists():
        raise ValidationError("This dose has already been given, missed or moved.")
    return rx, locked


def _raise_revision(rx: Prescription) -> None:
    # The schedule and home pages are cached under the revision: they show the appointment.
    Prescription.objects.filter(pk=rx.pk).update(revision=F("revision") + 1)


def appointment_book(
    *,
    dose: Dose,
    on: date,
    at: time | None = None,
    place: str = "",
    actor: User,
    request: HttpRequest | None = None,
    source: str = "page",
    today: date | None = None,
) -> Appointment:
    """Record the appointment booked for `dose`, replacing the live one (kept, cancelled);
    the same details again change nothing. Booking reminders for the dose stop."""
    place = place.strip()
    with transaction.atomic():
        rx, locked = _lock_dose(dose=dose, actor=actor)
        today = today or local_today(rx.patient)
        if errors := appointment_problems(dose=locked, on=on, place=place, today=today):
            raise ValidationError(errors)
        previous = Appointment.objects.live().select_for_update().filter(dose=locked).first()
        if previous is not None and (previous.on, previous.at, previous.place) == (on, at, place):
            return previous  # the same answer twice: one appointment
        if previous is not None:
            Appointment.objects.live().filter(pk=previous.pk).update(cancelled_at=timezone.now())
        booked = Appointment(
            prescription=rx, dose=locked, on=on, at=at, place=place, created_by=actor
        )
        booked.full_clean()
        booked.save()
        _raise_revision(rx)
        log_action(
            actor=actor,
            action="appointment.booked",
            patient=rx.patient,
            obj=booked,
            request=request,
            detail={
                "dose": locked.pk,
                "on": on.isoformat(),
                "at": at.isoformat(timespec="minutes") if at else None,
                "place": place,
                "replaces": previous.pk if previous else None,
                "source": source,
            },
        )
        appointment_booked.send(sender=Appointment, appointment=booked, actor=actor)
    return booked


def appointment_cancel(
    *,
    appointment: Appointment,
    actor: User,
    request: HttpRequest | None = None,
    source: str = "page",
) -> Appointment:
    """Cancel a live appointment; the dose is again one to book (its reminders come back)."""
    with transaction.atomic():
        rx = Prescription.objects.select_for_update().get(pk=appointment.prescription_id)
        if rx.patient_id != actor.pk:
            raise ValidationError("Only the patient can cancel their own appointments.")
        now = timezone.now()
        if Appointment.objects.live().filter(pk=appointment.pk).update(cancelled_at=now) != 1:
            raise ValidationError("This appointment was already cancelled or replaced.")
        appointment.cancelled_at = now
        _raise_revision(rx)
        log_action(
            actor=actor,
            action="appointment.cancelled",
            patient=rx.patient,
            obj=appointment,
            request=request,
            detail={
                "dose": appointment.dose_id,
                "on": appointment.on.isoformat(),
                "source": source,
            },
        )
    return appointment
