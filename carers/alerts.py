"""Carer alerts: a dose still not logged some hours into its due day is told to the patient's
carers who asked for it; the message, and its withdrawal once the dose is logged after all.

The outbox row is reminders' (a prompt keyed by dose and carer, so asking twice is one
message); the hours are the patient's choice on each link."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.clock import local_today
from core.messages import first_name, site_link
from reminders.models import Kind, Notification
from reminders.prompts import prompt_enqueue, prompt_withdraw
from schedules.models import Dose, Prescription

from .models import ALERT_HOURS_MAX, CarerLink

# Doses due this many days back or fewer are looked at: the longest wait ends within them.
LOOK_BACK_DAYS = ALERT_HOURS_MAX // 24 + 1


def alert_key(*, dose_id: int, carer_id: int) -> str:
    return f"carer_alert:{dose_id}:{carer_id}"


def alert_at(*, due: date, zone: ZoneInfo, hours: int) -> datetime:
    """`hours` elapsed since the start of the due day on the patient's clock (through UTC, so a
    day with a clock change still waits the hours chosen)."""
    midnight = datetime.combine(due, time.min, tzinfo=zone).astimezone(UTC)
    return midnight + timedelta(hours=hours)


@dataclass(frozen=True)
class Alert:
    link: CarerLink
    dose: Dose
    at: datetime


def _unlogged_doses(links: list[CarerLink], now: datetime) -> dict[int, list[Dose]]:
    """Each patient's doses due by their today, recently, that no injection took yet."""
    since = {link.patient_id: local_today(link.patient, now=now) for link in links}
    oldest = min(since.values()) - timedelta(days=LOOK_BACK_DAYS)
    doses = (
        Dose.objects.live()
        .filter(
            injection__isnull=True,
            prescription__patient_id__in=since,
            prescription__status=Prescription.Status.ACTIVE,
            due__gte=oldest,
        )
        .select_related("prescription")
        .order_by("due", "pk")
    )
    by_patient: dict[int, list[Dose]] = defaultdict(list)
    for dose in doses:
        patient_id = dose.prescription.patient_id
        if dose.due <= since[patient_id]:
            by_patient[patient_id].append(dose)
    return by_patient


def alerts_due(*, now: datetime) -> list[Alert]:
    """Every (dose, carer) whose alert time has come: two queries however many links."""
    links = list(
        CarerLink.objects.filter(status=CarerLink.Status.ACTIVE, gets_alerts=True)
        .select_related("patient__patient_profile", "carer")
        .order_by("pk")
    )
    if not links:
        return []
    doses = _unlogged_doses(links, now)
    alerts = []
    for link in links:
        zone = ZoneInfo(link.patient.patient_profile.time_zone)
        for dose in doses.get(link.patient_id, []):
            at = alert_at(due=dose.due, zone=zone, hours=link.alert_after_hours)
            if at <= now:
                alerts.append(Alert(link=link, dose=dose, at=at))
    return alerts


def send_carer_alerts(*, now: datetime) -> int:
    """Ask for the alerts whose time has come; the number of (dose, carer) asked (a repeat asks
    again harmlessly: the key makes it the same message)."""
    asked = 0
    for alert in alerts_due(now=now):
        carer = alert.link.carer
        if carer is None:  # an active link always has its carer (a database constraint)
            continue
        written = prompt_enqueue(
            patient=carer,
            kind=Kind.CARER_ALERT,
            key=alert_key(dose_id=alert.dose.pk, carer_id=carer.pk),
            at=alert.at,
            payload={
                "link_id": alert.link.pk,
                "dose_id": alert.dose.pk,
                "patient_id": alert.link.patient_id,
            },
        )
        asked += 1 if written else 0
    return asked


def alert_context(row: Notification) -> dict[str, object]:
    """What a carer alert says: whose dose and the day, no medicine, and the page to look."""
    link = CarerLink.objects.select_related("patient__patient_profile").get(
        pk=row.payload["link_id"]
    )
    dose = Dose.objects.get(pk=row.payload["dose_id"])
    return {
        "name": first_name(row.recipient),
        "patient": link.patient.display_name,
        "due": dose.due,
        "hours": link.alert_after_hours,
        "can_log": link.can_log,
        "link": site_link("carers:patient_overview", link.pk),
    }


def withdraw_logged(*, patient_id: int) -> int:
    """Cancel the waiting alerts about the patient's doses that are no longer unlogged."""
    waiting = Notification.objects.filter(
        kind=Kind.CARER_ALERT,
        status=Notification.Status.PENDING,
        payload__patient_id=patient_id,
    ).values_list("payload__dose_id", "recipient_id")
    rows = set(waiting)
    still_open = set(
        Dose.objects.live()
        .filter(pk__in=[dose_id for dose_id, _ in rows], injection__isnull=True)
        .values_list("pk", flat=True)
    )
    return sum(
        prompt_withdraw(
            key=alert_key(dose_id=dose_id, carer_id=carer_id), reason="The dose was logged."
        )
        for dose_id, carer_id in rows
        if dose_id not in still_open
    )


def plan_changed_received(*, prescription: Prescription, **_: object) -> None:
    """Receiver of schedules' `plan_changed` and `prescription_stopped`, inside the change's
    transaction: an alert about a dose just logged (or cancelled) must not go."""
    withdraw_logged(patient_id=prescription.patient_id)
