"""The carer link's life: invited (with a message), accepted by token, permissions changed,
removed; each change audited, and refused input written nowhere."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from carers import services
from carers.models import CarerLink
from core.clock import local_today
from reminders.models import Kind, Notification
from schedules.models import Injection
from tests.helpers import prescribe


def invite(client, **values):
    data = {"email": "erin@example.com", "alert_after_hours": "12", **values}
    return client.post(reverse("carers:my_carers"), data)


def test_inviting_writes_the_link_its_message_and_an_audit_row(client_for, alice, erin):
    response = invite(client_for(alice), can_log="on", gets_alerts="on", alert_after_hours="30")
    assert response.status_code == 302
    link = CarerLink.objects.get(patient=alice)
    assert (link.status, link.can_log, link.gets_alerts, link.alert_after_hours) == (
        "pending",
        True,
        True,
        30,
    )
    row = Notification.objects.get(kind=Kind.CARER_INVITE)
    assert (row.address, row.recipient) == ("erin@example.com", erin)
    assert AuditEvent.objects.filter(action="carer.invited", actor=alice, patient=alice).exists()


def test_inviting_again_resends_and_inviting_yourself_is_refused(client_for, alice):
    client = client_for(alice)
    invite(client)
    invite(client)
    assert CarerLink.objects.count() == 1
    assert Notification.objects.filter(kind=Kind.CARER_INVITE).count() == 2
    response = invite(client, email="ALICE@example.com")
    assert response.status_code == 400
    assert "your own address" in response.content.decode()
    assert CarerLink.objects.count() == 1


@pytest.mark.parametrize("hours", ["0", "73", "x"])
def test_alert_hours_outside_one_to_72_are_refused_by_the_field(client_for, alice, hours):
    response = invite(client_for(alice), gets_alerts="on", alert_after_hours=hours)
    assert response.status_code == 400
    assert "id_alert_after_hours" in response.content.decode()
    assert not CarerLink.objects.exists()
    assert not Notification.objects.exists()


def test_the_invited_person_accepts_with_the_link(client_for, alice, erin):
    link = services.carer_invite(
        patient=alice, email=erin.email, can_log=False, gets_alerts=False, alert_after_hours=12
    )
    client = client_for(erin)
    page = client.get(reverse("carers:accept_invite", args=[link.token]))
    assert "Alice Patel asks you to be their carer" in page.content.decode()
    client.post(reverse("carers:accept_invite", args=[link.token]), {"answer": "accept"})
    link.refresh_from_db()
    assert (link.status, link.carer) == ("active", erin)
    assert AuditEvent.objects.filter(action="carer.accepted", actor=erin, patient=alice).exists()
    again = client.get(reverse("carers:accept_invite", args=[link.token]))
    assert again.status_code == 404


def test_an_invitation_waits_on_the_page_of_someone_who_signed_up_later(
    client_for, alice, make_patient
):
    services.carer_invite(
        patient=alice,
        email="gina@example.com",
        can_log=False,
        gets_alerts=False,
        alert_after_hours=12,
    )
    gina = make_patient("gina@example.com", "Gina Rossi")
    page = client_for(gina).get(reverse("carers:caring_for"))
    assert "Answer Alice Patel's invitation" in page.content.decode()


def test_declining_leaves_no_access(client_for, alice, erin):
    link = services.carer_invite(
        patient=alice, email=erin.email, can_log=False, gets_alerts=False, alert_after_hours=12
    )
    client_for(erin).post(reverse("carers:accept_invite", args=[link.token]), {"answer": "no"})
    link.refresh_from_db()
    assert (link.status, link.carer) == ("declined", None)


def test_permissions_change_is_audited_with_what_changed(client_for, alice, see_link):
    client_for(alice).post(
        reverse("carers:carer_edit", args=[see_link.pk]),
        {"can_log": "on", "alert_after_hours": "12"},
    )
    see_link.refresh_from_db()
    assert see_link.can_log
    event = AuditEvent.objects.get(action="carer.permissions_changed")
    assert event.detail == {"changed": {"can_log": [False, True]}}


def test_removing_a_carer_ends_their_access(client_for, alice, erin, see_link):
    client_for(alice).post(reverse("carers:carer_revoke", args=[see_link.pk]))
    see_link.refresh_from_db()
    assert see_link.status == "revoked" and see_link.ended_at is not None
    assert AuditEvent.objects.filter(action="carer.revoked", actor=alice).exists()
    page = client_for(erin).get(reverse("carers:patient_overview", args=[see_link.pk]))
    assert page.status_code == 404


def test_the_overview_shows_the_schedule_and_is_in_the_read_audit(
    client_for, alice, erin, see_link
):
    today = local_today(alice)
    prescribe(alice, start=today - timedelta(days=3))
    page = client_for(erin).get(reverse("carers:patient_overview", args=[see_link.pk]))
    assert page.status_code == 200
    assert "Next doses" in page.content.decode()
    assert "Log an injection" not in page.content.decode()
    read = AuditEvent.objects.get(action="record.viewed")
    assert (read.actor, read.patient) == (erin, alice)


def test_a_see_only_carer_cannot_log(client_for, alice, erin, see_link):
    today = local_today(alice)
    prescribe(alice, start=today - timedelta(days=3))
    response = client_for(erin).post(
        reverse("carers:log_injection", args=[see_link.pk]),
        {"given_on": today.isoformat(), "site": "deltoid_left", "dose_mcg": "1000"},
    )
    assert response.status_code == 404
    assert not Injection.objects.exists()


def test_a_carer_who_may_log_logs_as_a_carer_and_the_audit_names_them(
    client_for, alice, frank, log_link
):
    today = local_today(alice)
    prescribe(alice, start=today)
    response = client_for(frank).post(
        reverse("carers:log_injection", args=[log_link.pk]),
        {
            "given_on": today.isoformat(),
            "site": "deltoid_left",
            "dose_mcg": "1000",
            "given_by": "self",
        },
    )
    assert response.status_code == 302
    injection = Injection.objects.get()
    assert (injection.patient, injection.given_by, injection.logged_by) == (alice, "carer", frank)
    event = AuditEvent.objects.get(action="injection.logged")
    assert (event.actor, event.patient) == (frank, alice)


def test_a_carer_can_stop_caring(client_for, erin, see_link):
    client_for(erin).post(reverse("carers:carer_leave", args=[see_link.pk]))
    see_link.refresh_from_db()
    assert see_link.status == "withdrawn"
    assert AuditEvent.objects.filter(action="carer.left", actor=erin).exists()
