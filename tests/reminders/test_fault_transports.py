"""Faults at the providers, with a real worker: the test's SMTP server stopped (its port
closed) then started again, and the SMS provider (a local http.server speaking its API)
answering 503 then 201 again. No reminder is lost or sent twice, none uses an attempt on the
outage, and the status page and /ops/health turn red naming the channel within the limit."""

from datetime import time, timedelta

from reminders.models import Notification, ReminderPreference
from tests.reminders.faults import (
    RED_WITHIN,
    WORKER_ENV,
    RedWatch,
    compressed,
    due_reminders,
    figures,
    need_postgres,
    ride_out,
    sent_count,
    sms_stub,
    twice_by_key,
    worker_up,
)
from tests.reminders.smtp import stoppable_smtp_server
from tests.reminders.workers import log_tail, start_worker, stop_worker

COUNT = 30
OUTAGE_SECONDS = 9
SPREAD = timedelta(seconds=15)
SID = "AC0123456789abcdef0123456789abcdef"


@compressed
def test_mail_server_down_then_back(
    transactional_db, make_patient, staff, client_for, tmp_path, own_redis
):
    need_postgres()
    patient = make_patient("smtp-fault@example.com", "Smtp Fault")
    watch = RedWatch(client_for(staff), limit=RED_WITHIN)
    var = tmp_path / "var"

    with stoppable_smtp_server() as server:
        url = f"smtp://127.0.0.1:{server.port}"
        worker = start_worker(var, own_redis, "smtp-fault", EMAIL_URL=url, **WORKER_ENV)
        try:
            assert worker_up(), log_tail(var)
            due_reminders(patient, COUNT, spread=SPREAD)
            finished = ride_out(
                ready=lambda: sent_count() >= 5,
                fault=server.stop,
                recover=server.start,
                hold=OUTAGE_SECONDS,
                watch=watch,
                rows=COUNT,
            )
        finally:
            stop_worker(worker)

    assert finished, (sent_count(), log_tail(var))
    twice = twice_by_key(server.collector.message_ids())
    result = figures("a. mail server down", rows=COUNT, twice=twice, watch=watch)
    assert result.lost == 0 and result.twice == 0, result
    assert "email down" in watch.reasons, result
    assert watch.red_after is not None and watch.red_after <= RED_WITHIN, result
    # The outage used no attempt: every reminder went out on its first.
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


@compressed
def test_sms_provider_503_then_back(
    transactional_db, make_patient, staff, client_for, tmp_path, own_redis
):
    need_postgres()
    patient = make_patient("sms-fault@example.com", "Sms Fault")
    ReminderPreference.objects.create(
        patient=patient,
        email_enabled=False,
        sms_enabled=True,
        sms_number="+447700900123",
        quiet_start=time(0, 0),
        quiet_end=time(0, 0),  # no quiet hours: texts go at any time
    )
    watch = RedWatch(client_for(staff), limit=RED_WITHIN)
    var = tmp_path / "var"

    with sms_stub() as (stub, base):
        env = {
            **WORKER_ENV,
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": SID,
            "TWILIO_AUTH_TOKEN": "fault-test-token",
            "TWILIO_FROM_NUMBER": "+15005550006",
            "TWILIO_API_BASE": base,
            "SMS_TIMEOUT": "2",
        }
        worker = start_worker(var, own_redis, "sms-fault", **env)

        def answer(down: bool) -> None:
            stub.down = down

        try:
            assert worker_up(), log_tail(var)
            due_reminders(patient, COUNT, channel="sms", spread=SPREAD)
            finished = ride_out(
                ready=lambda: sent_count() >= 5,
                fault=lambda: answer(True),
                recover=lambda: answer(False),
                hold=OUTAGE_SECONDS,
                watch=watch,
                rows=COUNT,
            )
        finally:
            stop_worker(worker)

    assert finished, (sent_count(), log_tail(var))
    # Each text the provider accepted got a new id; one kept per row, so the rest went twice.
    result = figures(
        "b. SMS provider 503", rows=COUNT, twice=len(stub.sids()) - sent_count(), watch=watch
    )
    result.note += f"; {stub.refused} sends refused with 503"
    kept = set(Notification.objects.values_list("provider_id", flat=True))
    assert kept == set(stub.sids())
    assert stub.refused > 0 and result.lost == 0 and result.twice == 0, result
    assert "sms down" in watch.reasons, result
    assert watch.red_after is not None and watch.red_after <= RED_WITHIN, result
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
