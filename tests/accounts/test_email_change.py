"""Changing the email address: a link goes to the new address through the outbox, the account
keeps its old address until the link is opened, the old address is told afterwards, and a
taken address gets the very same answer while nothing changes."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, CareLink, EmailChange
from accounts.services import carelink_invite
from reminders import tasks
from reminders.models import Notification
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:email_change")
NEW = "alice.new@example.org"


def sweep() -> None:
    """The periodic dispatch task, as beat runs it."""
    tasks.dispatch_notifications()


def ask(client, email: str = NEW):
    return client.post(PAGE, {"new_email": email})


def link_in(body: str) -> str:
    path = "/accounts/email/confirm/"
    match = re.search(re.escape(settings.SITE_URL) + f"({re.escape(path)}\\S*)", body)
    assert match, body
    return match.group(1)


def the_link(to: str) -> str:
    sweep()
    (message,) = [m for m in mail.outbox if m.to == [to] and "/email/confirm/" in m.body]
    return link_in(message.body)


def same_page(html: str) -> str:
    """The page without what differs on every response: the nonce and the masked CSRF token."""
    html = re.sub(r'nonce="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_the_whole_change_through_the_outbox_and_the_link(alice, client_for):
    client = client_for(alice)
    response = ask(client)
    assert response.status_code == 200 and "Check your new inbox" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"  # unchanged until the link is opened
    row = Notification.objects.get(kind="email_change")
    assert row.address == NEW and row.recipient == alice

    url = the_link(NEW)
    assert "works for 24 hours" in mail.outbox[0].body
    assert client.get(url).status_code == 200  # a mail scanner's GET changes nothing
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"

    done = client.post(url)
    assert done.status_code == 302 and done["Location"] == reverse("accounts:profile")
    alice.refresh_from_db()
    assert alice.email == NEW
    assert not EmailChange.objects.exists()
    event = AuditEvent.objects.get(action="email.changed")
    assert event.detail == {"from": "alice@example.com", "to": NEW}

    mail.outbox.clear()
    sweep()
    (notice,) = mail.outbox
    assert notice.to == ["alice@example.com"]
    assert NEW in notice.body and "changed" in notice.subject
    assert client.post(url).status_code == 404  # single use


def test_the_link_works_when_signed_out_and_the_new_address_logs_in(alice, client_for):
    ask(client_for(alice))
    url = the_link(NEW)
    visitor = Client()
    response = visitor.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    login = visitor.post(reverse("accounts:login"), {"username": NEW, "password": PASSWORD})
    assert login.status_code == 302


def test_another_account_cannot_confirm(alice, dave, client_for):
    ask(client_for(alice))
    url = the_link(NEW)
    other = Client()
    other.force_login(dave)
    assert other.post(url).status_code == 404
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_the_link_lasts_24_hours(alice, client_for):
    ask(client_for(alice))
    url = the_link(NEW)
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        assert Client().post(url).status_code == 404
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_a_taken_address_gets_the_same_answer_and_nothing_happens(alice, dave, client_for):
    client = client_for(alice)
    free = ask(client, "free@example.org").content.decode()
    Notification.objects.all().delete()
    EmailChange.objects.all().delete()
    taken = ask(client, dave.email).content.decode()
    assert same_page(taken.replace(dave.email, "X")) == same_page(
        free.replace("free@example.org", "X")
    )
    assert not EmailChange.objects.exists() and not Notification.objects.exists()
    sweep()
    assert mail.outbox == []


def test_bad_input_is_refused_beside_the_field(alice, client_for):
    client = client_for(alice)
    for value in ("not-an-address", "", alice.email.upper()):
        response = ask(client, value)
        assert response.status_code == 400
        assert response.context["form"].errors["new_email"]
    assert not EmailChange.objects.exists()


def test_invitations_to_the_new_address_attach_only_after_confirming(alice, bob, client_for):
    carelink_invite(clinician=bob, email=NEW)
    invitation = CareLink.objects.get(invited_email=NEW)
    ask(client_for(alice))
    invitation.refresh_from_db()
    assert invitation.patient is None
    Client().post(the_link(NEW))
    invitation.refresh_from_db()
    assert invitation.patient == alice and invitation.status == CareLink.Status.PENDING


def test_other_pending_changes_go_when_one_is_confirmed(alice, client_for):
    client = client_for(alice)
    ask(client, "first@example.org")
    ask(client, NEW)
    assert EmailChange.objects.count() == 2
    Client().post(the_link(NEW))
    assert not EmailChange.objects.exists()


def test_an_address_taken_before_confirming_is_refused(alice, client_for, make_patient):
    ask(client_for(alice))
    url = the_link(NEW)
    make_patient(NEW, "Someone Else")
    response = Client().post(url)
    assert response.status_code == 404
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_a_link_not_sent_before_the_address_was_taken_is_cancelled(alice, client_for, make_patient):
    ask(client_for(alice))
    make_patient(NEW, "Someone Else")
    sweep()
    assert mail.outbox == []
    assert Notification.objects.get(kind="email_change").status == "cancelled"


def test_the_page_asks_for_the_password_when_stale(alice, client_for):
    client = client_for(alice)
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        response = client.get(PAGE)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:reauth"))
        assert ask(client).status_code == 302
    assert not EmailChange.objects.exists()


def test_the_page_is_for_signed_in_people(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_unknown_link_is_404(client):
    assert client.get(reverse("accounts:email_change_confirm", args=["nope"])).status_code == 404
