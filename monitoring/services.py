"""Writes for monitoring: missed doses become flags (and a patient message), once each.

`plan_changed_received` listens to schedules' `plan_changed`, sent inside the re-planning
transaction, so a dose's missed state and its flag commit together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import CareLink
from core.clock import local_today
from reminders.planner import enqueue_missed
from reminders.services import FlagDigest, flag_digests_enqueue
from schedules.models import Dose, PhaseKind, Prescription

from .actions import appended_note
from .models import MISSED_KINDS, Flag

WITHDRAWN = "Withdrawn automatically: an injection was logged for this dose."


def flag_kind_for(dose: Dose) -> str:
    if dose.phase.kind == PhaseKind.MAINTENANCE:
        return Flag.Kind.MISSED_MAINTENANCE
    return Flag.Kind.MISSED_LOADING


def flag_missed_doses(
    *, dose_ids: Iterable[int], today: date | None = None, now: datetime | None = None
) -> list[Flag]:
    """Doses the schedule marked missed: a clinician flag and a patient message saying to
    carry on without doubling up, in one transaction. Safe to call twice."""
    now = now or timezone.now()
    with transaction.atomic():
        doses = list(
            Dose.objects.filter(pk__in=list(dose_ids), status=Dose.Status.MISSED).select_related(
                "phase", "prescription__patient__patient_profile"
            )
        )
        flags = _raise_flags(doses, now=now)
        # A window that closed before the prescription was entered is history: no message.
        news = [dose for dose in doses if dose.latest >= _recorded_on(dose)]
        if news:
            today = today or local_today(news[0].prescription.patient, now=now)
            enqueue_missed(doses=news, today=today, now=now)
    return flags


def _raise_flags(doses: list[Dose], *, now: datetime) -> list[Flag]:
    """One flag per (dose, kind): those raised before are skipped, and a flagger racing this
    one is stopped by the unique constraint (then each flag is tried on its own)."""
    # A dose whose window had closed before the prescription was entered is history nobody
    # logged, not a lapse a clinician can act on: it stays missed, but raises no flag.
    doses = [dose for dose in doses if dose.latest >= _recorded_on(dose)]
    raised = set(
        Flag.objects.filter(dose__in=doses, kind__in=MISSED_KINDS).values_list("dose_id", "kind")
    )
    new = [
        Flag(
            patient=dose.prescription.patient,
            prescription=dose.prescription,
            dose=dose,
            kind=flag_kind_for(dose),
            raised_at=now,
        )
        for dose in doses
        if (dose.pk, flag_kind_for(dose)) not in raised
    ]
    try:
        with transaction.atomic():  # a savepoint: a clash leaves the outer work intact
            flags = Flag.objects.bulk_create(new)
    except IntegrityError:
        flags = [flag for flag in map(_create_one, new) if flag is not None]
    for flag in flags:
        dose = flag.dose
        assert dose is not None  # a missed-dose flag always hangs on its dose
        log_action(
            actor=None,
            action="flag.raised",
            patient=flag.patient,
            obj=flag,
            detail={"kind": flag.kind, "dose": dose.pk, "due": dose.due.isoformat()},
        )
    return flags


def _recorded_on(dose: Dose) -> date:
    return local_today(dose.prescription.patient, now=dose.prescription.created_at)


def _create_one(flag: Flag) -> Flag | None:
    try:
        with transaction.atomic():
            flag.save()
    except IntegrityError:
        return None
    return flag


def withdraw_flags_for_taken_doses(*, prescription: Prescription, now: datetime) -> int:
    """A dose logged after all (history entered late, a correction) is no longer missed: its
    open missed-dose flag is resolved, with the reason, and audited."""
    flags = list(
        Flag.objects.filter(prescription=prescription, kind__in=MISSED_KINDS, status="open")
        .exclude(dose__status=Dose.Status.MISSED)
        .select_related("patient")
    )
    for flag in flags:
        updated = Flag.objects.filter(pk=flag.pk, status="open").update(
            status=Flag.Status.RESOLVED, note=appended_note(WITHDRAWN), acted_at=now
        )
        if updated:
            log_action(actor=None, action="flag.withdrawn", patient=flag.patient, obj=flag)
    return len(flags)


def plan_changed_received(
    *, prescription: Prescription, newly_missed: list[int], today: date, **_: object
) -> None:
    """Receiver of schedules' `plan_changed`, inside the re-planning transaction."""
    now = timezone.now()
    if newly_missed:
        flag_missed_doses(dose_ids=newly_missed, today=today, now=now)
    withdraw_flags_for_taken_doses(prescription=prescription, now=now)


# --- the daily flag digest for clinicians ----------------------------------------------------


def digest_window(*, now: datetime) -> tuple[date, datetime]:
    """Today's digest: its date and cut-off (FLAG_DIGEST_HOUR UTC); flags before it go in."""
    cutoff = datetime.combine(now.date(), time(settings.FLAG_DIGEST_HOUR), tzinfo=now.tzinfo)
    if now < cutoff:
        cutoff -= timedelta(days=1)
    return cutoff.date(), cutoff


def plan_flag_digests(*, now: datetime) -> int:
    """At most one email a day per clinician listing flags raised since their last digest."""
    day, cutoff = digest_window(now=now)
    since = cutoff - timedelta(days=1)
    flags = Flag.objects.filter(raised_at__gte=since, raised_at__lt=cutoff, status="open")
    links = CareLink.objects.filter(
        status=CareLink.Status.ACTIVE, patient_id__in=flags.values("patient_id")
    ).values_list("clinician_id", "patient_id")
    by_patient: dict[int, list[int]] = defaultdict(list)
    for flag_id, patient_id in flags.values_list("pk", "patient_id"):
        by_patient[patient_id].append(flag_id)
    per_clinician: dict[int, list[int]] = defaultdict(list)
    for clinician_id, patient_id in links:
        per_clinician[clinician_id] += by_patient[patient_id]
    digests = [
        FlagDigest(clinician_id=clinician_id, flag_ids=sorted(ids), day=day, since=since)
        for clinician_id, ids in per_clinician.items()
        if ids
    ]
    return flag_digests_enqueue(digests=digests, until=cutoff, now=now)
