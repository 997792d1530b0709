"""The symptoms section of a clinician's patient page: when symptoms return in each maintenance
cycle (chart and table), whether pins and needles are new or worse, and the latest check-ins."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from monitoring.models import RED_FLAGS, SYMPTOMS, CheckIn
from monitoring.symptom_return import (
    ReturnSummary,
    SymptomChart,
    chart_of,
    patient_cycles,
    summarise,
    tingling_new_or_worse,
)

RECENT = 10


@dataclass(frozen=True)
class RecentCheckIn:
    checkin: CheckIn
    scores: list[int]  # in SYMPTOMS order
    red_flags: list[str]


@dataclass(frozen=True)
class SymptomsSection:
    summary: ReturnSummary
    chart: SymptomChart | None
    tingling_worse: bool
    recent: list[RecentCheckIn]
    headings: list[str]


def symptoms_section(*, patient: User) -> SymptomsSection:
    """Three queries whatever the history: maintenance injections, their check-ins, and the
    latest RECENT check-ins."""
    cycles = patient_cycles(patient)
    summary = summarise(cycles)
    latest = CheckIn.objects.filter(patient=patient).order_by("-on")[:RECENT]
    return SymptomsSection(
        summary=summary,
        chart=chart_of(summary),
        tingling_worse=tingling_new_or_worse(cycles),
        recent=[
            RecentCheckIn(
                checkin=checkin,
                scores=[int(getattr(checkin, name)) for name, _ in SYMPTOMS],
                red_flags=[words for name, words in RED_FLAGS if getattr(checkin, name)],
            )
            for checkin in latest
        ],
        headings=[words for _, words in SYMPTOMS],
    )
