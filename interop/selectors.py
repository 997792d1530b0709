"""Reads for the calendar: the feed a token opens, its validators (ETag, Last-Modified) and
its events, in a fixed number of queries however long the plan."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from accounts.models import User
from monitoring.models import LabResult
from schedules.models import Dose, Injection, Prescription, volume_for

from .events import LOOK_BACK, MOVE_MARGIN, Key, current_doses, event_state, uid_for
from .models import CalendarEvent, CalendarFeed
from .tokens import token_digest

# Raised when what a feed says for the same data changes (wording, fields), so calendars
# holding the old text fetch the new one.
FORMAT = 1


def feed_by_token(*, token: str) -> CalendarFeed | None:
    """The active feed whose token this is, with its patient's profile; None otherwise.
    One query. The token is looked up by its hash, so its timing tells nothing about it."""
    digest = token_digest(token)
    feed = (
        CalendarFeed.objects.select_related("patient__patient_profile")
        .filter(token_hash=digest, revoked_at__isnull=True, patient__is_active=True)
        .first()
    )
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    return feed


def feed_for(*, patient: User) -> CalendarFeed | None:
    """The patient's feed, active or revoked, for their calendar page."""
    return CalendarFeed.objects.filter(patient=patient).first()


def feed_since(today: date) -> date:
    return today - LOOK_BACK


def feed_etag(*, feed: CalendarFeed, today: date) -> str:
    """What the feed shows depends only on its settings, the doses and the reminder time,
    all of which raise its revision, and on the first day it lists."""
    stamp = f"{feed.pk}:{feed.revision}:{feed.changed_at.isoformat()}:{feed_since(today)}:{FORMAT}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    due: date
    state: str  # planned, done, missed or cancelled
    sequence: int
    changed_at: datetime
    earliest: date
    latest: date
    given_on: date | None
    dose_mcg: int
    product: str
    volume_ml: Decimal


def feed_events(*, feed: CalendarFeed, today: date) -> list[FeedEvent]:
    """One event per dose due from a year before `today` on, across the patient's
    prescriptions, and one per dose the feed showed that was cancelled since: two queries."""
    since = feed_since(today)
    doses = (
        Dose.objects.filter(prescription__patient_id=feed.patient_id, due__gte=since)
        .select_related("prescription", "injection")
        .order_by("due", "pk")
    )
    states = {
        (state.phase_id, state.number): state
        for state in CalendarEvent.objects.filter(
            prescription__patient_id=feed.patient_id, due__gte=since - MOVE_MARGIN
        )
    }
    chosen = current_doses(doses, {key: state.due for key, state in states.items()})
    events = [
        _event(key, dose, states.get(key), feed, today)
        for key, dose in chosen.items()
        if _shown(dose, states.get(key))
    ]
    return sorted(events, key=lambda event: (event.due, event.uid))


def _shown(dose: Dose, state: CalendarEvent | None) -> bool:
    """A live dose always; a cancelled one only if the feed had shown it live (a calendar
    that never saw it has nothing to take away)."""
    if dose.status != Dose.Status.CANCELLED:
        return True
    return state is not None and state.sequence > 0


def _event(
    key: Key, dose: Dose, state: CalendarEvent | None, feed: CalendarFeed, today: date
) -> FeedEvent:
    prescription = dose.prescription
    return FeedEvent(
        uid=uid_for(key),
        due=dose.due,
        state=event_state(dose, today),
        sequence=state.sequence if state is not None else 0,
        changed_at=_last_modified(dose, state, feed),
        earliest=dose.earliest,
        latest=dose.latest,
        given_on=dose.injection.given_on if dose.injection is not None else None,
        dose_mcg=dose.dose_mcg,
        product=prescription.get_product_display(),
        volume_ml=volume_for(dose.dose_mcg, prescription.strength_mcg_per_ml),
    )


def _last_modified(dose: Dose, state: CalendarEvent | None, feed: CalendarFeed) -> datetime:
    """The latest of: its date or cancellation changing, the row made, the injection logged."""
    stamps = [state.changed_at if state is not None else feed.changed_at, dose.updated_at]
    if dose.injection is not None:
        stamps.append(dose.injection.changed_at or dose.injection.logged_at)
    return max(stamps)


@dataclass
class FhirRecord:
    """What the FHIR export holds, read in a fixed number of queries."""

    patient: User
    now: datetime
    prescriptions: list[Prescription] = field(default_factory=list)
    injections: list[Injection] = field(default_factory=list)
    missed: list[Dose] = field(default_factory=list)
    labs: list[LabResult] = field(default_factory=list)


def fhir_record(*, patient: User, now: datetime, today: date) -> FhirRecord:
    """The patient's prescriptions with their phases, injections given (extra ones too),
    doses missed and lab results: five queries, however long the record."""
    return FhirRecord(
        patient=patient,
        now=now,
        prescriptions=list(
            Prescription.objects.filter(patient=patient)
            .prefetch_related("phases")
            .order_by("created_at", "pk")
        ),
        injections=list(
            Injection.objects.recorded().filter(patient=patient).order_by("given_on", "pk")
        ),
        missed=list(
            Dose.objects.missed(today).filter(prescription__patient=patient).order_by("due", "pk")
        ),
        labs=list(LabResult.objects.filter(patient=patient).order_by("taken_on", "pk")),
    )
