"""Reads for the staff status page (worker ticks, the broker, the outbox) and for the
patient home page (why reminders cannot reach a patient)."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from core.models import SweepTick

from .models import ACCOUNT_KINDS, Channel, Kind, Notification, ReminderPreference


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
    "plan_checkin_prompts",
    "plan_monitoring_checks",
    "check_stock",
    "send_carer_alerts",
    "refresh_patient_summaries",
)
FAILED_WINDOW = timedelta(hours=24)


def late_after() -> timedelta:
    return timedelta(minutes=settings.OUTBOX_LATE_MINUTES)


def down_after() -> timedelta:
    return timedelta(minutes=settings.TRANSPORT_DOWN_MINUTES)


@dataclass(frozen=True)
class ChannelHealth:
    """One channel's latest delivery and latest failed attempt (a retry's or a final one), and
    since when it has been failing: messages still wait on it with errors newer than its last
    delivery, counted from the earliest of them (or the last delivery, if that is later)."""

    channel: str
    label: str
    last_success: datetime | None
    last_error_at: datetime | None
    last_error: str
    failing_since: datetime | None = None
    now: datetime | None = None
    down_after: timedelta = timedelta(minutes=5)

    @property
    def failing(self) -> bool:
        return self.failing_since is not None

    @property
    def failing_for(self) -> timedelta | None:
        if self.failing_since is None or self.now is None:
            return None
        return max(self.now - self.failing_since, timedelta(0))

    @property
    def down(self) -> bool:
        """Failing for at least TRANSPORT_DOWN_MINUTES: the status page turns red."""
        return self.failing_for is not None and self.failing_for >= self.down_after

    @property
    def failing_minutes(self) -> int:
        return 0 if self.failing_for is None else int(self.failing_for.total_seconds() // 60)

    @property
    def down_after_minutes(self) -> int:
        return int(self.down_after.total_seconds() // 60)

    def errors_since_success(self) -> Q | None:
        """Rows whose last failed attempt came after this channel's last delivery (None when
        its last error is older than that, or there is none)."""
        if self.last_error_at is None:
            return None
        if self.last_success is None:
            return Q(channel=self.channel, last_error_at__isnull=False)
        if self.last_error_at <= self.last_success:
            return None
        return Q(channel=self.channel, last_error_at__gt=self.last_success)


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    sending: int
    failed: int
    failed_recent: int  # failed for good in the last FAILED_WINDOW
    sent_today: int
    # When the oldest pending message should have gone out: its scheduled instant, however
    # far a retry's backoff has pushed its next attempt.
    oldest_due: datetime | None
    oldest_age: timedelta | None
    never_ticked: list[str]
    channels: list[ChannelHealth]
    late_after: timedelta

    @property
    def late(self) -> bool:
        return self.oldest_age is not None and self.oldest_age > self.late_after

    @property
    def channels_down(self) -> list[ChannelHealth]:
        return [channel for channel in self.channels if channel.down]

    @property
    def oldest_age_minutes(self) -> int | None:
        return None if self.oldest_age is None else int(self.oldest_age.total_seconds() // 60)

    @property
    def late_after_minutes(self) -> int:
        return int(self.late_after.total_seconds() // 60)


def _channel_health(channel: Channel) -> ChannelHealth:
    """Two indexed reads: the latest sent row, the latest failed attempt."""
    rows = Notification.objects.filter(channel=channel)
    success = (
        rows.filter(status=Notification.Status.SENT)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    error = (
        rows.filter(last_error_at__isnull=False)
        .order_by("-last_error_at", "-pk")
        .values("last_error_at", "last_error")
        .first()
    )
    return ChannelHealth(
        channel=channel.value,
        label=channel.label,
        last_success=success,
        last_error_at=error["last_error_at"] if error else None,
        last_error=error["last_error"] if error else "",
    )


def outbox_status(*, now: datetime) -> OutboxStatus:
    """Two reads per channel, then counts by status, the oldest waiting message and since when
    each failing channel's waiting messages have had errors in one aggregate query, and the
    sweeps ticked in one more: a fixed 2 + 2 x channels queries."""
    Status = Notification.Status
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    channels = [_channel_health(channel) for channel in Channel]
    waiting = Q(status__in=[Status.PENDING, Status.SENDING])
    failing_terms = {
        f"failing_{c.channel}": Min(
            Least("scheduled_for", "last_error_at"), filter=waiting & errored
        )
        for c in channels
        if (errored := c.errors_since_success()) is not None
    }
    counts = Notification.objects.filter(
        Q(status__in=[Status.PENDING, Status.SENDING, Status.FAILED])
        | Q(status=Status.SENT, sent_at__gte=start)
    ).aggregate(
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        sending=Count("pk", filter=Q(status=Status.SENDING)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        failed_recent=Count(
            "pk", filter=Q(status=Status.FAILED, last_error_at__gte=now - FAILED_WINDOW)
        ),
        sent_today=Count("pk", filter=Q(status=Status.SENT)),
        oldest_due=Min("scheduled_for", filter=Q(status=Status.PENDING, scheduled_for__lte=now)),
        **failing_terms,
    )
    failing = {c.channel: counts.pop(f"failing_{c.channel}", None) for c in channels}
    oldest = counts["oldest_due"]
    ticked = set(SweepTick.objects.filter(name__in=SWEEPS).values_list("name", flat=True))
    return OutboxStatus(
        **counts,
        oldest_age=None if oldest is None else now - oldest,
        never_ticked=[name for name in SWEEPS if name not in ticked],
        channels=[
            replace(
                c,
                failing_since=_failing_since(failing[c.channel], c.last_success),
                now=now,
                down_after=down_after(),
            )
            for c in channels
        ],
        late_after=late_after(),
    )


def _failing_since(earliest: datetime | None, last_success: datetime | None) -> datetime | None:
    """The earliest waiting message with an error, but never before the last delivery."""
    if earliest is None:
        return None
    return earliest if last_success is None else max(earliest, last_success)


FAILED_PAGE_SIZE = 50


def failed_page(*, number: str | None) -> Page[Notification]:
    """One page of the failed outbox rows, newest failure first, with where each went (the
    row's own address, such as an invited one, else the recipient's email): two queries (the
    count, the page) however many rows there are."""
    rows = (
        Notification.objects.filter(status=Notification.Status.FAILED)
        .select_related("recipient")
        .only(
            "kind",
            "channel",
            "scheduled_for",
            "attempts",
            "last_error",
            "last_error_at",
            "address",
            "recipient__email",
        )
        .order_by("-last_error_at", "-pk")
    )
    return Paginator(rows, FAILED_PAGE_SIZE).get_page(number)


# --- health: the status page's verdict, and the same checks for a monitor ---------------------


@dataclass(frozen=True)
class Health:
    worker: WorkerStatus
    outbox: OutboxStatus

    @property
    def ok(self) -> bool:
        return not (
            self.worker.heartbeat_stale
            or self.outbox.late
            or self.outbox.failed_recent
            or self.outbox.channels_down
        )

    def as_json(self) -> dict[str, object]:
        worker, outbox = self.worker, self.outbox
        return {
            "status": "ok" if self.ok else "degraded",
            "checks": {
                "heartbeat": {
                    "ok": not worker.heartbeat_stale,
                    "age_seconds": worker.heartbeat_age_seconds,
                    "stale_after_seconds": int(worker.stale_after.total_seconds()),
                },
                "oldest_waiting": {
                    "ok": not outbox.late,
                    "age_seconds": _seconds(outbox.oldest_age),
                    "scheduled_for": _iso(outbox.oldest_due),
                    "late_after_seconds": int(outbox.late_after.total_seconds()),
                    "pending": outbox.pending,
                },
                "failed_24h": {"ok": not outbox.failed_recent, "count": outbox.failed_recent},
                "channels": {
                    c.channel: {
                        "ok": not c.down,
                        "last_success": _iso(c.last_success),
                        "last_error_at": _iso(c.last_error_at),
                        "last_error": c.last_error,
                        "failing_since": _iso(c.failing_since),
                        "failing_seconds": _seconds(c.failing_for),
                        "down_after_seconds": int(c.down_after.total_seconds()),
                    }
                    for c in outbox.channels
                },
            },
        }


def _seconds(age: timedelta | None) -> int | None:
    return None if age is None else int(age.total_seconds())


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def health(*, now: datetime) -> Health:
    return Health(worker=worker_status(now=now), outbox=outbox_status(now=now))


def preference_or_defaults(*, patient: User) -> ReminderPreference:
    """The patient's saved preferences, or the defaults unsaved: reading writes nothing."""
    return ReminderPreference.objects.filter(patient=patient).first() or ReminderPreference(
        patient=patient
    )


def channel_problems(*, patient: User, now: datetime | None = None) -> list[str]:
    """Why a patient's reminders cannot reach them, or did not, in words for the home page:
    two queries (the preferences, the patient's undelivered messages)."""
    now = now or timezone.now()
    pref = ReminderPreference.objects.filter(patient=patient).first()
    problems: list[str] = []
    if pref is not None:
        problems = [
            reason
            for reason in (
                pref.email_disabled_reason,
                pref.sms_disabled_reason,
                pref.push_disabled_reason,
            )
            if reason
        ]
        if not pref.channels() and not problems:
            problems.append("Email and text reminders are both off, so no reminders reach you.")
        elif not pref.channels():
            problems.append("No reminders reach you until a channel is turned back on.")
    return problems + _undelivered(patient=patient, now=now)


# A message recorded as not delivered, or failed for good, stays on the home page this long.
UNDELIVERED_WINDOW = timedelta(days=3)
UNDELIVERED_SHOWN = 10
CHANNEL_WORDS = {
    Channel.EMAIL: "email",
    Channel.SMS: "text message",
    Channel.PUSH: "phone notification",
}


def _undelivered(*, patient: User, now: datetime) -> list[str]:
    """The patient's messages waiting through a failing provider (one line per channel), and
    those recorded as not delivered or failed for good lately (one line each), newest first."""
    Status = Notification.Status
    since = now - UNDELIVERED_WINDOW
    rows = (
        Notification.objects.filter(recipient=patient)
        .filter(
            Q(status=Status.PENDING, held=True, scheduled_for__lte=now)
            | Q(status=Status.FAILED, last_error_at__gte=since)
            | Q(
                status=Status.CANCELLED,
                last_error__startswith="Not delivered",
                scheduled_for__gte=since,
            )
        )
        .select_related("dose")
        .only("channel", "kind", "status", "scheduled_for", "dose__due")
        .order_by("-scheduled_for", "-pk")[:UNDELIVERED_SHOWN]
    )
    lines: dict[str, None] = {}  # ordered and without repeats
    for row in rows:
        words = CHANNEL_WORDS.get(Channel(row.channel), row.channel)
        if row.status == Status.PENDING:
            noun = "message" if row.kind in ACCOUNT_KINDS else "reminder"
            line = (
                f"Your {noun} by {words} has not gone out yet: our {words} service is not "
                "answering. We keep trying."
            )
        elif row.dose is not None:
            due = date_format(row.dose.due, "j M Y")
            line = f"We could not send your reminder for the injection due {due} by {words}."
        else:
            what = Kind(row.kind).label.lower() if row.kind in Kind.values else "message"
            line = f"We could not send your {what} by {words}."
        lines[line] = None
    return list(lines)
