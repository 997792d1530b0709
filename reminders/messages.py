"""What an outbox row says: the template context for each kind, rendered per channel.

Messages carry the minimum: no medicine or diagnosis unless the patient opted in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from schedules.models import Dose

from .emails import render_email, render_sms
from .models import Channel, Kind, Notification, ReminderPreference
from .planner import OPEN_DOSE, default_preference


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def site_link(name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def first_name(user: object) -> str:
    profile = getattr(user, "patient_profile", None)
    name = profile.display_name if profile is not None else ""
    return (name.split() or [""])[0]


def _preference(row: Notification) -> ReminderPreference:
    try:
        return row.recipient.reminder_preference
    except ReminderPreference.DoesNotExist:
        return default_preference(row.recipient)


def _next_dose(dose: Dose) -> Dose | None:
    return (
        Dose.objects.filter(prescription_id=dose.prescription_id, status__in=OPEN_DOSE)
        .filter(due__gt=dose.due, injection__isnull=True)
        .order_by("due")
        .first()
    )


def dose_context(row: Notification) -> dict:
    dose = row.dose
    prescription = dose.prescription
    pref = _preference(row)
    context = {
        "name": first_name(row.recipient),
        "dose": dose,
        "due": dose.due,
        "latest": dose.latest,
        "nurse": prescription.given_by == "nurse",
        "detailed": pref.detailed_messages,
        "link": site_link("home"),
        "preferences_link": site_link("reminders:preferences"),
    }
    if pref.detailed_messages:
        context.update(
            product=prescription.get_product_display(),
            dose_mcg=dose.dose_mcg,
            volume_ml=prescription.volume_ml,
        )
    if row.kind == Kind.MISSED:
        context["next_dose"] = _next_dose(dose)
    if row.kind == Kind.BOOKING:
        context["days_before"] = (dose.due - row.scheduled_for.date()).days
    return context


def digest_context(row: Notification) -> dict:
    from monitoring.models import Flag

    flags = (
        Flag.objects.filter(pk__in=row.payload.get("flag_ids", []))
        .select_related("patient__patient_profile")
        .order_by("raised_at", "pk")
    )
    items = [
        {
            "first_name": first_name(flag.patient),
            "kind": flag.get_kind_display(),
            "link": site_link("clinic:patient_detail", flag.patient_id),
        }
        for flag in flags
    ]
    return {"flags": items, "count": len(items), "link": site_link("clinic:patients")}


def render(row: Notification) -> Rendered:
    context = digest_context(row) if row.kind == Kind.FLAG_DIGEST else dose_context(row)
    if row.channel == Channel.SMS:
        return Rendered(subject="", body=render_sms(kind=row.kind, context=context))
    subject, body = render_email(kind=row.kind, context=context)
    return Rendered(subject=subject, body=body)
