"""Writes for answers to a reminder: "I've had it" logs the injection, "Remind me later" puts
a snoozed reminder in the outbox. Each runs in one transaction, holds the prescription's row
lock (the one the injection log takes) so two devices answering at once are served in turn,
and records one `ReminderAnswer` whose unique nonce makes a link or a text reply count once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User
from core.clock import local_today
from reminders.models import Kind, Notification, ReminderAnswer
from reminders.planner import booked_reason
from schedules.models import Appointment, Dose, Injection, Prescription, Site
from schedules.selectors import site_uses, suggested_site
from schedules.services.injections import injection_log

from .snooze import SnoozePlan, day_text, snooze_plan, when_text
from .tokens import LinkProblem, check_open


@dataclass(frozen=True)
class Asked:
    """One answer as it arrived: whose, about which dose and reminder, by what way, and the
    nonce that makes it count once."""

    patient: User
    dose_id: int
    notification_id: int | None
    nonce: str
    via: str


def suggested_site_for(dose: Dose) -> str:
    prescription = dose.prescription
    suggestion = suggested_site(site_uses(patient=prescription.patient, route=prescription.route))
    return suggestion.site if suggestion else ""


def _begin(asked: Asked) -> Dose:
    """Inside the transaction: lock the prescription, refuse a used nonce or a settled dose,
    and return the dose as it is now."""
    prescription_id = Dose.objects.values_list("prescription_id", flat=True).get(pk=asked.dose_id)
    Prescription.objects.select_for_update().filter(pk=prescription_id).first()
    earlier = ReminderAnswer.objects.filter(nonce=asked.nonce).first()
    if earlier is not None:
        message = earlier.outcome or "You already answered this reminder: nothing more to do."
        raise LinkProblem(LinkProblem.USED, message, answer=earlier)
    dose = Dose.objects.select_related("prescription__patient__patient_profile").get(
        pk=asked.dose_id
    )
    check_open(dose, asked.patient)
    return dose


def _given_on_problem(dose: Dose, given_on: date, today: date) -> str:
    if given_on > today:
        return "That date is in the future. Answer once you have had the injection."
    if given_on < dose.earliest or given_on > dose.latest:
        return (
            f"That date is outside this dose's window ({day_text(dose.earliest)} to "
            f"{day_text(dose.latest)}). Log it on the Log injection page instead."
        )
    return ""


def _record(
    asked: Asked,
    dose: Dose,
    action: str,
    outcome: str,
    *,
    injection: Injection | None = None,
    snoozed_until: datetime | None = None,
) -> ReminderAnswer:
    answer = ReminderAnswer(
        patient=asked.patient,
        dose=dose,
        notification_id=asked.notification_id,
        action=action,
        via=asked.via,
        nonce=asked.nonce,
        outcome=outcome[:200],
        injection=injection,
        snoozed_until=snoozed_until,
    )
    answer.full_clean(validate_constraints=False, validate_unique=False)
    answer.save()
    return answer


def taken_answer(
    *,
    asked: Asked,
    given_on: date | None = None,
    site: str | None = None,
    request: HttpRequest | None = None,
) -> ReminderAnswer:
    """ "I've had it": log the injection on the dose (given today unless said otherwise, at the
    suggested site unless another is chosen) and record the answer. A used nonce, a settled
    dose or a date outside the window raises and writes nothing."""
    with transaction.atomic():
        dose = _begin(asked)
        today = local_today(asked.patient)
        given_on = given_on or today
        if problem := _given_on_problem(dose, given_on, today):
            raise ValidationError({"given_on": [problem]})
        site = suggested_site_for(dose) if site is None else site
        injection = injection_log(
            prescription=dose.prescription,
            actor=asked.patient,
            given_on=given_on,
            site=site,
            given_by=dose.prescription.given_by,
            client_token=f"answer-{asked.nonce}"[:64],
            request=request,
            today=today,
            source="answer",
        )
        if not Dose.objects.filter(pk=dose.pk, injection=injection).exists():
            raise ValidationError(
                "That injection did not match this dose, so nothing was logged. "
                "Log it on the Log injection page instead."
            )
        where = f", {Site(site).label.split(' (')[0].lower()}" if site else ""
        outcome = f"Logged: injection on {day_text(given_on)}{where}."
        answer = _record(asked, dose, ReminderAnswer.Action.TAKEN, outcome, injection=injection)
        _audit(asked, answer, request)
    return answer


def snooze_answer(
    *, asked: Asked, request: HttpRequest | None = None, now: datetime | None = None
) -> ReminderAnswer:
    """ "Remind me later": one snoozed reminder per channel that can reach the patient before
    the window closes (`snooze.snooze_plan`), promised for the first of them. A dose is
    snoozed once: asking again, or when no reminder could come in time, explains and changes
    nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        dose = _begin(asked)
        earlier = ReminderAnswer.objects.filter(
            dose=dose, action=ReminderAnswer.Action.LATER
        ).first()
        if earlier is not None:
            raise LinkProblem(LinkProblem.SNOOZED, _already_snoozed(earlier, asked.patient, now))
        plan = snooze_plan(dose, asked.patient, now=now)
        _snoozed_rows(dose, asked.patient, plan=plan, now=now)
        outcome = f"We will remind you again {when_text(plan.first, asked.patient, now=now)}."
        answer = _record(
            asked, dose, ReminderAnswer.Action.LATER, outcome, snoozed_until=plan.first
        )
        _audit(asked, answer, request)
    return answer


def _already_snoozed(earlier: ReminderAnswer, patient: User, now: datetime) -> str:
    if earlier.snoozed_until is None:
        return "You already asked to be reminded later about this injection."
    return (
        "You already asked to be reminded later about this injection: we will remind you "
        f"{when_text(earlier.snoozed_until, patient, now=now)}."
    )


def _snoozed_rows(dose: Dose, patient: User, *, plan: SnoozePlan, now: datetime) -> None:
    rows = []
    for channel, send_at in plan.sends.items():
        row = Notification(
            recipient=patient,
            dose=dose,
            kind=Kind.SNOOZED,
            channel=channel,
            scheduled_for=plan.until,
            next_attempt_at=send_at,
            created_at=now,
        )
        row.full_clean(validate_constraints=False)
        rows.append(row)
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


def booked_answer(
    *, asked: Asked, appointment: Appointment, request: HttpRequest | None = None
) -> ReminderAnswer:
    """A booking link's answer, after `appointment_book` in the same transaction: one row per
    link (its nonce), which answering again through the link updates to the new date."""
    with transaction.atomic():
        answer = ReminderAnswer.objects.select_for_update().filter(nonce=asked.nonce).first()
        answer = answer or ReminderAnswer(nonce=asked.nonce)
        answer.patient = asked.patient
        answer.dose_id = appointment.dose_id
        answer.notification_id = asked.notification_id
        answer.action = ReminderAnswer.Action.BOOKED
        answer.via = asked.via
        answer.outcome = booked_reason(appointment.on)
        answer.full_clean(validate_constraints=False, validate_unique=False)
        answer.save()
        _audit(asked, answer, request)
    return answer


def _audit(asked: Asked, answer: ReminderAnswer, request: HttpRequest | None) -> None:
    log_action(
        actor=asked.patient,
        action=f"reminders.answer_{answer.action}",
        patient=asked.patient,
        obj=answer,
        request=request,
        detail={"via": asked.via, "dose": answer.dose_id, "outcome": answer.outcome},
    )
