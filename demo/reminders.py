"""The demo's own reminder: seed_demo arms one for each demo patient a minute or two after
`make run` starts, so a message lands in var/outbox/ without anyone touching anything."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.clock import local_today
from reminders.models import Channel, Kind, Notification
from schedules.models import Dose

DEMO_DELAY = timedelta(minutes=1)


@transaction.atomic
def arm_demo_reminder(
    *, patient: User, delay: timedelta = DEMO_DELAY, now: datetime | None = None
) -> Notification | None:
    """(Re)arm an email about the patient's next open dose, due `delay` from now.

    The row carries a dedupe key, so the planner leaves its instant alone; the dispatcher
    still checks the dose is open before sending it. Running it again re-arms the same row.
    """
    now = now or timezone.now()
    today = local_today(patient, now=now)
    dose = (
        Dose.objects.open()
        .filter(prescription__patient=patient, prescription__status="active", latest__gte=today)
        .order_by("due")
        .first()
    )
    if dose is None:
        return None
    kind = Kind.DUE if dose.due <= today else Kind.UPCOMING
    at = now + delay
    row, _ = Notification.objects.update_or_create(
        dose=dose,
        kind=kind,
        channel=Channel.EMAIL,
        defaults={
            "recipient": patient,
            "dedupe_key": f"demo:{dose.pk}:{kind}",
            "scheduled_for": at,
            "next_attempt_at": at,
            "status": Notification.Status.PENDING,
            "attempts": 0,
            "claim": "",
            "lease_until": None,
            "last_error": "",
            "provider_id": "",
            "sent_at": None,
        },
    )
    return row
