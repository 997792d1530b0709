"""One-tap answer links: signed, single-use, lasting while the dose's window is open. "I've had
it" logs one injection on the dose however often the link is used; "Remind me later" puts one
snoozed reminder per channel in the outbox; a tampered, reused, expired or wrong link shows a
clear page and writes nothing."""

import threading
from datetime import date, datetime, time, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client

from accounts.models import AuditEvent
from reminders import dispatcher
from reminders.answers import tokens
from reminders.messages import render
from reminders.models import Kind, Notification, ReminderAnswer, ReminderPreference
from schedules.models import Dose, Injection
from tests.conftest import need
from tests.helpers import prescribe
from tests.reminders.conftest import utc

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
DUE = date(2026, 6, 11)  # window 4 to 18 June


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def dose(alice):
    rx = prescribe(alice, start=DUE, today=DUE - timedelta(days=1))
    return Dose.objects.get(prescription=rx, due=DUE)


def reminder(dose, kind="due", channel="email") -> Notification:
    return Notification.objects.create(
        recipient=dose.prescription.patient,
        dose=dose,
        kind=kind,
        channel=channel,
        status="sent",
        scheduled_for=utc(2026, 6, 11, 8),
        next_attempt_at=utc(2026, 6, 11, 8),
    )


def path(row, action) -> str:
    return urlparse(tokens.link(row, action)).path


@pytest.fixture
def on_the_day():
    with time_machine.travel(london(DUE, 9), tick=False):
        yield


def nothing_written():
    assert Injection.objects.count() == 0
    assert ReminderAnswer.objects.count() == 0
    assert not Notification.objects.filter(kind=Kind.SNOOZED).exists()


# --- tokens ------------------------------------------------------------------------------------


def test_a_token_reads_back_as_its_row_dose_patient_and_nonce(dose, alice, on_the_day):
    row = reminder(dose)
    answerable = tokens.read(tokens.sign(row, "taken"), "taken")

    assert (answerable.row, answerable.dose, answerable.patient) == (row, dose, alice)
    assert answerable.nonce == f"n{row.pk}-taken" and answerable.action == "taken"
    assert tokens.link(row, "later").startswith("http")


@pytest.mark.parametrize(
    "spoil, code",
    [
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "tampered"),
        (lambda t: t.replace("-taken", "-later"), "tampered"),
        (lambda t: "garbage", "tampered"),
    ],
)
def test_a_changed_token_is_refused(dose, on_the_day, spoil, code):
    token = tokens.sign(reminder(dose), "taken")

    with pytest.raises(tokens.LinkProblem) as problem:
        tokens.read(spoil(token), "taken")
    assert problem.value.reason_code == code


def test_a_token_for_one_action_does_not_open_another(dose, on_the_day):
    with pytest.raises(tokens.LinkProblem) as problem:
        tokens.read(tokens.sign(reminder(dose), "later"), "taken")
    assert problem.value.reason_code == "wrong_action"


@pytest.mark.parametrize(
    "kind, action",
    [
        (Kind.MISSED, "taken"),
        (Kind.SNOOZED, "later"),
        (Kind.BOOKING, "taken"),
        (Kind.DUE, "booked"),
    ],
)
def test_a_token_for_an_action_its_reminder_does_not_offer_is_refused(
    dose, on_the_day, kind, action
):
    """Only the actions a kind's message carries: a signed "taken" for a missed-dose message
    or a booking reminder must not log an injection."""
    with pytest.raises(tokens.LinkProblem) as problem:
        tokens.read(tokens.sign(reminder(dose, kind=kind), action), action)
    assert problem.value.reason_code == "wrong_action"


def test_a_taken_link_signed_for_a_booking_reminder_logs_nothing(client, dose, on_the_day):
    row = reminder(dose, kind=Kind.BOOKING)
    response = client.post(path(row, "taken"), {"given_on": "2026-06-11", "site": "deltoid_left"})

    assert response.status_code == 400
    nothing_written()


def test_the_messages_of_a_dose_reminder_carry_both_links(dose, on_the_day):
    email = render(reminder(dose))
    missed = render(reminder(dose, kind=Kind.MISSED))

    assert set(email.links) == {"taken", "later"}
    assert email.links["taken"] in email.body and email.links["later"] in email.body
    assert "/answer/taken/" in email.links["taken"]
    assert missed.links == {}


def test_a_text_carries_the_link_or_asks_for_a_reply(dose, settings, on_the_day):
    row = reminder(dose, channel="sms")
    settings.SMS_BACKEND = "file"
    linked = render(row)
    settings.SMS_BACKEND = "twilio"
    replied = render(row)

    assert linked.links["taken"] in linked.body and len(linked.body) <= 160, linked.body
    assert "Reply DONE" in replied.body and "LATER" in replied.body and "http" not in replied.body


# --- "I've had it" ------------------------------------------------------------------------------


def test_the_page_offers_one_tap_with_the_suggested_site_and_changes_nothing(
    client, dose, on_the_day
):
    response = client.get(path(reminder(dose), "taken"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Yes, I&#x27;ve had it" in page or "Yes, I've had it" in page
    assert "Thursday 11 June" in page
    assert '<option value="deltoid_left" selected>' in page  # the suggestion, never used yet
    assert 'value="2026-06-11"' in page  # given on today
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in page and "noindex" in page
    assert "sessionid" not in response.cookies
    assert "History" not in page and "Log out" not in page  # no menu of patient pages
    nothing_written()


def test_tapping_logs_one_injection_on_the_dose_and_records_the_answer(
    client, dose, alice, on_the_day
):
    row = reminder(dose)
    response = client.post(path(row, "taken"), {"given_on": "2026-06-11", "site": "thigh_left"})

    assert response.status_code == 200 and "Logged" in response.content.decode()
    dose.refresh_from_db()
    injection = Injection.objects.get()
    assert dose.injection == injection and injection.site == "thigh_left"
    assert injection.given_on == DUE and injection.logged_by == alice
    answer = ReminderAnswer.objects.get()
    assert (answer.nonce, answer.via, answer.injection) == (f"n{row.pk}-taken", "link", injection)
    event = AuditEvent.objects.get(action="reminders.answer_taken")
    assert event.actor == alice and event.detail["via"] == "link"
    assert "sessionid" not in response.cookies


def test_a_link_used_twice_logs_once_and_says_it_was_answered(client, dose, on_the_day):
    url = path(reminder(dose), "taken")
    first = client.post(url, {"given_on": "2026-06-11", "site": "deltoid_left"})
    again = Client().post(url, {"given_on": "2026-06-11", "site": "deltoid_left"})  # 2nd device
    opened = Client().get(url)

    assert first.status_code == 200
    assert again.status_code == 200 and "Already answered" in again.content.decode()
    assert "Logged: injection on Thu 11 Jun" in opened.content.decode()
    assert Injection.objects.count() == 1 and ReminderAnswer.objects.count() == 1


def test_a_second_reminder_of_a_dose_already_logged_changes_nothing(client, dose, on_the_day):
    client.post(path(reminder(dose), "taken"), {"given_on": "2026-06-11", "site": "deltoid_left"})
    other = reminder(dose, kind="upcoming")
    response = client.post(path(other, "taken"), {"given_on": "2026-06-11", "site": "thigh_left"})

    assert response.status_code == 410 and "already logged" in response.content.decode()
    assert Injection.objects.count() == 1 and ReminderAnswer.objects.count() == 1


@pytest.mark.parametrize(
    "given_on, says",
    [("2026-06-12", "in the future"), ("2026-06-03", "outside this dose")],
)
def test_a_date_outside_the_window_or_ahead_explains_and_changes_nothing(
    client, dose, given_on, says
):
    with time_machine.travel(london(date(2026, 6, 11), 9), tick=False):
        response = client.post(
            path(reminder(dose), "taken"), {"given_on": given_on, "site": "deltoid_left"}
        )

    assert response.status_code == 400 and says in response.content.decode()
    nothing_written()


def test_before_the_window_opens_the_page_explains(client, alice):
    rx = prescribe(alice, start=date(2026, 6, 11), today=date(2026, 6, 1))
    later = Dose.objects.get(prescription=rx, due=date(2026, 7, 11))
    with time_machine.travel(london(date(2026, 6, 20), 9), tick=False):
        url = path(reminder(later), "taken")
        response = Client().get(url)
        posted = Client().post(url, {"given_on": "2026-06-20", "site": "deltoid_left"})

    assert "opens on Saturday 4 July" in response.content.decode()
    assert posted.status_code == 400
    nothing_written()


# --- bad links ----------------------------------------------------------------------------------


def test_a_tampered_link_shows_a_clear_page_and_writes_nothing(client, dose, on_the_day):
    url = path(reminder(dose), "taken")
    response = client.post(url[:-3] + "xx/", {"given_on": "2026-06-11", "site": "deltoid_left"})

    assert response.status_code == 400 and "not valid" in response.content.decode()
    nothing_written()


def test_a_link_for_another_action_is_refused(client, dose, on_the_day):
    token = tokens.sign(reminder(dose), "later")
    response = client.post(f"/answer/taken/{token}/", {"given_on": "2026-06-11"})

    assert response.status_code == 400 and "another answer" in response.content.decode()
    nothing_written()


def test_an_expired_link_says_when_the_window_closed_and_writes_nothing(client, dose):
    url = path(reminder(dose), "taken")
    with time_machine.travel(london(date(2026, 6, 19), 0, 30), tick=False):
        response = client.post(url, {"given_on": "2026-06-18", "site": "deltoid_left"})

    page = response.content.decode()
    assert response.status_code == 410 and "This link has expired" in page
    assert "closed on Thursday 18 June 2026" in page and "Log injection page" in page
    nothing_written()


def test_a_link_to_a_reminder_no_longer_there_is_not_found(client, dose, on_the_day):
    row = reminder(dose)
    url = path(row, "taken")
    row.delete()

    assert client.get(url).status_code == 404
    nothing_written()


def test_many_requests_from_one_address_are_slowed_down(client, dose, on_the_day):
    url = path(reminder(dose), "later")
    codes = [client.get(url).status_code for _ in range(31)]

    assert codes[:30] == [200] * 30 and codes[30] == 429
    nothing_written()


# --- "Remind me later" ------------------------------------------------------------------------


def test_later_puts_one_snoozed_reminder_per_channel_two_hours_on(client, dose, alice):
    ReminderPreference.objects.create(patient=alice, sms_enabled=True, sms_number="+447700900123")
    with time_machine.travel(london(DUE, 9), tick=False):
        url = path(reminder(dose), "later")
        shown = client.get(url)
        assert not ReminderAnswer.objects.exists()
        response = client.post(url)

    assert "again at 11:00" in shown.content.decode(), shown.content.decode()
    assert response.status_code == 200 and "again at 11:00" in response.content.decode()
    snoozed = Notification.objects.filter(kind=Kind.SNOOZED).order_by("channel")
    assert [(row.channel, row.scheduled_for) for row in snoozed] == [
        ("email", london(DUE, 11)),
        ("sms", london(DUE, 11)),
    ]
    answer = ReminderAnswer.objects.get()
    assert answer.action == "later" and answer.snoozed_until == london(DUE, 11)
    assert Injection.objects.count() == 0


def test_a_snoozed_text_waits_out_quiet_hours(client, dose, alice):
    ReminderPreference.objects.create(patient=alice, sms_enabled=True, sms_number="+447700900123")
    with time_machine.travel(london(DUE, 20), tick=False):
        client.post(path(reminder(dose), "later"))

    text = Notification.objects.get(kind=Kind.SNOOZED, channel="sms")
    email = Notification.objects.get(kind=Kind.SNOOZED, channel="email")
    assert email.next_attempt_at == london(DUE, 22)
    assert text.scheduled_for == london(DUE, 22) and text.next_attempt_at == london(
        date(2026, 6, 12), 8
    )


def texts_only(patient):
    ReminderPreference.objects.create(
        patient=patient, email_enabled=False, sms_enabled=True, sms_number="+447700900123"
    )


def test_a_text_held_past_the_window_closing_promises_nothing_and_writes_nothing(
    client, dose, alice
):
    """Texts only, 20:00 on the window's last day: the 22:00 text would wait for 08:00, after
    the window closed, so no reminder would ever come."""
    texts_only(alice)
    with time_machine.travel(london(date(2026, 6, 18), 20), tick=False):
        url = path(reminder(dose, channel="sms"), "later")
        shown = client.get(url)
        response = client.post(url)

    for page in (shown, response):
        text = page.content.decode()
        assert page.status_code == 410 and "too late to remind you again" in text, text
        assert "remind you again at" not in text
    nothing_written()


def test_with_every_channel_off_later_promises_nothing(client, dose, alice, on_the_day):
    ReminderPreference.objects.create(patient=alice, email_enabled=False)
    response = client.post(path(reminder(dose), "later"))

    assert response.status_code == 410 and "reminders are turned off" in response.content.decode()
    nothing_written()


def test_a_text_held_by_quiet_hours_is_promised_for_when_it_goes(client, dose, alice):
    texts_only(alice)
    with time_machine.travel(london(DUE, 20), tick=False):
        url = path(reminder(dose, channel="sms"), "later")
        shown = client.get(url).content.decode()
        response = client.post(url)

    text = Notification.objects.get(kind=Kind.SNOOZED)
    assert text.next_attempt_at == london(date(2026, 6, 12), 8)
    assert "tomorrow at 08:00" in shown, shown
    assert "We will remind you again tomorrow at 08:00." in response.content.decode()
    assert ReminderAnswer.objects.get().snoozed_until == london(date(2026, 6, 12), 8)


def test_with_email_and_text_the_promise_is_the_first_to_go(client, dose, alice):
    ReminderPreference.objects.create(patient=alice, sms_enabled=True, sms_number="+447700900123")
    with time_machine.travel(london(DUE, 20), tick=False):
        response = client.post(path(reminder(dose), "later"))

    assert "We will remind you again at 22:00." in response.content.decode()


def test_the_email_does_not_promise_two_hours(dose, on_the_day):
    body = render(reminder(dose)).body

    assert "two hours" not in body and "remind you again later" in body


def test_a_snooze_is_capped_before_the_window_closes(client, dose):
    with time_machine.travel(london(date(2026, 6, 18), 23), tick=False):
        client.post(path(reminder(dose), "later"))
        too_late = Client().post(path(reminder(dose, kind="nudge"), "later"))

    row = Notification.objects.get(kind=Kind.SNOOZED)
    assert row.scheduled_for == london(date(2026, 6, 18), 23, 30)
    assert "already asked" in too_late.content.decode()


def test_too_close_to_the_window_closing_later_explains_and_changes_nothing(client, dose):
    with time_machine.travel(london(date(2026, 6, 18), 23, 40), tick=False):
        response = client.post(path(reminder(dose), "later"))

    text = response.content.decode()
    assert response.status_code == 410 and "too late to remind you again" in text
    nothing_written()


def test_asking_later_twice_says_already_snoozed(client, dose, on_the_day):
    first = reminder(dose)
    client.post(path(first, "later"))
    same = Client().post(path(first, "later"))
    other = Client().post(path(reminder(dose, kind="upcoming"), "later"))

    assert "Already answered" in same.content.decode()
    assert other.status_code == 200 and "already asked to be reminded" in other.content.decode()
    assert Notification.objects.filter(kind=Kind.SNOOZED).count() == 1
    assert ReminderAnswer.objects.count() == 1


def test_a_snoozed_reminder_is_not_sent_once_the_dose_is_logged(client, dose, alice, on_the_day):
    row = reminder(dose)
    client.post(path(row, "later"))
    snoozed = Notification.objects.get(kind=Kind.SNOOZED)
    assert dispatcher.why_not(snoozed, ReminderPreference.of(alice)) == ""
    client.post(path(row, "taken"), {"given_on": "2026-06-11", "site": "deltoid_left"})

    snoozed = Notification.objects.select_related("dose").get(pk=snoozed.pk)
    assert dispatcher.why_not(snoozed, ReminderPreference.of(alice)) != ""
    assert Injection.objects.count() == 1


def test_the_snoozed_reminder_offers_only_i_have_had_it(dose, on_the_day):
    row = reminder(dose, kind=Kind.SNOOZED)
    email = render(row)
    text = render(reminder(dose, kind=Kind.SNOOZED, channel="sms"))

    assert set(email.links) == {"taken"} and "remind you again" not in email.body
    assert email.subject and "Hello Alice" in email.body and email.links["taken"] in email.body
    assert text.body.isascii() and len(text.body) <= 160, text.body
    assert text.links["taken"] in text.body and "LATER" not in text.body


# --- two devices at once, on PostgreSQL -------------------------------------------------------


def test_two_devices_tapping_at_once_log_one_injection(transactional_db, alice):
    need(connection.vendor == "postgresql", "the race needs PostgreSQL's row locks")
    rx = prescribe(alice, start=DUE, today=DUE - timedelta(days=1))
    dose = Dose.objects.get(prescription=rx, due=DUE)
    email, text = reminder(dose), reminder(dose, channel="sms")
    urls = [path(email, "taken"), path(email, "taken"), path(text, "taken"), path(email, "taken")]
    start = threading.Barrier(len(urls))
    codes: list[int] = []

    def tap(url: str) -> None:
        try:
            start.wait()
            response = Client().post(url, {"given_on": "2026-06-11", "site": "deltoid_left"})
            codes.append(response.status_code)
        finally:
            connection.close()

    with time_machine.travel(london(DUE, 9), tick=True):
        threads = [threading.Thread(target=tap, args=(url,)) for url in urls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    assert Injection.objects.count() == 1
    assert Dose.objects.get(pk=dose.pk).injection_id == Injection.objects.get().pk
    assert ReminderAnswer.objects.count() == 1
    # The email link first: it logs, its other taps are told so, the text's link finds the
    # dose logged; the text's first: every tap of the email link finds it logged.
    assert sorted(codes) in ([200, 200, 200, 410], [200, 410, 410, 410])


def test_a_tap_from_a_page_sent_with_no_referrer_is_accepted(dose, on_the_day):
    """Browsers post from a no-referrer page with `Origin: null`; the token is the authority."""
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        path(reminder(dose), "taken"),
        {"given_on": "2026-06-11", "site": "deltoid_left"},
        HTTP_ORIGIN="null",
    )

    assert response.status_code == 200 and Injection.objects.count() == 1
