"""The dispatch sweep: claims are guarded, leases end, errors retry with backoff (at most five
attempts) or disable the channel, and every message carries its outbox id.

The interleavings two senders can produce are driven here step by step, on SQLite and on
PostgreSQL, so that each guard of the dispatcher has a test of its own: the claim's
status=PENDING condition, the lease check before sending, and the claim token every write
after the claim checks. (SKIP LOCKED, PostgreSQL only, is tested in test_dispatch_race.py.)"""

from datetime import date, time, timedelta
from time import monotonic

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from core.messages import message_id
from reminders import dispatcher
from reminders.dispatcher import (
    MAX_ATTEMPTS,
    OUTAGE_WAIT_SECONDS,
    DispatchResult,
    claim,
    deliver,
    dispatch_due,
    release_expired,
    renew,
    send_margin,
)
from reminders.models import Notification, ReminderPreference
from reminders.planner import plan_notifications
from reminders.selectors import channel_problems, outbox_status
from reminders.transports import TransportError
from schedules import services
from tests.helpers import prescribe
from tests.reminders.conftest import after_claim_select, rows, utc
from tests.reminders.smtp import Collector, free_port, smtp_server

pytestmark = pytest.mark.django_db

NOW = utc(2026, 6, 11, 8, 0)  # 09:00 BST: alice's day-of reminder is due
DUE = date(2026, 6, 11)


@pytest.fixture
def due_row(alice):
    prescribe(alice, start=DUE, today=date(2026, 6, 10))
    plan_notifications(now=NOW)
    return Notification.objects.get(kind="due", channel="email")


def test_a_due_email_is_sent_with_its_outbox_id_and_marked_sent(due_row, alice):
    with time_machine.travel(NOW, tick=False):
        result = dispatch_due()

    due_row.refresh_from_db()
    assert result.sent == 1 and due_row.status == "sent" and due_row.attempts == 1
    assert due_row.sent_at == NOW and due_row.claim == "" and due_row.lease_until is None
    (message,) = [m for m in mail.outbox if "due today" in m.subject]
    assert message.to == [alice.email]
    assert message.extra_headers["Message-ID"] == f"<notification-{due_row.pk}@b12tracker.invalid>"
    assert due_row.provider_id == message.extra_headers["Message-ID"]
    assert "Thursday 11 June" in message.body and "http" in message.body


def test_nothing_is_sent_before_its_instant(due_row):
    with time_machine.travel(NOW - timedelta(minutes=1), tick=False):
        dispatch_due()

    due_row.refresh_from_db()
    assert due_row.status == "pending"


def test_a_claim_is_taken_once(due_row):
    first = claim(now=NOW)
    second = claim(now=NOW)

    assert [row.pk for row in first] == [due_row.pk] and second == []
    assert Notification.objects.get(pk=due_row.pk).status == "sending"


def test_a_stuck_sending_row_returns_to_pending_after_its_lease(due_row, settings):
    claim(now=NOW)  # the sender dies here, before sending
    lease = timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)

    assert release_expired(now=NOW + lease - timedelta(seconds=1)) == 0
    with time_machine.travel(NOW + lease + timedelta(seconds=1), tick=False):
        result = dispatch_due()

    due_row.refresh_from_db()
    assert result.released == 1 and result.sent == 1
    assert due_row.status == "sent" and due_row.attempts == 2
    assert len([m for m in mail.outbox if "due today" in m.subject]) == 1


def test_a_sender_whose_lease_lapsed_does_not_send(due_row, settings):
    (mine,) = claim(now=NOW)
    later = NOW + timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS + 1)
    release_expired(now=later)
    (theirs,) = claim(now=later)

    with time_machine.travel(later, tick=False):
        deliver(mine, result=DispatchResult())  # the slow first sender wakes up
        deliver(theirs, result=DispatchResult())

    assert len([m for m in mail.outbox if "due today" in m.subject]) == 1


def test_a_claim_does_not_take_a_row_another_sender_claimed_after_it_was_selected(due_row):
    theirs: list[Notification] = []
    # Between this claim choosing the row and taking it, another sender claims it.
    with after_claim_select(lambda: theirs.extend(claim(now=NOW))):
        mine = claim(now=NOW)

    (taken,) = theirs
    row = Notification.objects.get(pk=due_row.pk)
    assert mine == []
    assert (row.status, row.claim, row.attempts) == ("sending", taken.claim, 1)


@pytest.mark.parametrize("outcome", ["sent", "temporary error"])
def test_a_sender_whose_lease_lapsed_mid_send_does_not_record_over_the_new_claim(
    due_row, settings, monkeypatch, outcome
):
    (mine,) = claim(now=NOW)
    later = NOW + timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS + 1)
    theirs: list[Notification] = []

    def slow_send(row, pref):
        # The send outlasts the lease: the row is released and another sender claims it.
        release_expired(now=later)
        theirs.extend(claim(now=later))
        if outcome == "temporary error":
            raise TransportError("SMTP unavailable: timed out")
        return "first-sender"

    monkeypatch.setattr(dispatcher, "send", slow_send)
    first = DispatchResult()
    with time_machine.travel(NOW, tick=False):  # the lease has time to spare when it starts
        deliver(mine, result=first)

    (taken,) = theirs
    row = Notification.objects.get(pk=due_row.pk)
    assert first.handled == 0
    assert (row.status, row.claim, row.provider_id) == ("sending", taken.claim, "")

    monkeypatch.undo()
    second = DispatchResult()
    with time_machine.travel(later, tick=False):
        deliver(taken, result=second)
    row.refresh_from_db()
    assert second.sent == 1 and (row.status, row.claim, row.attempts) == ("sent", "", 2)


def test_a_claim_near_the_end_of_its_lease_is_renewed_and_sent(due_row):
    (mine,) = claim(now=NOW)
    result = DispatchResult()
    # Not yet lapsed, but a send started now could outlast the lease: the claim is extended.
    near_end = mine.lease_until - send_margin()
    with time_machine.travel(near_end, tick=False):
        deliver(mine, result=result)

    row = Notification.objects.get(pk=due_row.pk)
    assert result.sent == 1 and (row.status, row.attempts) == ("sent", 1)
    assert len([m for m in mail.outbox if "due today" in m.subject]) == 1


def test_a_renewed_claim_lasts_a_whole_lease_from_the_renewal(due_row, settings):
    (mine,) = claim(now=NOW)
    near_end = mine.lease_until - send_margin()

    assert renew(mine, now=near_end)
    lease = timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    row = Notification.objects.get(pk=due_row.pk)
    assert row.lease_until == mine.lease_until == near_end + lease
    assert release_expired(now=near_end + lease - timedelta(seconds=1)) == 0


def test_a_lapsed_claim_is_not_revived_and_its_row_is_not_sent(due_row):
    (mine,) = claim(now=NOW)
    lapsed = mine.lease_until + timedelta(seconds=1)  # lapsed, not yet released
    result = DispatchResult()
    with time_machine.travel(lapsed, tick=False):
        deliver(mine, result=result)

    row = Notification.objects.get(pk=due_row.pk)
    assert result.handled == 0 and row.status == "sending" and row.lease_until < lapsed
    assert not [m for m in mail.outbox if "due today" in m.subject]
    assert release_expired(now=lapsed) == 1


def test_a_dead_senders_reminder_goes_out_again_within_a_minute(due_row, settings):
    """The defaults: a lease that is renewed while sending, and a dispatch sweep run often."""
    real = settings
    claim(now=NOW)  # the sender that took it is killed here
    worst = real.NOTIFICATION_LEASE_SECONDS + real.DISPATCH_SECONDS
    assert worst <= 60
    beat = real.CELERY_BEAT_SCHEDULE["dispatch-notifications"]["schedule"]
    assert beat == real.DISPATCH_SECONDS
    with time_machine.travel(NOW + timedelta(seconds=worst), tick=False):
        result = dispatch_due()
    assert result.released == 1 and result.sent == 1


def test_a_reminder_for_a_dose_taken_since_planning_is_cancelled(due_row, alice):
    services.injection_log(
        prescription=due_row.dose.prescription,
        actor=alice,
        given_on=DUE,
        site="deltoid_left",
        today=DUE,
    )
    Notification.objects.filter(pk=due_row.pk).update(status="pending")  # as if just planned

    with time_machine.travel(NOW, tick=False):
        result = dispatch_due()

    due_row.refresh_from_db()
    assert due_row.status == "cancelled" and result.cancelled >= 1
    assert not [m for m in mail.outbox if "due today" in m.subject]


def test_a_text_due_in_quiet_hours_waits_without_using_an_attempt(alice, sms_outbox):
    ReminderPreference.objects.create(
        patient=alice, sms_enabled=True, sms_number="+447700900123", email_enabled=False
    )
    prescribe(alice, start=DUE, today=date(2026, 6, 10))
    plan_notifications(now=NOW)
    row = Notification.objects.get(kind="due", channel="sms")
    ReminderPreference.objects.filter(patient=alice).update(quiet_start=time(7), quiet_end=time(10))

    with time_machine.travel(NOW, tick=False):
        result = dispatch_due()
    row.refresh_from_db()
    assert result.deferred == 1 and row.status == "pending" and row.attempts == 0
    assert row.next_attempt_at == utc(2026, 6, 11, 9, 0)  # 10:00 BST
    assert sms_outbox == []

    with time_machine.travel(row.next_attempt_at, tick=False):
        dispatch_due()
    row.refresh_from_db()
    assert row.status == "sent" and len(sms_outbox) == 1


def test_texts_are_plain_ascii_and_name_no_medicine_by_default(alice, sms_outbox):
    ReminderPreference.objects.create(patient=alice, sms_enabled=True, sms_number="+447700900123")
    prescribe(alice, start=DUE, today=date(2026, 6, 10))
    plan_notifications(now=NOW)

    with time_machine.travel(NOW, tick=False):
        dispatch_due()

    (text,) = sms_outbox
    assert text.to == "+447700900123"
    assert text.body.isascii() and len(text.body) <= 160
    assert "hydroxocobalamin" not in text.body.lower()
    assert text.key == f"notification-{Notification.objects.get(channel='sms').pk}"


def _unreachable_smtp():
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=free_port(),  # nothing listens there
        EMAIL_TIMEOUT=2,
    )


def test_a_mail_server_that_is_down_holds_reminders_without_using_attempts(due_row, alice):
    moment = NOW
    with _unreachable_smtp():
        for _ in range(MAX_ATTEMPTS * 2):
            with time_machine.travel(moment, tick=False):
                result = dispatch_due()
            due_row.refresh_from_db()
            assert result.held == 1 and result.retried == result.failed == 0
            assert (due_row.status, due_row.attempts) == ("pending", 0)
            assert due_row.last_error_at == moment  # the status page's "last error" time
            assert "SMTP unavailable" in due_row.last_error
            wait = (due_row.next_attempt_at - moment).total_seconds()
            assert OUTAGE_WAIT_SECONDS[0] <= wait <= OUTAGE_WAIT_SECONDS[1]
            # Waiting, it still counts as waiting since its intended instant.
            assert outbox_status(now=moment).oldest_due == due_row.scheduled_for
            moment = due_row.next_attempt_at
    assert ReminderPreference.objects.filter(patient=alice, email_enabled=False).count() == 0

    with (
        smtp_server() as (collector, port),
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
        ),
        time_machine.travel(moment, tick=False),
    ):
        assert dispatch_due().sent == 1
    due_row.refresh_from_db()
    assert (due_row.status, due_row.attempts) == ("sent", 1)
    assert len(collector.messages) == 1


def test_an_outage_holds_the_rest_of_the_batch_untried_and_they_go_out_in_order(
    alice, bob, due_row
):
    others = [
        Notification.objects.create(
            recipient=alice,
            channel="email",
            kind="flag_digest",
            dedupe_key=f"outage-{n}",
            scheduled_for=NOW - timedelta(minutes=10 - n),
            next_attempt_at=NOW,
        )
        for n in range(3)
    ]
    with _unreachable_smtp(), time_machine.travel(NOW, tick=False):
        started = monotonic()
        result = dispatch_due()
        took = monotonic() - started
    assert result.held == 4 and result.sent == 0
    assert took < 4  # one connection attempt, not one per row (each may take EMAIL_TIMEOUT)
    assert set(Notification.objects.values_list("attempts", flat=True)) == {0}

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        assert dispatch_due().sent == 4
    in_order = Notification.objects.order_by("scheduled_for", "pk").values_list("pk", flat=True)
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [
        message_id(f"notification-{pk}") for pk in in_order
    ]
    assert {r.pk for r in others} < set(in_order)


def test_a_message_the_server_defers_retries_with_backoff_and_gives_up_after_five(due_row, alice):
    moment = NOW
    with (
        smtp_server(Collector(refuse="450 4.2.1 Mailbox busy, try later")) as (_server, port),
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
        ),
    ):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with time_machine.travel(moment, tick=False):
                result = dispatch_due()
            due_row.refresh_from_db()
            assert due_row.attempts == attempt and due_row.last_error_at == moment
            if attempt < MAX_ATTEMPTS:
                assert result.retried == 1 and due_row.status == "pending"
                assert due_row.next_attempt_at > moment
                with time_machine.travel(due_row.next_attempt_at - timedelta(seconds=1)):
                    assert dispatch_due().handled == 0  # not before its backoff ends
                moment = due_row.next_attempt_at
    assert due_row.status == "failed" and "450" in due_row.last_error
    assert outbox_status(now=moment).failed_recent == 1
    assert ReminderPreference.objects.filter(patient=alice, email_enabled=False).count() == 0


def test_a_refused_address_fails_once_and_turns_email_off(due_row, alice):
    with (
        smtp_server(Collector(refuse="550 5.1.1 No such mailbox")) as (_server, port),
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
        ),
        time_machine.travel(NOW, tick=False),
    ):
        result = dispatch_due()

    due_row.refresh_from_db()
    assert result.failed >= 1 and due_row.status == "failed" and due_row.attempts == 1
    pref = ReminderPreference.objects.get(patient=alice)
    assert not pref.email_enabled and "could not be delivered" in pref.email_disabled_reason
    assert not rows(status="pending", channel="email")
    assert any("could not be delivered" in problem for problem in channel_problems(patient=alice))


def test_a_reminder_held_past_its_doses_window_is_recorded_not_delivered_not_sent_late(
    due_row,
):
    closed = due_row.dose.latest + timedelta(days=1)
    # As after an outage that outlasted the window, before the missed-dose sweep ran.
    with time_machine.travel(utc(closed.year, closed.month, closed.day, 12), tick=False):
        result = dispatch_due()

    due_row.refresh_from_db()
    assert result.cancelled == 1 and result.sent == 0
    assert due_row.status == "cancelled" and due_row.last_error.startswith("Not delivered")
    assert not [m for m in mail.outbox if "due today" in m.subject]


def test_a_row_in_its_retry_backoff_is_not_taken_early_with_a_later_due_row(alice, due_row):
    """Only rows an outage holds go with the rows due after them; a retry's backoff is kept."""
    Notification.objects.filter(pk=due_row.pk).update(
        attempts=1,
        last_error="SMTP 450",
        last_error_at=NOW,
        next_attempt_at=NOW + timedelta(seconds=30),
    )
    later = Notification.objects.create(
        recipient=alice,
        channel="email",
        kind="flag_digest",
        dedupe_key="due-after-the-retry",
        scheduled_for=due_row.scheduled_for + timedelta(minutes=1),
        next_attempt_at=NOW,
    )
    with time_machine.travel(NOW, tick=False):
        assert dispatch_due().sent == 1
    due_row.refresh_from_db()
    later.refresh_from_db()
    assert (later.status, due_row.status, due_row.attempts) == ("sent", "pending", 1)
