"""A clinician's change to the regimen reaches the patient: a notice on the home page (until
dismissed or superseded) and a message through the outbox on the patient's channels."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from reminders.changes import current_notice
from reminders.dispatcher import dispatch_due
from reminders.messages import render
from reminders.models import ChangeNotice, Kind, Notification, ReminderPreference
from schedules import services
from schedules.models import Dose
from tests.helpers import noon
from tests.htmltools import parse
from tests.schedules.helpers import create, log

pytestmark = pytest.mark.django_db

START = date(2026, 1, 5)
TODAY = date(2026, 3, 10)


@pytest.fixture
def clock():
    with time_machine.travel(noon(TODAY), tick=False) as traveller:
        yield traveller


@pytest.fixture
def rx(alice, clock):
    """Monthly maintenance from 5 Jan 2026, the first three doses given; next due 5 Apr."""
    rx = create(alice, regimen="seed-maintenance", start=START, today=START)
    for day in (date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5)):
        log(rx, day, today=TODAY)
    return rx


def next_open(rx) -> date:
    return Dose.objects.open().filter(prescription=rx, due__gte=TODAY).order_by("due").first().due


def change_interval(rx, actor, reason="Levels are stable"):
    return services.maintenance_interval_change(
        prescription=rx, actor=actor, unit="month", every=3, reason=reason, today=TODAY
    )


def test_a_new_interval_from_a_clinician_leaves_a_notice_and_an_email(rx, alice, bob):
    change_interval(rx, bob)

    notice = ChangeNotice.objects.get(patient=alice)
    assert notice.before == date(2026, 4, 5) and notice.after == next_open(rx)
    assert notice.after != notice.before and notice.changed_by == bob
    assert notice.description == "Maintenance is now every 3 months (it was monthly)"
    assert notice.reason == "Levels are stable"
    (row,) = Notification.objects.filter(recipient=alice, kind=Kind.CHANGED)
    assert row.channel == "email" and row.dedupe_key == f"changed:{notice.pk}:email"
    assert row.payload == {"notice": notice.pk}


def test_the_interval_change_audit_records_old_and_new_interval_and_reason(rx, bob):
    change_interval(rx, bob)

    event = AuditEvent.objects.get(action="prescription.interval_changed")
    assert event.detail == {
        "cadence": "every 3 months",
        "before": "monthly",
        "reason": "Levels are stable",
        "from": str(TODAY),
    }


def test_the_change_email_is_dispatched_like_the_others_with_its_key(rx, alice, bob):
    change_interval(rx, bob)

    dispatch_due()

    row = Notification.objects.get(recipient=alice, kind=Kind.CHANGED)
    (message,) = [m for m in mail.outbox if m.to == [alice.email]]
    assert row.status == "sent"
    assert message.subject == "Your prescription was changed"
    assert message.extra_headers["Message-ID"].startswith(f"<notification-{row.pk}@")
    assert "Dr Bob Smith changed your prescription." in message.body
    assert "Your next dose moved from Sunday 5 April to " in message.body
    # A reason may name a diagnosis: it stays in the app unless messages are detailed.
    assert "Levels are stable" not in message.body
    assert "The reason they gave is on your home page" in message.body


def test_a_patient_who_opted_into_detailed_messages_reads_the_reason(rx, alice, bob):
    ReminderPreference.objects.create(patient=alice, detailed_messages=True)
    change_interval(rx, bob)

    dispatch_due()

    (message,) = [m for m in mail.outbox if m.to == [alice.email]]
    assert "Reason given: Levels are stable" in message.body


def test_texts_go_too_when_the_patient_receives_texts_and_email_only_if_on(rx, alice, bob):
    ReminderPreference.objects.create(
        patient=alice, email_enabled=False, sms_enabled=True, sms_number="+447700900123"
    )

    change_interval(rx, bob)

    rows = Notification.objects.filter(recipient=alice, kind=Kind.CHANGED)
    assert [row.channel for row in rows] == ["sms"]
    text = render(rows[0]).body
    assert text.isascii() and len(text) <= 160
    assert text.startswith("B12 Tracker: Dr Bob Smith changed your prescription.")
    assert "Next dose moved from Sun 5 Apr to" in text and "Levels" not in text
    dispatch_due()
    rows[0].refresh_from_db()
    assert rows[0].status in ("sent", "pending")  # pending only inside quiet hours


def test_ending_a_loading_phase_tells_the_patient(alice, bob, clock):
    rx = create(alice, regimen="bnf-neuro", start=date(2026, 3, 2), today=date(2026, 3, 2))
    for day in (date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 6), date(2026, 3, 8)):
        log(rx, day, today=TODAY)

    services.phase_close(
        phase=rx.phases.get(order=0), actor=bob, closed_on=date(2026, 3, 8), today=TODAY
    )

    notice = ChangeNotice.objects.get(patient=alice)
    assert notice.before == date(2026, 3, 10) and notice.after == date(2026, 5, 8)
    assert notice.description == (
        "Repletion (loading), every other day, ended on 8 Mar 2026; "
        "maintenance, every 2 months, follows"
    )
    assert Notification.objects.filter(recipient=alice, kind=Kind.CHANGED).count() == 1


def test_a_clinician_amending_the_prescription_tells_the_patient(rx, alice, bob):
    services.prescription_update(
        prescription=rx, actor=bob, changes={"dose_mcg": 500}, reason="Lower dose", today=TODAY
    )

    notice = ChangeNotice.objects.get(patient=alice)
    assert "dose per injection" in notice.description and notice.reason == "Lower dose"
    assert notice.before == notice.after == date(2026, 4, 5)


def test_the_patients_own_changes_need_no_telling(rx, alice):
    services.prescription_update(
        prescription=rx, actor=alice, changes={"dose_mcg": 500}, today=TODAY
    )
    change_interval(rx, alice)

    assert not ChangeNotice.objects.exists()
    assert not Notification.objects.filter(kind=Kind.CHANGED).exists()


def test_home_shows_the_notice_until_dismissed(rx, alice, bob, client_for):
    change_interval(rx, bob)
    client = client_for(alice)

    banner = parse(client.get(reverse("home")).content).by_id("banner-changed")
    assert banner is not None
    assert (
        f"Your next dose moved from 5 Apr to {next_open(rx):%-d %b}, changed by Dr Bob Smith"
        in (banner.text)
    )
    assert "Reason: Levels are stable" in banner.text

    notice = ChangeNotice.objects.get()
    response = client.post(reverse("reminders:notice_dismiss", args=[notice.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert parse(client.get(reverse("home")).content).by_id("banner-changed") is None


def test_a_newer_change_supersedes_the_older_notice(rx, alice, bob):
    change_interval(rx, bob)
    services.maintenance_interval_change(
        prescription=rx, actor=bob, unit="month", every=2, reason="", today=TODAY
    )

    notice = current_notice(patient=alice)
    assert notice is not None and "every 2 months" in notice.description


def test_another_patient_cannot_dismiss_the_notice(rx, bob, dave, client_for):
    change_interval(rx, bob)
    notice = ChangeNotice.objects.get()

    response = client_for(dave).post(reverse("reminders:notice_dismiss", args=[notice.pk]))

    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.dismissed_at is None


def test_amended_notes_are_not_called_a_schedule_change(rx, alice, bob, client_for):
    services.prescription_update(
        prescription=rx, actor=bob, changes={"notes": "Take with the nurse"}, today=TODAY
    )
    dispatch_due()

    banner = parse(client_for(alice).get(reverse("home")).content).by_id("banner-changed")
    (message,) = [m for m in mail.outbox if m.to == [alice.email]]
    assert "Dr Bob Smith changed your prescription; your next dose is still on 5 Apr" in (
        banner.text
    )
    assert "What changed: Changed the notes." in banner.text
    assert "schedule" not in message.subject + message.body.split("Your schedule, with")[0]
