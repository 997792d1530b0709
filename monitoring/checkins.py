"""Symptom check-ins: saving one (edits keep the earlier version), the red-flag flag, the page's
data, and the prompts that ask for the next one at the cadence the patient chose.

The prompt sweep asks reminders for one outbox row per day asked (`prompt_enqueue`); a check-in
withdraws whatever is still pending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import CareLink, Role, User
from core.clock import home_zone, local_today
from core.messages import first_name, site_link
from reminders.models import Kind, Notification
from reminders.prompts import prompt_enqueue, prompt_withdraw
from schedules.models import Dose, PhaseKind, Prescription

from .models import (
    CHECKIN_NOTE_LENGTH,
    RED_FLAGS,
    SYMPTOMS,
    CheckIn,
    CheckInPlan,
    CheckInRevision,
    Flag,
)
from .review import raise_flag
from .signals import evidence_recorded
from .symptom_return import ReturnSummary, SymptomChart, chart_of, return_summary

BACKDATE_DAYS = 90  # how far back a patient may fill in a day they missed
CLOSER_WINDOW_DAYS = 14  # before a maintenance dose, ask more often ...
CLOSER_EVERY_DAYS = 3  # ... this often, when the patient chose that
FIELDS = tuple(name for name, _ in SYMPTOMS) + tuple(name for name, _ in RED_FLAGS) + ("note",)


@dataclass(frozen=True)
class Saved:
    checkin: CheckIn
    created: bool
    changed: bool


def red_flag_key(checkin: CheckIn) -> str:
    return f"checkin:{checkin.pk}:red-flag"


def prompt_key_prefix(patient_id: int) -> str:
    return f"checkin:{patient_id}"


def _check_date(on: date, today: date) -> None:
    if on > today:
        raise ValidationError({"on": "That date is in the future. Choose today or an earlier day."})
    if on < today - timedelta(days=BACKDATE_DAYS):
        raise ValidationError(
            {"on": f"Check-ins can be filled in for up to {BACKDATE_DAYS} days back."}
        )


@transaction.atomic
def checkin_save(
    *,
    patient: User,
    actor: User,
    on: date,
    values: Mapping[str, object],
    today: date,
    request: HttpRequest | None = None,
) -> Saved:
    """Record how the patient felt on `on`, or edit that day's check-in (the earlier version is
    kept as a revision); raise the red-flag flag once, and withdraw pending prompts."""
    if patient.role != Role.PATIENT:
        raise ValidationError("Only a patient has check-ins.")
    _check_date(on, today)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError(f"Unknown check-in answers: {', '.join(sorted(unknown))}.")
    if len(str(values.get("note", ""))) > CHECKIN_NOTE_LENGTH:
        # A TextField's max_length binds forms only; the service holds the line for every caller.
        raise ValidationError(
            {"note": f"Keep the note to {CHECKIN_NOTE_LENGTH} characters or fewer."}
        )
    checkin = CheckIn.objects.select_for_update().filter(patient=patient, on=on).first()
    if checkin is None:
        saved = _create(patient=patient, on=on, values=values)
        if saved is None:  # a parallel save created the day first: edit it instead
            checkin = CheckIn.objects.select_for_update().get(patient=patient, on=on)
    else:
        saved = None
    if saved is None:
        assert checkin is not None
        saved = _edit(checkin, values)
    if saved.changed:
        log_action(
            actor=actor,
            action="checkin.recorded" if saved.created else "checkin.edited",
            patient=patient,
            obj=saved.checkin,
            request=request,
            detail={"on": on.isoformat(), "total": saved.checkin.total},
        )
    _raise_red_flag(saved.checkin)
    evidence_recorded.send(sender=CheckIn, patient_id=patient.pk, lab=False)
    if on == today:  # a day filled in afterwards does not answer today's prompt
        prompt_withdraw(key=prompt_key_prefix(patient.pk), reason="The patient checked in.")
    return saved


def _create(*, patient: User, on: date, values: Mapping[str, object]) -> Saved | None:
    checkin = CheckIn(patient=patient, on=on, **values)
    checkin.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError:
        return None
    return Saved(checkin=checkin, created=True, changed=True)


def _edit(checkin: CheckIn, values: Mapping[str, object]) -> Saved:
    before = checkin.snapshot()
    for name, value in values.items():
        setattr(checkin, name, value)
    checkin.full_clean(validate_unique=False)
    if checkin.snapshot() == before:
        return Saved(checkin=checkin, created=False, changed=False)
    number = checkin.revisions.count() + 1
    CheckInRevision.objects.create(
        checkin=checkin, number=number, snapshot=before, recorded_at=checkin.updated_at
    )
    checkin.updated_at = timezone.now()
    checkin.save()
    return Saved(checkin=checkin, created=False, changed=True)


def _raise_red_flag(checkin: CheckIn) -> bool:
    """Once per check-in, on the patient's current (or latest) prescription: flags hang on one."""
    if not checkin.red_flags:
        return False
    prescription = (
        Prescription.objects.filter(patient_id=checkin.patient_id)
        .order_by("status", "-start_date", "-pk")  # "active" sorts before "stopped"
        .first()
    )
    if prescription is None:
        return False
    words = ", ".join(words.lower() for words in checkin.red_flags)
    return raise_flag(
        kind=Flag.Kind.RED_FLAG_SYMPTOM,
        prescription=prescription,
        key=red_flag_key(checkin),
        summary=f"Reported for {checkin.on:%-d %b %Y}: {words}"[:200],
        now=timezone.now(),
        detail={"checkin": checkin.pk},
    )


# --- The cadence the patient chose ----------------------------------------------------------


def plan_of(patient: User) -> CheckInPlan:
    """The saved plan, or the defaults (unsaved)."""
    return CheckInPlan.objects.filter(patient=patient).first() or CheckInPlan(patient=patient)


@transaction.atomic
def checkin_plan_set(
    *,
    patient: User,
    every_days: int,
    closer_before_dose: bool,
    request: HttpRequest | None = None,
) -> CheckInPlan:
    plan = CheckInPlan.objects.select_for_update().filter(patient=patient).first()
    plan = plan or CheckInPlan(patient=patient)
    plan.every_days = every_days
    plan.closer_before_dose = closer_before_dose
    plan.updated_at = timezone.now()
    plan.full_clean()
    plan.save()
    log_action(
        actor=patient,
        action="checkin.plan_changed",
        patient=patient,
        obj=plan,
        request=request,
        detail={"every_days": every_days, "closer_before_dose": closer_before_dose},
    )
    return plan


def next_prompt_day(
    *,
    since: date | None,
    every: int,
    closer: bool,
    next_dose: date | None,
) -> date | None:
    """The next day to ask, counted from the last check-in or prompt (`since`); None when
    nothing was ever asked or answered, which means today. In the CLOSER_WINDOW_DAYS before the
    next maintenance dose, every CLOSER_EVERY_DAYS when the patient chose that."""
    if since is None:
        return None
    day = since + timedelta(days=every)
    if closer and next_dose is not None:
        sooner = max(
            since + timedelta(days=CLOSER_EVERY_DAYS),
            next_dose - timedelta(days=CLOSER_WINDOW_DAYS),
        )
        if sooner < next_dose and sooner < day:
            day = sooner
    return day


def _prompt_candidates() -> list[User]:
    """Patients with an active prescription who have not turned check-in prompts off, with what
    the cadence needs annotated (one query)."""
    next_dose = (
        Dose.objects.open()
        .filter(
            prescription__patient=OuterRef("pk"),
            prescription__status=Prescription.Status.ACTIVE,
            phase__kind=PhaseKind.MAINTENANCE,
        )
        .order_by("due")
        .values("due")[:1]
    )
    last_prompt = (
        Notification.objects.filter(recipient=OuterRef("pk"), kind=Kind.CHECKIN)
        .order_by("-scheduled_for")
        .values("scheduled_for")[:1]
    )
    return list(
        User.objects.filter(
            role=Role.PATIENT,
            is_active=True,
            prescriptions__status=Prescription.Status.ACTIVE,
        )
        .exclude(reminder_preference__checkin_enabled=False)
        .select_related("patient_profile", "checkin_plan")
        .annotate(
            last_checkin=Max("checkins__on"),
            last_prompt=Subquery(last_prompt),
            next_dose=Subquery(next_dose),
        )
        .filter(Q(patient_profile__isnull=False))
        .distinct()
    )


def _since(patient: User) -> date | None:
    last_prompt: datetime | None = getattr(patient, "last_prompt", None)
    days = [getattr(patient, "last_checkin", None)]
    if last_prompt is not None:
        days.append(last_prompt.astimezone(home_zone(patient)).date())
    known = [day for day in days if day is not None]
    return max(known) if known else None


def _prompt_instant(patient: User, today: date, now: datetime) -> datetime:
    """The patient's reminder time today, or now if that has passed."""
    wanted = datetime.combine(today, patient.patient_profile.reminder_time, home_zone(patient))
    return max(wanted, now)


def plan_checkin_prompts(*, now: datetime) -> int:
    """Ask each patient whose next check-in day has come (one prompt per day at most, keyed by
    the day, so running twice writes nothing more); the number of patients asked."""
    asked = 0
    for patient in _prompt_candidates():
        try:
            plan = patient.checkin_plan
        except CheckInPlan.DoesNotExist:
            plan = CheckInPlan(patient=patient)
        today = local_today(patient, now=now)
        day = next_prompt_day(
            since=_since(patient),
            every=plan.every_days,
            closer=plan.closer_before_dose,
            next_dose=getattr(patient, "next_dose", None),
        )
        if day is not None and day > today:
            continue
        written = prompt_enqueue(
            patient=patient,
            kind=Kind.CHECKIN,
            key=f"{prompt_key_prefix(patient.pk)}:{today.isoformat()}",
            at=_prompt_instant(patient, today, now),
            payload={"day": today.isoformat()},
        )
        asked += 1 if written else 0
    return asked


def checkin_context(row: Notification) -> dict[str, object]:
    """What a check-in prompt says: a first name and the link; no symptom, no medicine."""
    return {
        "name": first_name(row.recipient),
        "link": site_link("monitoring:checkins"),
        "preferences_link": site_link("reminders:preferences"),
    }


# --- What the check-in page reads (a fixed number of queries, whatever the history) ---------

PAGE_SIZE = 14


@dataclass(frozen=True)
class CheckInPage:
    checkins: Page[CheckIn]
    plan: CheckInPlan
    summary: ReturnSummary
    chart: SymptomChart | None
    editing: CheckIn | None
    done: CheckIn | None
    care_team_told: bool  # the done check-in's urgent answers reached a linked clinician


def checkin_for_day(patient: User, on: date | None) -> CheckIn | None:
    if on is None:
        return None
    return CheckIn.objects.filter(patient=patient, on=on).first()


def care_team_told(checkin: CheckIn | None) -> bool:
    """True only when the check-in's flag was raised and a clinician is linked now: the page
    must not promise a care team that is not there."""
    if checkin is None or not checkin.red_flags:
        return False
    return Flag.objects.filter(
        kind=Flag.Kind.RED_FLAG_SYMPTOM,
        key=red_flag_key(checkin),
        patient__clinician_links__status=CareLink.Status.ACTIVE,
    ).exists()


def checkin_page(
    *, patient: User, page: str | None, editing: date | None, done: date | None
) -> CheckInPage:
    # `edits` marks a changed day in the list.
    rows: QuerySet[CheckIn] = CheckIn.objects.filter(patient=patient).annotate(
        edits=Count("revisions")
    )
    listed = Paginator(rows.order_by("-on"), PAGE_SIZE)
    summary = return_summary(patient)
    saved = checkin_for_day(patient, done)
    return CheckInPage(
        checkins=listed.get_page(page),
        plan=plan_of(patient),
        summary=summary,
        chart=chart_of(summary),
        editing=checkin_for_day(patient, editing),
        done=saved,
        care_team_told=care_team_told(saved),
    )


# --- The home page's nudge ------------------------------------------------------------------


def checkin_nudge(*, patient: User, today: date) -> date | None:
    """The patient's last check-in date when a check-in is due by their cadence (never checked
    in: `date.min`), or None when they are up to date or turned prompts off. One query."""
    plan = CheckInPlan.objects.filter(patient=OuterRef("pk"))
    row = (
        User.objects.filter(pk=patient.pk)
        .annotate(
            last=Max("checkins__on"),
            every=Subquery(plan.values("every_days")[:1]),
        )
        .values("last", "every", "reminder_preference__checkin_enabled")
        .first()
    )
    if row is None or row["reminder_preference__checkin_enabled"] is False:
        return None
    last: date | None = row["last"]
    every = row["every"] or CheckInPlan.Every.WEEKLY
    if last is not None and last + timedelta(days=every) > today:
        return None
    return last or date.min
