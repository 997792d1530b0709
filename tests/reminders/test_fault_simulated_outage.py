"""Ten minutes of mail-server outage on a simulated clock (timezone.now moved by the test;
the SMTP port is really closed, then really served), walking the dispatcher every 5 s: no
attempt is used and no reminder fails, the checks go red within the limit naming email, a
reminder whose dose window closes meanwhile is recorded as not delivered (not sent late), and
when the server answers the rest go out once each, in their intended order, and the checks
are green again."""

from datetime import date, timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from core.models import SweepTick
from reminders.dispatcher import dispatch_due
from reminders.models import Notification
from reminders.selectors import health
from schedules.models import Dose
from tests.reminders.conftest import daily, utc
from tests.reminders.faults import RECORDED, Figures
from tests.reminders.smtp import free_port, smtp_server

pytestmark = pytest.mark.django_db(transaction=True)
START = utc(2026, 11, 30, 23, 52)  # London is on UTC: the 30th's windows close 8 min in
STEP = timedelta(seconds=5)
OUTAGE = timedelta(minutes=10)
LIMIT_MINUTES = 5


def walk(start, length):
    """Run the dispatch sweep every STEP from `start` for `length`, as beat would."""
    moment = start
    while moment < start + length:
        with time_machine.travel(moment, tick=False):
            dispatch_due()
        yield moment
        moment += STEP


def reminders(patient) -> tuple[list[Notification], Notification]:
    """One reminder each 30 s over the outage for the doses from 1 Dec, and one, intended a
    minute in, for the dose whose window closes at midnight."""
    rx = daily(patient, start=date(2026, 11, 25), today=date(2026, 11, 30))
    closing = Dose.objects.get(prescription=rx, latest=date(2026, 11, 30))
    ahead = Dose.objects.filter(prescription=rx, due__gte=date(2026, 12, 1)).order_by("due")[:20]
    rows = [
        Notification.objects.create(
            recipient=patient,
            dose=dose,
            kind="due",
            channel="email",
            scheduled_for=START + timedelta(seconds=30 * n),
            next_attempt_at=START + timedelta(seconds=30 * n),
        )
        for n, dose in enumerate(ahead)
    ]
    closed = Notification.objects.create(
        recipient=patient,
        dose=closing,
        kind="due",
        channel="email",
        scheduled_for=START + timedelta(minutes=1, seconds=5),
        next_attempt_at=START + timedelta(minutes=1, seconds=5),
    )
    return rows, closed


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    OUTBOX_LATE_MINUTES=LIMIT_MINUTES,
    TRANSPORT_DOWN_MINUTES=LIMIT_MINUTES,
)
def test_ten_simulated_minutes_of_outage_use_no_attempt_and_keep_the_order(
    alice, staff, client_for
):
    rows, closed = reminders(alice)
    port = free_port()  # nothing listens there during the outage
    client = client_for(staff)
    red_at = None
    with override_settings(EMAIL_PORT=port):
        for moment in walk(START, OUTAGE):
            SweepTick.record("heartbeat", at=moment, worker="sim")
            assert not Notification.objects.filter(status__in=["failed", "sent"]).exists()
            waiting = Notification.objects.filter(status="pending")
            assert set(waiting.values_list("attempts", flat=True)) == {0}
            checks = health(now=moment)
            if red_at is None and not checks.ok:
                red_at = moment
                with time_machine.travel(moment, tick=False):
                    page = client.get(reverse("reminders:status"))
                    body = client.get(reverse("reminders:health")).json()
                assert b'id="transport-down-email"' in page.content
                assert body["checks"]["channels"]["email"]["ok"] is False

        with smtp_server(port=port) as (server, _):
            back = START + OUTAGE
            for moment in walk(back, timedelta(minutes=3)):
                SweepTick.record("heartbeat", at=moment, worker="sim")
                if Notification.objects.filter(status="pending").count() == 0:
                    break
    done = moment
    closed.refresh_from_db()  # its window closed during the outage: never sent, and said so
    assert closed.status == "cancelled" and closed.last_error.startswith("Not delivered")

    sent = list(Notification.objects.filter(status="sent").order_by("sent_at", "pk"))
    assert [row.pk for row in sent] == [row.pk for row in rows]  # all, in intended order
    assert server.message_ids() == [f"<notification-{row.pk}@b12tracker.invalid>" for row in rows]
    assert {row.attempts for row in sent} == {1}
    assert red_at is not None and red_at - START <= timedelta(minutes=LIMIT_MINUTES, seconds=30)
    assert health(now=done).ok
    RECORDED.append(
        Figures(
            scenario="10 min outage (simulated clock)",
            rows=len(rows) + 1,
            sent=len(sent),
            lost=len(rows) - len(sent),
            twice=len(server.message_ids()) - len(set(server.message_ids())),
            cancelled=1,
            most_late_seconds=max(
                (row.sent_at - row.scheduled_for).total_seconds() for row in sent
            ),
            red_after_seconds=(red_at - START).total_seconds(),
            red_limit_seconds=LIMIT_MINUTES * 60 + 30,
            note="no attempt used, none failed, order kept; the closed window: not delivered",
        )
    )
