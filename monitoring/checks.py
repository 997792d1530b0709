"""The review that runs when a prescription's data changes, and the record checks it adds: a
"no nerve symptoms" regimen with nerve symptoms recorded, and an ampoule used after its expiry.

`plan_changed_reviewed` listens to schedules' `plan_changed` (inside the re-planning
transaction): the review flags of that one prescription, the record checks for a patient a
clinician follows, and the end of flags whose reason went away. The periodic sweep stays as
the safety net. Each flag is raised once (database unique keys).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F, Q
from django.utils import timezone

from accounts.models import CareLink
from schedules.models import Dose, Injection, Prescription

from .endings import end_flags
from .models import Flag
from .review import raise_flag, raise_review_flags

NO_NEURO_REGIMEN = "bnf-no-neuro"
OVERDUE_GONE = "Ended automatically: the overdue dose was logged or is no longer planned."
MISMATCH_GONE = "Ended automatically: the regimen and the nerve symptoms on record now agree."
AMPOULE_GONE = "Ended automatically: the injection entry was corrected or voided."


def plan_changed_reviewed(*, prescription: Prescription, **_: object) -> None:
    """Receiver of schedules' `plan_changed`: a few queries for this one prescription."""
    now = timezone.now()
    raise_review_flags(now=now, only=prescription.pk)
    raise_record_flags(prescription=prescription, now=now)
    end_stale_flags(prescription=prescription, now=now)


def mismatch_key(prescription: Prescription) -> str:
    return f"rx:{prescription.pk}:regimen-mismatch"


def ampoule_key(injection_id: int) -> str:
    return f"injection:{injection_id}:expired-ampoule"


def _mismatched(prescription: Prescription) -> bool:
    return prescription.regimen_slug == NO_NEURO_REGIMEN and prescription.neuro


def _expired() -> Q:
    return Q(status=Injection.Status.RECORDED, expiry__lt=F("given_on"))


def raise_record_flags(*, prescription: Prescription, now: datetime) -> int:
    """The record checks, for a patient with an active clinician link (someone to read them)."""
    linked = CareLink.objects.filter(
        patient_id=prescription.patient_id, status=CareLink.Status.ACTIVE
    ).exists()
    if not linked:
        return 0
    raised = 0
    if _mismatched(prescription):
        raised += raise_flag(
            kind=Flag.Kind.REGIMEN_MISMATCH,
            prescription=prescription,
            key=mismatch_key(prescription),
            now=now,
            detail={"regimen": prescription.regimen_slug},
        )
    injections = Injection.objects.filter(_expired(), prescription=prescription)
    for injection in injections.exclude(pk__in=_flagged_injections(prescription)):
        assert injection.expiry is not None  # the filter asked for an expiry
        raised += raise_flag(
            kind=Flag.Kind.EXPIRED_AMPOULE,
            prescription=prescription,
            key=ampoule_key(injection.pk),
            summary=expired_summary(injection.given_on, injection.expiry),
            now=now,
            detail={"injection": injection.pk, "expiry": injection.expiry.isoformat()},
        )
    return raised


def expired_summary(given_on: date, expiry: date) -> str:
    shape = "%-d %b" if given_on.year == expiry.year else "%-d %b %Y"
    return f"Injection on {given_on:{shape}} used an ampoule that expired on {expiry:{shape}}"


def _flagged_injections(prescription: Prescription) -> list[int]:
    keys = Flag.objects.filter(
        prescription=prescription, kind=Flag.Kind.EXPIRED_AMPOULE
    ).values_list("key", flat=True)
    return [int(key.split(":")[1]) for key in keys]


def end_stale_flags(*, prescription: Prescription, now: datetime) -> int:
    """End the flags whose reason went away: the overdue dose was given (or re-planned away),
    the record no longer mismatches, the expired entry was corrected or voided."""
    unresolved = Flag.objects.filter(
        prescription=prescription, status__in=Flag.UNRESOLVED
    ).select_related("patient")
    overdue = unresolved.filter(kind=Flag.Kind.MAINTENANCE_OVERDUE).exclude(
        dose__in=Dose.objects.open()
    )
    ended = len(end_flags(overdue, why=OVERDUE_GONE, now=now))
    if not _mismatched(prescription):
        mismatch = unresolved.filter(kind=Flag.Kind.REGIMEN_MISMATCH)
        ended += len(end_flags(mismatch, why=MISMATCH_GONE, now=now))
    still = {
        ampoule_key(pk)
        for pk in Injection.objects.filter(_expired(), prescription=prescription).values_list(
            "pk", flat=True
        )
    }
    ampoules = unresolved.filter(kind=Flag.Kind.EXPIRED_AMPOULE).exclude(key__in=still)
    ended += len(end_flags(ampoules, why=AMPOULE_GONE, now=now))
    return ended


def raise_all_record_flags(*, now: datetime) -> int:
    """The record checks over every active prescription of a followed patient: the safety net
    the periodic sweep runs (and demo seeding), should a change have raised nothing."""
    followed = CareLink.objects.filter(status=CareLink.Status.ACTIVE).values("patient_id")
    mismatched = Prescription.objects.filter(
        status=Prescription.Status.ACTIVE,
        regimen_slug=NO_NEURO_REGIMEN,
        neuro=True,
        patient_id__in=followed,
    ).exclude(flags__kind=Flag.Kind.REGIMEN_MISMATCH)
    expired = Injection.objects.filter(
        _expired(), prescription__status=Prescription.Status.ACTIVE, patient_id__in=followed
    ).values_list("prescription_id", flat=True)
    ids = set(mismatched.values_list("pk", flat=True)) | set(expired)
    raised = 0
    for prescription in Prescription.objects.filter(pk__in=ids).select_related("patient"):
        raised += raise_record_flags(prescription=prescription, now=now)
    return raised
