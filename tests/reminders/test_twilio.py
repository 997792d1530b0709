"""The twilio SMS backend against a local HTTP server that mimics Twilio's REST API.

Only the provider's HTTP is mocked; the outbox, the dispatcher and the database are real.
"""

import json
import time
from datetime import date, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.test import override_settings
from werkzeug import Request, Response

from reminders.dispatcher import dispatch_due
from reminders.models import Notification, ReminderPreference
from reminders.planner import plan_notifications
from tests.helpers import prescribe
from tests.reminders.conftest import utc

pytestmark = pytest.mark.django_db

SID = "AC0123456789abcdef0123456789abcdef"
PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"
NOW = utc(2026, 6, 11, 8, 0)
NUMBER = "+447700900123"


@pytest.fixture
def twilio(httpserver):
    with override_settings(
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=SID,
        TWILIO_AUTH_TOKEN="test-auth-token",
        TWILIO_FROM_NUMBER="+15005550006",
        TWILIO_API_BASE=httpserver.url_for("/"),
        SMS_TIMEOUT=1,
    ):
        yield httpserver


@pytest.fixture
def text_row(alice):
    ReminderPreference.objects.create(
        patient=alice, sms_enabled=True, sms_number=NUMBER, email_enabled=False
    )
    prescribe(alice, start=date(2026, 6, 11), today=date(2026, 6, 10))
    plan_notifications(now=NOW)
    Notification.objects.exclude(kind="due").delete()  # keep one message in play
    return Notification.objects.get(kind="due", channel="sms")


def created(sid: str = "SM0001") -> dict:
    return {"sid": sid, "status": "queued", "to": NUMBER, "account_sid": SID}


def error(status: int, code: int, message: str) -> dict:
    return {"code": code, "message": message, "status": status, "more_info": ""}


def test_a_text_is_posted_to_the_provider_and_its_id_kept(twilio, text_row):
    twilio.expect_oneshot_request(PATH, method="POST").respond_with_json(created(), status=201)

    with time_machine.travel(NOW, tick=False):
        result = dispatch_due()

    text_row.refresh_from_db()
    assert result.sent == 1 and text_row.status == "sent" and text_row.provider_id == "SM0001"
    (request, _), *_ = twilio.log
    assert request.form["To"] == NUMBER and request.form["From"] == "+15005550006"
    assert request.form["Body"].isascii() and "due today" in request.form["Body"]
    assert request.authorization.username == SID
    assert request.authorization.password == "test-auth-token"


def test_provider_500_twice_then_success_sends_once_using_no_attempt_on_the_outage(
    twilio, text_row
):
    for _ in range(2):
        twilio.expect_ordered_request(PATH, method="POST").respond_with_json(
            error(500, 20500, "Internal Server Error"), status=500
        )
    twilio.expect_ordered_request(PATH, method="POST").respond_with_json(created(), status=201)

    moment = NOW
    for _ in range(3):
        with time_machine.travel(moment, tick=False):
            dispatch_due()
        text_row.refresh_from_db()
        moment = text_row.next_attempt_at

    # A provider's 500 is an outage, not this message's fault: only the send that worked counts.
    assert text_row.status == "sent" and text_row.attempts == 1 and text_row.provider_id == "SM0001"
    assert len(twilio.log) == 3
    assert ReminderPreference.objects.get(sms_number=NUMBER).sms_ready
    twilio.check_assertions()


def test_provider_400_fails_once_and_turns_texts_off_with_a_note_for_the_patient(
    twilio, text_row, alice
):
    twilio.expect_request(PATH, method="POST").respond_with_json(
        error(400, 21211, "The 'To' number is not a valid phone number."), status=400
    )

    with time_machine.travel(NOW, tick=False):
        result = dispatch_due()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        dispatch_due()

    text_row.refresh_from_db()
    assert result.failed == 1 and text_row.status == "failed" and text_row.attempts == 1
    assert "21211" in text_row.last_error
    assert len(twilio.log) == 1
    pref = ReminderPreference.objects.get(patient=alice)
    assert not pref.sms_enabled and pref.sms_disabled_reason
    home = Template("{% load reminder_tags %}{% channel_problems user %}").render(
        Context({"user": alice})
    )
    assert 'id="reminder-problems"' in home and "could not be delivered" in home


def test_a_provider_that_does_not_answer_in_time_is_an_outage_that_holds_the_text(twilio, text_row):
    def slow(request: Request) -> Response:
        time.sleep(2)  # longer than SMS_TIMEOUT
        return Response(json.dumps(created()), status=201, content_type="application/json")

    twilio.expect_request(PATH, method="POST").respond_with_handler(slow)

    started = time.monotonic()
    with time_machine.travel(NOW, tick=False):
        result = dispatch_due()

    text_row.refresh_from_db()
    assert time.monotonic() - started < 5
    assert result.held == 1 and (text_row.status, text_row.attempts) == ("pending", 0)
    assert "unreachable" in text_row.last_error
