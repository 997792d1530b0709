"""Adjustment triggers as rules over the evidence: symptoms returning well before the next
dose, pins and needles new or worse, a deficient serum B12 while on maintenance.

Each rule says whether its evidence holds for a prescription now, and in words why. A rule
raises its flag once per episode: while the evidence holds nothing more is raised (open or
resolved), and a new episode (a new flag) starts only after the evidence went away and came
back. They run when a check-in or a lab result is saved, when the plan is re-planned, and in
the review sweep for patients with new evidence.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import CareLink
from schedules.models import Dose, PhaseKind, Prescription

from .labs.bands import Band, band
from .labs.catalogue import printed
from .models import CheckIn, Flag, LabResult, LabTest, TriggerState
from .review import raise_flag
from .symptom_return import (
    Cycle,
    ReturnSummary,
    patient_cycles,
    summarise,
    tingling_new_or_worse,
)

EARLY_BY_DAYS = 14  # symptoms back this many days or more before the next dose is due ...
EARLY_IN = 2  # ... in this many ...
OF_LAST = 3  # ... of the last completed cycles
# The sweep looks again at patients whose check-ins or results changed this recently.
SWEEP_LOOKBACK = timedelta(days=2)


@dataclass(frozen=True)
class Evidence:
    kind: str
    summary: str  # one line for the flag: what the data shows


def early_return(summary: ReturnSummary) -> Evidence | None:
    """Symptoms back EARLY_BY_DAYS or more before the next dose in EARLY_IN of the last
    OF_LAST completed cycles: "Symptoms return around day 60 of 90 (cycles: 58, 61, 63)"."""
    last = summary.counted[:OF_LAST]
    early = [c for c in last if (c.returned_early_by or 0) >= EARLY_BY_DAYS]
    if len(early) < EARLY_IN:
        return None
    oldest_first = list(reversed(last))
    days = ", ".join(
        str(c.return_day) if c.return_day is not None else "none" for c in oldest_first
    )
    returned = [c.return_day for c in last if c.return_day is not None]
    around = summary.around_day or round(statistics.median(returned))
    text = f"Symptoms return around day {around} of {summary.interval_days} (cycles: {days})"
    return Evidence(kind=Flag.Kind.SYMPTOMS_RETURN_EARLY, summary=text)


def tingling(cycles: list[Cycle]) -> Evidence | None:
    if not tingling_new_or_worse(cycles):
        return None
    newest = max((day for cycle in cycles for day in cycle.days), key=lambda day: day.on)
    text = f"Pins and needles new or worse in the check-in of {newest.on:%-d %b %Y}"
    return Evidence(kind=Flag.Kind.TINGLING_WORSE, summary=text)


def low_b12(prescription: Prescription) -> Evidence | None:
    """The newest serum B12 is deficient and was taken once maintenance had started."""
    latest = (
        LabResult.objects.filter(patient_id=prescription.patient_id, test=LabTest.SERUM_B12)
        .order_by("-taken_on", "-pk")
        .first()
    )
    if latest is None or band(latest) != Band.DEFICIENT:
        return None
    on_maintenance = Dose.objects.filter(
        prescription=prescription, phase__kind=PhaseKind.MAINTENANCE, due__lte=latest.taken_on
    ).exists() or _started_on_maintenance(prescription, latest.taken_on)
    if not on_maintenance:
        return None
    value = f"{printed(latest.value)} {latest.get_unit_display()}"
    text = f"Serum B12 {value} on {latest.taken_on:%-d %b %Y}, in the deficient range"
    return Evidence(kind=Flag.Kind.LOW_B12_ON_MAINTENANCE, summary=text)


def _started_on_maintenance(prescription: Prescription, taken_on: date) -> bool:
    # A patient who joined on maintenance has no maintenance dose before their first one.
    return prescription.joined_stage == "maintenance" and prescription.start_date <= taken_on


def interval_began(prescription: Prescription) -> date | None:
    """The first dose of the newest maintenance phase: cycles before it were on an interval
    the clinician has since changed, so they say nothing about the one now prescribed."""
    newest = prescription.phases.filter(kind=PhaseKind.MAINTENANCE).order_by("-order").first()
    if newest is None:
        return None
    first = Dose.objects.filter(phase=newest).order_by("due").values_list("due", flat=True)
    return first.first()


def evidence_for(prescription: Prescription) -> dict[str, Evidence | None]:
    """Every rule's verdict for the prescription (a handful of queries)."""
    cycles = patient_cycles(prescription.patient)
    began = interval_began(prescription)
    on_this_interval = [c for c in cycles if began is None or c.injected_on >= began]
    return {
        Flag.Kind.SYMPTOMS_RETURN_EARLY: early_return(summarise(on_this_interval)),
        Flag.Kind.TINGLING_WORSE: tingling(cycles),
        Flag.Kind.LOW_B12_ON_MAINTENANCE: low_b12(prescription),
    }


TRIGGER_KINDS = (
    Flag.Kind.SYMPTOMS_RETURN_EARLY,
    Flag.Kind.TINGLING_WORSE,
    Flag.Kind.LOW_B12_ON_MAINTENANCE,
)


def episode_key(prescription: Prescription, kind: str, episode: int) -> str:
    return f"rx:{prescription.pk}:{kind}:episode:{episode}"


def _record(prescription: Prescription, kind: str, found: Evidence | None, now: datetime) -> int:
    """Move the rule's state on; raise the flag when an episode starts (or was not raised)."""
    state, _ = TriggerState.objects.select_for_update().get_or_create(
        prescription=prescription, kind=kind
    )
    if found is None:
        if state.active:
            TriggerState.objects.filter(pk=state.pk).update(active=False, changed_at=now)
        return 0
    current = Flag.objects.filter(key=episode_key(prescription, kind, state.episode)).first()
    changed = current is not None and current.summary != found.summary[:200]
    answered = current is not None and current.status == Flag.Status.RESOLVED
    if not state.active or (answered and changed):
        # A new episode: the evidence came back, or it changed after the clinician answered
        # the last flag (a newer low result, another early cycle): they hear of it again.
        state.episode += 1
        TriggerState.objects.filter(pk=state.pk).update(
            active=True, episode=state.episode, changed_at=now
        )
    key = episode_key(prescription, kind, state.episode)
    raised = raise_flag(
        kind=kind,
        prescription=prescription,
        key=key,
        summary=found.summary[:200],
        now=now,
        detail={"episode": state.episode, "evidence": found.summary},
    )
    if not raised:
        # The same episode: a flag still waiting shows the evidence as it stands now.
        Flag.objects.filter(key=key, status__in=Flag.UNRESOLVED).exclude(
            summary=found.summary[:200]
        ).update(summary=found.summary[:200])
    return int(raised)


def _followed(prescription: Prescription) -> bool:
    return CareLink.objects.filter(
        patient_id=prescription.patient_id, status=CareLink.Status.ACTIVE
    ).exists()


def run_triggers(*, prescription: Prescription, now: datetime | None = None) -> int:
    """Every rule for one active prescription of a followed patient; the flags raised."""
    if prescription.status != Prescription.Status.ACTIVE or not _followed(prescription):
        return 0
    now = now or timezone.now()
    raised = 0
    with transaction.atomic():
        for kind, found in evidence_for(prescription).items():
            raised += _record(prescription, kind, found, now)
    return raised


def run_for_patient(*, patient_id: int, now: datetime | None = None) -> int:
    rx = (
        Prescription.objects.filter(patient_id=patient_id, status=Prescription.Status.ACTIVE)
        .select_related("patient__patient_profile")
        .first()
    )
    return 0 if rx is None else run_triggers(prescription=rx, now=now)


def evidence_recorded_received(*, patient_id: int, lab: bool, **_: object) -> None:
    """Receiver of `evidence_recorded`, inside the saving service's transaction so that both
    commit together: the rules, and a lab result marks its planned test done."""
    from .plan import plan_mark_done_by_labs

    if lab:
        plan_mark_done_by_labs(now=timezone.now(), patient_id=patient_id)
    run_for_patient(patient_id=patient_id)


def plan_changed_triggered(*, prescription: Prescription, **_: object) -> None:
    """Receiver of schedules' `plan_changed`: an injection logged or moved changes cycles."""
    run_triggers(prescription=prescription)


def run_all_triggers(*, now: datetime) -> int:
    """The sweep: prescriptions of followed patients with check-ins or results changed lately."""
    since = now - SWEEP_LOOKBACK
    # EXISTS, not joins: a join of check-ins with results would multiply their rows.
    checked_in = CheckIn.objects.filter(patient=OuterRef("patient"), updated_at__gte=since)
    results = LabResult.objects.filter(patient=OuterRef("patient")).filter(
        Q(created_at__gte=since) | Q(changed_at__gte=since)
    )
    followed = CareLink.objects.filter(status=CareLink.Status.ACTIVE).values("patient_id")
    prescriptions = (
        Prescription.objects.filter(Exists(checked_in) | Exists(results))
        .filter(status=Prescription.Status.ACTIVE, patient_id__in=followed)
        .select_related("patient__patient_profile")
    )
    return sum(run_triggers(prescription=rx, now=now) for rx in prescriptions)
