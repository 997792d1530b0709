"""A clinician's change to a patient's regimen reaches the patient: a notice for the home page
and a message on each channel the patient receives reminders on, through the outbox.

`regimen_changed_received` listens to schedules' `regimen_changed`, inside the change's
transaction, so the notice and its messages commit or roll back with the change.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Role, User
from core.clock import home_zone
from core.messages import first_name, site_link
from schedules.models import Prescription
from schedules.services.replan import next_due

from .models import ChangeNotice, Kind, Notification, ReminderPreference
from .planner import deliver_at, preferences_for


def _field_name(name: str) -> str:
    field = Prescription._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def describe_fields(fields: list[str]) -> str:
    """'Changed the dose per injection and the route': the fields' own names, in words."""
    names = [_field_name(name) for name in fields]
    if len(names) > 1:
        names = [", ".join(names[:-1]) + " and " + names[-1]]
    return f"Changed the {names[0]}" if names else "Changed the prescription"


def regimen_changed_received(
    *,
    prescription: Prescription,
    actor: User,
    before: date | None,
    description: str,
    reason: str,
    today: date,
    fields: list[str] | None = None,
    now: datetime | None = None,
    **_: object,
) -> ChangeNotice | None:
    """Receiver of schedules' `regimen_changed`: a change a clinician made is told to the
    patient (their own changes need no telling)."""
    if actor.role != Role.CLINICIAN:
        return None
    now = now or timezone.now()
    notice = ChangeNotice(
        patient=prescription.patient,
        prescription=prescription,
        changed_by=actor,
        description=(description or describe_fields(list(fields or [])))[:200],
        reason=reason.strip()[:200],
        before=before,
        after=next_due(prescription, today),
        created_at=now,
    )
    notice.full_clean()
    notice.save()
    change_messages_enqueue(notice=notice, now=now)
    return notice


def change_messages_enqueue(*, notice: ChangeNotice, now: datetime) -> int:
    """One outbox row per channel the patient receives reminders on (texts after quiet hours);
    the key names the notice, so asking twice is harmless."""
    patient = notice.patient
    pref = preferences_for([patient])[patient.pk]
    rows = [
        Notification(
            recipient=patient,
            kind=Kind.CHANGED,
            channel=channel,
            dedupe_key=f"changed:{notice.pk}:{channel}",
            payload={"notice": notice.pk},
            scheduled_for=now,
            next_attempt_at=deliver_at(channel, now, pref, home_zone(patient)),
            created_at=now,
        )
        for channel in pref.channels()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def change_context(row: Notification) -> dict[str, object]:
    """What a 'schedule changed' message says: who changed what, and where the next dose is."""
    notice = ChangeNotice.objects.select_related(
        "changed_by__clinician_profile", "changed_by__patient_profile"
    ).get(pk=row.payload["notice"])
    return {
        "name": first_name(row.recipient),
        # A clinician's reason may name a diagnosis: only in messages the patient opted into.
        "detailed": ReminderPreference.of(row.account).detailed_messages,
        "notice": notice,
        "clinician": notice.changed_by.display_name if notice.changed_by else "your clinician",
        "link": site_link("home"),
        "schedule_link": site_link("schedules:schedule"),
    }


def current_notice(*, patient: User) -> ChangeNotice | None:
    """The newest change to the patient's active prescription, unless dismissed: a newer
    change supersedes an older one. One query."""
    newest = (
        ChangeNotice.objects.filter(patient=patient, prescription__status="active")
        .select_related("changed_by__clinician_profile", "changed_by__patient_profile")
        .order_by("-created_at", "-pk")
        .first()
    )
    return newest if newest is not None and newest.dismissed_at is None else None


@transaction.atomic
def notice_dismiss(
    *, patient: User, notice_id: int, request: HttpRequest | None = None
) -> ChangeNotice:
    """The patient has read the notice: it leaves the home page. Dismissing twice is harmless."""
    notice = ChangeNotice.objects.filter(pk=notice_id, patient=patient).first()
    if notice is None:
        raise ValidationError("That notice is not yours, or it no longer exists.")
    updated = ChangeNotice.objects.filter(pk=notice.pk, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now()
    )
    if updated:
        log_action(
            actor=patient,
            action="reminders.notice_dismissed",
            patient=patient,
            obj=notice,
            request=request,
        )
    return notice
