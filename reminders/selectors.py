"""Reads for the staff status page (worker ticks, the broker, the outbox) and for the
patient home page (why reminders cannot reach a patient)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Min, Q

from accounts.models import User
from core.models import SweepTick

from .models import Notification, ReminderPreference


@dataclass(frozen=True)
class WorkerStatus:
    broker: str
    ticks: list[SweepTick]
    heartbeat: SweepTick | None
    heartbeat_stale: bool
    stale_after: timedelta
    heartbeat_age: timedelta | None

    @property
    def heartbeat_age_seconds(self) -> int | None:
        return None if self.heartbeat_age is None else int(self.heartbeat_age.total_seconds())

    @property
    def stale_after_minutes(self) -> int:
        return int(self.stale_after.total_seconds() // 60)


def broker_label(url: str) -> str:
    """The broker's kind and host, never its password."""
    parts = urlsplit(url)
    if parts.scheme.startswith("filesystem"):
        return f"filesystem ({settings.BROKER_DIR})"
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def worker_status(*, now: datetime) -> WorkerStatus:
    ticks = list(SweepTick.objects.order_by("name"))
    heartbeat = next((t for t in ticks if t.name == "heartbeat"), None)
    after = settings.HEARTBEAT_STALE_AFTER
    return WorkerStatus(
        broker=broker_label(settings.CELERY_BROKER_URL),
        ticks=ticks,
        heartbeat=heartbeat,
        heartbeat_stale=heartbeat is None or heartbeat.is_stale(now=now, after=after),
        stale_after=after,
        heartbeat_age=None if heartbeat is None else now - heartbeat.last_tick_at,
    )


# --- the outbox, for staff and for patients -------------------------------------------------

SWEEPS = (
    "plan_notifications",
    "dispatch_notifications",
    "flag_missed_doses",
    "nudge_unlogged_doses",
    "plan_flag_digests",
    "raise_review_flags",
    "extend_horizons",
)
LATE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    sending: int
    failed: int
    sent_today: int
    oldest_due: datetime | None  # when the oldest pending message should have gone out
    oldest_age: timedelta | None
    never_ticked: list[str]

    @property
    def late(self) -> bool:
        return self.oldest_age is not None and self.oldest_age > LATE_AFTER

    @property
    def oldest_age_minutes(self) -> int | None:
        return None if self.oldest_age is None else int(self.oldest_age.total_seconds() // 60)


def outbox_status(*, now: datetime) -> OutboxStatus:
    """Counts by status in one aggregate query, plus the oldest pending row that is due."""
    Status = Notification.Status
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    counts = Notification.objects.filter(
        Q(status__in=[Status.PENDING, Status.SENDING, Status.FAILED])
        | Q(status=Status.SENT, sent_at__gte=start)
    ).aggregate(
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        sending=Count("pk", filter=Q(status=Status.SENDING)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        sent_today=Count("pk", filter=Q(status=Status.SENT)),
    )
    oldest = Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).aggregate(
        due=Min("next_attempt_at")
    )["due"]
    ticked = set(SweepTick.objects.filter(name__in=SWEEPS).values_list("name", flat=True))
    return OutboxStatus(
        **counts,
        oldest_due=oldest,
        oldest_age=None if oldest is None else now - oldest,
        never_ticked=[name for name in SWEEPS if name not in ticked],
    )


def channel_problems(*, patient: User) -> list[str]:
    """Why a patient's reminders cannot reach them, in words for the home page."""
    pref = ReminderPreference.objects.filter(patient=patient).first()
    if pref is None:
        return []
    problems = [
        reason for reason in (pref.email_disabled_reason, pref.sms_disabled_reason) if reason
    ]
    if not pref.channels() and not problems:
        problems.append("Email and text reminders are both off, so no reminders reach you.")
    elif not pref.channels():
        problems.append("No reminders reach you until a channel is turned back on.")
    return problems
