"""The patient's reminder settings page: who may open it, labels, saving, and clear errors."""

from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from reminders.models import ReminderPreference
from tests.htmltools import field_errors, parse

pytestmark = pytest.mark.django_db
URL = reverse("reminders:preferences")

VALID = {
    "email_enabled": "on",
    "upcoming_enabled": "on",
    "upcoming_time": "19:30",
    "due_enabled": "on",
    "reminder_time": "08:15",
    "nudge_time": "20:00",
    "missed_enabled": "on",
    "booking_enabled": "on",
    "booking_days_before": "10",
    "quiet_start": "22:00",
    "quiet_end": "07:00",
}


@pytest.mark.parametrize("who", ["bob", "charlie", "staff"])
def test_only_patients_have_a_reminders_page(client_for, request, who):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_the_page_shows_the_defaults_with_a_label_for_every_field(client_for, alice):
    response = client_for(alice).get(URL)

    assert response.status_code == 200
    html = parse(response.content)
    inputs = [
        element
        for element in html.find_all("input")
        if element.attrs.get("type") not in ("hidden", "submit")
    ]
    labels = {label.attrs.get("for") for label in html.find_all("label")}
    assert inputs and all(element.attrs["id"] in labels for element in inputs)
    assert html.find("input", name="reminder_time").attrs["value"] == "09:00"
    assert html.find("input", name="booking_days_before").attrs["value"] == "14"
    assert "checked" in html.find("input", name="email_enabled").attrs
    assert "checked" not in html.find("input", name="sms_enabled").attrs
    assert "Europe/London" in html.text


def test_the_patient_menu_links_to_the_page(client_for, alice):
    html = parse(client_for(alice).get(reverse("home")).content)

    assert html.find("a", href=URL) is not None


def test_saving_updates_preferences_and_the_profile_time(client_for, alice):
    response = client_for(alice).post(URL, VALID)

    assert response.status_code == 302 and response.url == URL
    pref = ReminderPreference.objects.get(patient=alice)
    alice.patient_profile.refresh_from_db()
    assert (pref.upcoming_time, alice.patient_profile.reminder_time, pref.booking_days_before) == (
        time(19, 30),
        time(8, 15),
        10,
    )
    assert not pref.nudge_enabled and not pref.detailed_messages and not pref.sms_enabled
    assert alice.patient_profile.reminder_time == time(8, 15)
    event = AuditEvent.objects.get(action="reminders.preferences_updated")
    assert "reminder_time" in event.detail["changed"]


def test_bad_input_is_explained_and_nothing_is_saved(client_for, alice):
    data = {**VALID, "booking_days_before": "0", "reminder_time": "25:99"}

    response = client_for(alice).post(URL, data)

    assert response.status_code == 400
    summary = parse(response.content).by_id("error-summary")
    assert summary is not None and "Nothing was saved" in summary.text
    assert field_errors(response.content, "booking_days_before")
    assert field_errors(response.content, "reminder_time")
    assert not ReminderPreference.objects.filter(patient=alice).exists()
    alice.patient_profile.refresh_from_db()
    assert alice.patient_profile.reminder_time == time(9, 0)


def test_texts_cannot_be_turned_on_before_the_number_is_confirmed(client_for, alice):
    response = client_for(alice).post(URL, {**VALID, "sms_enabled": "on"})

    assert response.status_code == 400
    assert "Confirm your mobile number" in " ".join(field_errors(response.content, "sms_enabled"))
    assert not ReminderPreference.objects.filter(patient=alice, sms_enabled=True).exists()


def test_opening_the_page_writes_nothing(client_for, alice):
    events = AuditEvent.objects.count()

    response = client_for(alice).get(URL)

    assert response.status_code == 200
    assert not ReminderPreference.objects.filter(patient=alice).exists()
    assert AuditEvent.objects.count() == events
    assert "checked" in parse(response.content).find("input", name="email_enabled").attrs


def test_the_page_shows_saved_preferences(client_for, alice):
    ReminderPreference.objects.create(patient=alice, booking_days_before=21, email_enabled=False)

    html = parse(client_for(alice).get(URL).content)

    assert html.find("input", name="booking_days_before").attrs["value"] == "21"
    assert "checked" not in html.find("input", name="email_enabled").attrs


@pytest.mark.parametrize("hour", ["08:00", "00:00", "21:30"])
def test_quiet_hours_that_start_and_end_together_are_refused_beside_the_end(
    client_for, alice, hour
):
    response = client_for(alice).post(URL, {**VALID, "quiet_start": hour, "quiet_end": hour})

    assert response.status_code == 400
    errors = field_errors(response.content, "quiet_end")
    assert any("different from the start" in error for error in errors), errors
    assert not ReminderPreference.objects.filter(patient=alice).exists()


def test_quiet_hours_across_midnight_are_kept(client_for, alice):
    response = client_for(alice).post(URL, {**VALID, "quiet_start": "22:00", "quiet_end": "07:00"})

    assert response.status_code == 302
    pref = ReminderPreference.objects.get(patient=alice)
    assert (pref.quiet_start, pref.quiet_end) == (time(22, 0), time(7, 0))


def confirmed_number(alice) -> None:
    ReminderPreference.objects.create(
        patient=alice, sms_enabled=True, sms_number="+447700900123", sms_verified_at=timezone.now()
    )


@pytest.mark.parametrize("backend", ["file", "console", "locmem"])
def test_reply_stop_is_not_promised_when_replies_do_not_reach_the_app(
    client_for, alice, settings, backend
):
    settings.SMS_BACKEND = backend
    confirmed_number(alice)

    html = client_for(alice).get(URL).content.decode()

    assert "+447700900123" in html
    assert "STOP" not in html


def test_reply_stop_is_promised_when_the_provider_passes_replies_on(client_for, alice, settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_AUTH_TOKEN = "webhook-secret"
    confirmed_number(alice)

    html = client_for(alice).get(URL).content.decode()

    assert "reply STOP to any of our texts" in html


def test_a_national_number_for_texts_is_read_in_the_country_of_the_home_zone(client_for, alice):
    send = reverse("reminders:sms_send_code")

    response = client_for(alice).post(send, {"mobile": "07700 900123"})

    assert response.status_code == 302
    assert ReminderPreference.objects.get(patient=alice).sms_pending_number == "+447700900123"
    html = client_for(alice).get(URL).content.decode()
    assert 'type="tel"' in html and 'autocomplete="tel"' in html


def test_check_in_prompts_and_test_reminders_have_their_own_switches(client_for, alice):
    from reminders.models import Kind
    from reminders.prompts import prompt_enqueue

    page = parse(client_for(alice).get(URL).content)
    assert "checked" in page.find("input", name="checkin_enabled").attrs
    assert "checked" in page.find("input", name="lab_due_enabled").attrs

    client_for(alice).post(URL, {**VALID, "lab_due_enabled": "on"})

    pref = ReminderPreference.objects.get(patient=alice)
    assert (pref.checkin_enabled, pref.lab_due_enabled) == (False, True)
    now = timezone.now()
    assert prompt_enqueue(patient=alice, kind=Kind.CHECKIN, key="c:1", at=now, payload={}) == 0
    assert prompt_enqueue(patient=alice, kind=Kind.REVIEW_DUE, key="r:1", at=now, payload={}) == 1
