"""What an outbox row says: the template context for each kind, rendered per channel.

Messages carry the minimum: no medicine or diagnosis unless the patient opted in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from accounts.models import CareLink
from core.messages import first_name, render_email, render_sms, site_link
from schedules.models import Dose

from .answers import tokens
from .models import Channel, Kind, Notification, ReminderPreference

# The answer links each kind of reminder carries, by action (defined with the tokens, which
# accept only these).
LINK_ACTIONS = tokens.LINK_ACTIONS


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    # Answer links by action ("taken", "later", ...), for transports that show them as buttons.
    links: dict[str, str] = field(default_factory=dict)
    # The page the message is about, where a tap on a phone notification leads.
    url: str = ""


def answer_links(row: Notification) -> dict[str, str]:
    """The signed answer links a reminder of this kind carries, by action."""
    if row.pk is None or row.dose_id is None or row.recipient_id is None:
        return {}
    return {action: tokens.link(row, action) for action in LINK_ACTIONS.get(row.kind, ())}


def _next_dose(dose: Dose) -> Dose | None:
    return (
        Dose.objects.open()
        .filter(prescription_id=dose.prescription_id, due__gt=dose.due)
        .order_by("due")
        .first()
    )


def care_team_told(dose: Dose) -> bool:
    """True only when a clinician flag was raised for this dose and the patient has an active
    clinician link now: a message must not promise a care team that is not there. The flag is
    looked up through the dose's reverse relation, so reminders imports nothing above it."""
    patient_id = dose.prescription.patient_id
    linked = CareLink.objects.filter(patient_id=patient_id, status=CareLink.Status.ACTIVE)
    return linked.exists() and Dose.objects.filter(pk=dose.pk, flags__isnull=False).exists()


def dose_context(row: Notification) -> dict[str, object]:
    dose = row.dose
    if dose is None:  # a kind with no dose registers its own context builder
        raise ValueError(f"Notification {row.pk} ({row.kind}) has no dose to speak of.")
    prescription = dose.prescription
    pref = ReminderPreference.of(row.account)
    context: dict[str, object] = {
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
        context["care_team_told"] = care_team_told(dose)
    if row.kind == Kind.BOOKING:
        context["days_before"] = (dose.due - row.scheduled_for.date()).days
    context["links"] = answer_links(row)
    context["sms_replies"] = settings.SMS_BACKEND == "twilio"
    return context


ContextBuilder = Callable[[Notification], dict[str, object]]
# Kinds about something other than a dose (a clinician's flag digest) get their context from
# the app that owns it, registered at start-up: reminders never imports the apps above it.
_CONTEXT_BUILDERS: dict[str, ContextBuilder] = {}


def register_context(kind: str, builder: ContextBuilder) -> None:
    _CONTEXT_BUILDERS[kind] = builder


def render(row: Notification) -> Rendered:
    context = _CONTEXT_BUILDERS.get(row.kind, dose_context)(row)
    links = context.get("links")
    links = dict(links) if isinstance(links, dict) else {}
    if row.channel == Channel.SMS:
        return Rendered(subject="", body=render_sms(kind=row.kind, context=context), links=links)
    if row.channel == Channel.PUSH:
        # The text's words; with `push` the template leaves out its links and reply line,
        # which a notification carries as its buttons and its tap.
        body = render_sms(kind=row.kind, context={**context, "push": True})
        url = context.get("link")
        return Rendered(subject="", body=body, links=links, url=url if isinstance(url, str) else "")
    subject, body = render_email(kind=row.kind, context=context)
    return Rendered(subject=subject, body=body, links=links)
