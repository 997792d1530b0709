"""The monitoring plan: which blood test or review is planned when, its status on a day, the
items a prescription brings, the clinician's changes, and the sweep that reminds and flags.

Statuses on a patient's day: planned, due (from DUE_WITHIN_DAYS before the date), overdue
(more than OVERDUE_AFTER_DAYS after it), done, cancelled. A lab result of the planned test
taken on or after the day the item became due marks it done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import CareLink, User
from core.clock import home_zone, local_today
from core.messages import first_name, site_link
from reminders.models import Kind, Notification
from reminders.prompts import prompt_enqueue, prompt_withdraw
from schedules.models import Prescription

from .endings import end_flags
from .models import Flag, LabResult, LabTest, PlanItem, PlanWhat
from .review import raise_flag, three_month_review_on

DUE_WITHIN_DAYS = 14
OVERDUE_AFTER_DAYS = 14
# "Book your blood test" goes this many days ahead, time enough to get an appointment.
REMIND_DAYS_BEFORE = 10
PREGNANCY_REVIEW_MONTHS = 1  # NICE NG239: review at 1 month in pregnancy, else 3
# A prescription typed in long after it started brings no plan for checks long past.
DERIVE_STILL_NEWS = timedelta(days=60)
DERIVED_TESTS = (PlanWhat.FULL_BLOOD_COUNT, PlanWhat.SERUM_B12)

# Which lab results count as the planned test (a full blood count reports both).
LAB_TESTS_FOR: dict[str, tuple[str, ...]] = {
    PlanWhat.FULL_BLOOD_COUNT: (LabTest.HAEMOGLOBIN, LabTest.MCV),
    PlanWhat.SERUM_B12: (LabTest.SERUM_B12,),
    PlanWhat.ACTIVE_B12: (LabTest.ACTIVE_B12,),
    PlanWhat.MMA: (LabTest.MMA,),
    PlanWhat.FOLATE: (LabTest.FOLATE,),
    PlanWhat.FERRITIN: (LabTest.FERRITIN,),
    PlanWhat.REVIEW: (),
}
STATUS_WORDS = {
    "planned": "Planned",
    "due": "Due",  # from two weeks before the date to two weeks after it
    "overdue": "Overdue",
    "done": "Done",
    "cancelled": "Cancelled",
}


def item_status(item: PlanItem, today: date) -> str:
    """planned, due, overdue, done or cancelled, on the patient's `today`."""
    if item.status != PlanItem.Status.PLANNED:
        return item.status
    if today > item.due_on + timedelta(days=OVERDUE_AFTER_DAYS):
        return "overdue"
    if today >= item.due_on - timedelta(days=DUE_WITHIN_DAYS):
        return "due"
    return "planned"


def window_start(item: PlanItem) -> date:
    """From when a result counts for the item: two weeks before its date, and never before a
    clinician planned it (a result they already had in hand is not the test they asked for)."""
    start = item.due_on - timedelta(days=DUE_WITHIN_DAYS)
    if item.origin == PlanItem.Origin.CLINICIAN:
        start = max(start, item.created_at.date())
    return start


def is_pregnancy(prescription: Prescription) -> bool:
    """The prescription has no pregnancy field: its plan or notes saying so is what we have."""
    text = f"{prescription.monitoring_plan} {prescription.notes}".lower()
    return "pregnan" in text


def review_on(prescription: Prescription) -> date:
    if is_pregnancy(prescription):
        return prescription.start_date + relativedelta(months=PREGNANCY_REVIEW_MONTHS)
    return three_month_review_on(prescription)


def derived_key(prescription: Prescription, what: str) -> str:
    return f"rx:{prescription.pk}:{what}:start"


# --- Deriving the plan from a prescription ------------------------------------------------------


def plan_derive(*, prescription: Prescription, now: datetime) -> int:
    """The checks a prescription brings when it starts: a full blood count and a serum B12 at
    3 months and the review (NG239). Once per prescription; a cancelled one stays cancelled."""
    if prescription.status != Prescription.Status.ACTIVE:
        return 0
    tests_on = prescription.start_date + relativedelta(months=3)
    if tests_on + DERIVE_STILL_NEWS < local_today(prescription.patient, now=now):
        return 0
    wanted = {what: tests_on for what in DERIVED_TESTS} | {PlanWhat.REVIEW: review_on(prescription)}
    rows = [
        PlanItem(
            patient_id=prescription.patient_id,
            prescription=prescription,
            what=what,
            due_on=due_on,
            origin=PlanItem.Origin.REGIMEN,
            key=derived_key(prescription, what),
            created_at=now,
        )
        for what, due_on in wanted.items()
    ]
    existing = set(
        PlanItem.objects.filter(key__in=[row.key for row in rows]).values_list("key", flat=True)
    )
    rows = [row for row in rows if row.key not in existing]
    # A parallel derivation may win the race: the unique key makes the loser's rows no-ops.
    PlanItem.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def plan_derive_missing(*, now: datetime) -> int:
    """The sweep's safety net: active prescriptions recent enough for a plan that have none
    (written in bulk, or before the plan existed) get theirs."""
    earliest = now.date() - relativedelta(months=3) - DERIVE_STILL_NEWS - timedelta(days=1)
    bare = (
        Prescription.objects.filter(status=Prescription.Status.ACTIVE, start_date__gte=earliest)
        .exclude(plan_items__origin=PlanItem.Origin.REGIMEN)
        .select_related("patient__patient_profile")
    )
    return sum(plan_derive(prescription=rx, now=now) for rx in bare)


def plan_changed_planned(*, prescription: Prescription, **_: object) -> None:
    """Receiver of schedules' `plan_changed`: the plan a starting prescription brings."""
    if not PlanItem.objects.filter(prescription=prescription, origin="regimen").exists():
        plan_derive(prescription=prescription, now=timezone.now())


# --- The clinician's changes --------------------------------------------------------------------


def _check_date(due_on: date, prescription: Prescription) -> None:
    if due_on < prescription.start_date:
        raise ValidationError({"due_on": "Choose a date on or after the prescription's start."})
    if due_on > prescription.start_date + relativedelta(years=10):
        raise ValidationError({"due_on": "Choose a date within ten years of the start."})


def _audit(item: PlanItem, actor: User | None, action: str, request: HttpRequest | None) -> None:
    log_action(
        actor=actor,
        action=action,
        patient=item.patient,
        obj=item,
        request=request,
        detail={"what": item.what, "due_on": item.due_on.isoformat(), "status": item.status},
    )


@transaction.atomic
def plan_item_add(
    *,
    prescription: Prescription,
    what: str,
    due_on: date,
    note: str,
    actor: User,
    request: HttpRequest | None = None,
) -> PlanItem:
    _check_date(due_on, prescription)
    item = PlanItem(
        patient_id=prescription.patient_id,
        prescription=prescription,
        what=what,
        due_on=due_on,
        note=note,
        origin=PlanItem.Origin.CLINICIAN,
    )
    item.full_clean()
    item.save()
    _audit(item, actor, "plan_item.added", request)
    return item


def _guarded(item: PlanItem, **values: object) -> None:
    """Change a still-planned item; refused if it was done or cancelled meanwhile."""
    changed = PlanItem.objects.filter(pk=item.pk, status=PlanItem.Status.PLANNED).update(
        changed_at=timezone.now(), **values
    )
    if changed != 1:
        raise ValidationError("This check is no longer planned: reload the page.")
    prompt_withdraw(key=prompt_key(item), reason="The planned check changed.")
    end_flags(
        Flag.objects.filter(key=overdue_key(item), status__in=Flag.UNRESOLVED),
        why="Ended automatically: the planned check was moved, done or cancelled.",
        now=timezone.now(),
    )
    item.refresh_from_db()


@transaction.atomic
def plan_item_change(
    *,
    item: PlanItem,
    due_on: date,
    note: str,
    actor: User,
    request: HttpRequest | None = None,
) -> PlanItem:
    _check_date(due_on, item.prescription)
    _guarded(item, due_on=due_on, note=note)
    _audit(item, actor, "plan_item.changed", request)
    return item


@transaction.atomic
def plan_item_cancel(
    *, item: PlanItem, actor: User, request: HttpRequest | None = None
) -> PlanItem:
    _guarded(item, status=PlanItem.Status.CANCELLED)
    _audit(item, actor, "plan_item.cancelled", request)
    return item


def prescription_stopped_received(*, prescription: Prescription, actor: User, **_: object) -> None:
    """Receiver of schedules' `prescription_stopped`: its checks still planned are cancelled,
    with their reminders and overdue flags, in the stopping transaction."""
    for item in PlanItem.objects.filter(
        prescription=prescription, status=PlanItem.Status.PLANNED
    ).select_related("patient"):
        _guarded(item, status=PlanItem.Status.CANCELLED)
        _audit(item, actor, "plan_item.cancelled", None)


@transaction.atomic
def plan_item_done(
    *, item: PlanItem, actor: User | None, done_on: date, request: HttpRequest | None = None
) -> PlanItem:
    if done_on > local_today(item.patient):
        raise ValidationError({"done_on": "The date it was done cannot be in the future."})
    _guarded(item, status=PlanItem.Status.DONE, done_on=done_on)
    log_action(
        actor=actor,
        action="plan_item.done",
        patient=item.patient,
        obj=item,
        request=request,
        detail={"what": item.what, "done_on": done_on.isoformat()},
    )
    return item


# --- Done by a lab result -----------------------------------------------------------------------


def plan_mark_done_by_labs(*, now: datetime, patient_id: int | None = None) -> int:
    """Each planned test with a result of that test taken since it became due is done."""
    planned = PlanItem.objects.filter(status=PlanItem.Status.PLANNED).exclude(what=PlanWhat.REVIEW)
    if patient_id is not None:
        planned = planned.filter(patient_id=patient_id)
    items = list(planned.select_related("patient"))
    if not items:
        return 0
    labs = LabResult.objects.filter(
        patient_id__in={item.patient_id for item in items},
        taken_on__gte=min(window_start(item) for item in items),
    ).order_by("taken_on", "pk")
    by_patient: dict[int, list[LabResult]] = {}
    for lab in labs:
        by_patient.setdefault(lab.patient_id, []).append(lab)
    done = 0
    for item in items:
        found = _matching_lab(item, by_patient.get(item.patient_id, []))
        if found is not None:
            done += _done_by(item, found, now)
    return done


def _matching_lab(item: PlanItem, labs: list[LabResult]) -> LabResult | None:
    tests = LAB_TESTS_FOR[item.what]
    return next(
        (lab for lab in labs if lab.test in tests and lab.taken_on >= window_start(item)), None
    )


def _done_by(item: PlanItem, lab: LabResult, now: datetime) -> int:
    with transaction.atomic():
        changed = PlanItem.objects.filter(pk=item.pk, status=PlanItem.Status.PLANNED).update(
            status=PlanItem.Status.DONE, done_on=lab.taken_on, done_by_lab=lab, changed_at=now
        )
        if not changed:
            return 0
        prompt_withdraw(key=prompt_key(item), reason="The test result is in.")
        end_flags(
            Flag.objects.filter(key=overdue_key(item), status__in=Flag.UNRESOLVED),
            why="Ended automatically: the test result is in.",
            now=now,
        )
        log_action(
            actor=None,
            action="plan_item.done",
            patient=item.patient,
            obj=item,
            detail={"what": item.what, "lab": lab.pk, "done_on": lab.taken_on.isoformat()},
        )
    return 1


def plan_reviews_done(*, now: datetime) -> int:
    """A derived review is done once the clinician answered the three-month review flag
    (confirmed the prescription or changed the interval): the flag is the review's to-do."""
    items = PlanItem.objects.filter(
        status=PlanItem.Status.PLANNED, what=PlanWhat.REVIEW, origin=PlanItem.Origin.REGIMEN
    ).select_related("patient__patient_profile")
    answered = Flag.objects.filter(
        kind=Flag.Kind.THREE_MONTH_REVIEW,
        status=Flag.Status.RESOLVED,
        acted_at__isnull=False,
        prescription_id__in=items.values("prescription_id"),
    )
    flags = {flag.prescription_id: flag for flag in answered}
    done = 0
    for item in items:
        flag = flags.get(item.prescription_id)
        if flag is not None and flag.acted_at is not None:
            done_on = local_today(item.patient, now=flag.acted_at)
            with transaction.atomic():
                try:
                    _guarded(item, status=PlanItem.Status.DONE, done_on=done_on)
                except ValidationError:
                    continue  # done or cancelled meanwhile
                _audit(item, flag.acted_by, "plan_item.done", None)
            done += 1
    return done


# --- Reminders and the overdue flag -------------------------------------------------------------


def prompt_key(item: PlanItem) -> str:
    return f"plan:{item.pk}:{item.due_on:%Y%m%d}"


def overdue_key(item: PlanItem) -> str:
    return f"plan:{item.pk}:overdue:{item.due_on:%Y%m%d}"


def _prompt_kind(item: PlanItem) -> str:
    return Kind.REVIEW_DUE if item.what == PlanWhat.REVIEW else Kind.LAB_DUE


def _remind_at(item: PlanItem, now: datetime) -> datetime:
    profile = item.patient.patient_profile
    remind_on = item.due_on - timedelta(days=REMIND_DAYS_BEFORE)
    at = datetime.combine(remind_on, profile.reminder_time, tzinfo=home_zone(item.patient))
    return max(at, now)


def _open_items(now: datetime) -> QuerySet[PlanItem]:
    """Planned items whose reminder day or overdue day may have come (margins for zones)."""
    utc = now.date()
    return PlanItem.objects.filter(
        status=PlanItem.Status.PLANNED,
        prescription__status=Prescription.Status.ACTIVE,
        due_on__lte=utc + timedelta(days=REMIND_DAYS_BEFORE + 1),
    ).select_related("patient__patient_profile", "prescription__patient")


def plan_remind(*, now: datetime) -> int:
    """Put "book your test" on the patient's channels from REMIND_DAYS_BEFORE the date, until
    the date; once per item and date (the outbox key)."""
    asked = 0
    for item in _open_items(now):
        today = local_today(item.patient, now=now)
        if item.due_on - timedelta(days=REMIND_DAYS_BEFORE) <= today <= item.due_on:
            asked += prompt_enqueue(
                patient=item.patient,
                kind=_prompt_kind(item),
                key=prompt_key(item),
                at=_remind_at(item, now),
                payload={"plan_item": item.pk},
            )
    return asked


def plan_flag_overdue(*, now: datetime) -> int:
    """One TEST_OVERDUE flag per overdue item (and date) of a patient a clinician follows; not
    for a derived review while its own three-month review flag is still waiting."""
    followed = CareLink.objects.filter(status=CareLink.Status.ACTIVE).values("patient_id")
    cutoff = now.date() - timedelta(days=OVERDUE_AFTER_DAYS - 1)
    items = _open_items(now).filter(due_on__lt=cutoff, patient_id__in=followed)
    reviewing = set(
        Flag.objects.filter(
            kind=Flag.Kind.THREE_MONTH_REVIEW, status__in=Flag.UNRESOLVED
        ).values_list("prescription_id", flat=True)
    )
    raised = 0
    for item in items:
        if item_status(item, local_today(item.patient, now=now)) != "overdue":
            continue
        if item.what == PlanWhat.REVIEW and item.prescription_id in reviewing:
            continue
        raised += raise_flag(
            kind=Flag.Kind.TEST_OVERDUE,
            prescription=item.prescription,
            key=overdue_key(item),
            summary=f"{item.get_what_display()} planned for {item.due_on:%-d %b %Y}",
            now=now,
            detail={"plan_item": item.pk, "due_on": item.due_on.isoformat()},
        )
    return raised


@dataclass
class SweepResult:
    done: int
    reminded: int
    flagged: int

    @property
    def total(self) -> int:
        return self.done + self.reminded + self.flagged


def plan_sweep(*, now: datetime) -> SweepResult:
    """The periodic pass: results and reviews mark items done first, so nobody is reminded
    or flagged for a check already made."""
    plan_derive_missing(now=now)
    done = plan_mark_done_by_labs(now=now) + plan_reviews_done(now=now)
    return SweepResult(done=done, reminded=plan_remind(now=now), flagged=plan_flag_overdue(now=now))


# --- What the prompt says -----------------------------------------------------------------------


def plan_prompt_context(row: Notification) -> dict[str, object]:
    """The context of a LAB_DUE or REVIEW_DUE message: what, when; no diagnosis."""
    item = PlanItem.objects.select_related("patient__patient_profile").get(
        pk=row.payload["plan_item"]
    )
    return {
        "name": first_name(row.recipient),
        "what": item.get_what_display().lower() if item.what != PlanWhat.REVIEW else "review",
        "test": item.what != PlanWhat.REVIEW,
        "due": item.due_on,
        "link": site_link("monitoring:tests"),
        "preferences_link": site_link("reminders:preferences"),
    }


# --- Reads ------------------------------------------------------------------------------------


def plan_for_patient(*, patient: User) -> list[PlanItem]:
    """The patient's items, the still-planned first by date, then the rest, newest first."""
    rows = PlanItem.objects.filter(patient=patient).select_related("done_by_lab")
    planned = [row for row in rows if row.status == PlanItem.Status.PLANNED]
    rest = sorted(
        (row for row in rows if row.status != PlanItem.Status.PLANNED),
        key=lambda row: (row.done_on or row.due_on, row.pk),
        reverse=True,
    )
    return planned + rest
