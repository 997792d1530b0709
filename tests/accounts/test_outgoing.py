"""Accounts asks for its messages in the transaction of the change they follow: the outbox row
commits or rolls back with the change, holds ids only (never a token, a password or a code),
and a change whose message nobody took does not commit."""

import json

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from accounts import services
from accounts.forms import QueuedPasswordResetForm
from accounts.models import CareLink, PendingSignup
from accounts.outgoing import MessageNotQueued, message_request
from accounts.signals import message_requested
from reminders import services as reminder_services
from reminders.account_requests import message_requested_received
from reminders.models import Notification, ReminderPreference
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NUMBER = "+447700900123"


class Rollback(Exception):
    pass


def invite_unknown(cast):
    services.carelink_invite(clinician=cast["charlie"], email="New.Patient@Example.org")


def invite_alice(cast):
    services.carelink_invite(clinician=cast["charlie"], email=cast["alice"].email)


def sign_up_new(cast):
    services.signup_request(
        email="erin@example.com", password=PASSWORD, display_name="Erin", time_zone="UTC"
    )


def sign_up_existing(cast):
    services.signup_request(
        email=cast["alice"].email, password=PASSWORD, display_name="Al", time_zone="UTC"
    )


def reset_password(cast):
    form = QueuedPasswordResetForm({"email": cast["alice"].email})
    assert form.is_valid()
    form.save()


def ask_for_code(cast):
    reminder_services.sms_verification_start(patient=cast["alice"], number=NUMBER)


def business(kind: str) -> int:
    """How many rows the change itself wrote (the invitation, the pending sign-up, the code
    request); zero for a reset and a warning, which change nothing but the outbox."""
    return {
        "invitation": CareLink.objects.filter(invited_email__startswith="new.").count(),
        "signup_link": PendingSignup.objects.count(),
        "sms_code": ReminderPreference.objects.exclude(sms_pending_number="").count(),
    }.get(kind, 0)


ACTIONS = {
    "invitation": invite_unknown,
    "signup_link": sign_up_new,
    "signup_exists": sign_up_existing,
    "password_reset": reset_password,
    "sms_code": ask_for_code,
}


@pytest.mark.parametrize("kind", ACTIONS)
def test_the_row_is_written_inside_the_change_and_rolls_back_with_it(kind, cast):
    with pytest.raises(Rollback), transaction.atomic():
        ACTIONS[kind](cast)
        assert Notification.objects.filter(kind=kind, status="pending").count() == 1
        raise Rollback

    assert not Notification.objects.filter(kind=kind).exists()
    assert business(kind) == 0


@pytest.mark.parametrize("kind", ACTIONS)
def test_the_row_is_committed_with_the_change_and_sending_waits_for_the_commit(
    kind, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as kicks:
        ACTIONS[kind](cast)

    (row,) = Notification.objects.filter(kind=kind)
    assert row.status == "pending" and row.attempts == 0
    # Sending is kicked after the commit, never before it (the code's kick is its view's).
    assert len(kicks) == (0 if kind == "sms_code" else 1)
    assert business(kind) == (0 if kind in ("signup_exists", "password_reset") else 1)


def stored(row: Notification) -> str:
    return json.dumps(model_to_dict(row), default=str)


def test_an_invitation_row_names_the_link_and_never_its_token(cast):
    invite_unknown(cast)

    link = CareLink.objects.get(invited_email="new.patient@example.org")
    row = Notification.objects.get(kind="invitation")
    assert row.payload == {"link_id": link.pk}
    assert (row.recipient, row.address) == (None, "new.patient@example.org")
    assert link.token not in stored(row)


def test_an_invitation_to_a_patient_names_her_account(cast):
    invite_alice(cast)

    row = Notification.objects.get(kind="invitation")
    assert (row.recipient, row.address) == (cast["alice"], cast["alice"].email)


def test_a_signup_row_holds_neither_the_links_token_nor_the_password_hash(cast):
    sign_up_new(cast)

    pending = PendingSignup.objects.get()
    row = Notification.objects.get(kind="signup_link")
    assert row.payload == {"pending_id": pending.pk}
    assert pending.token not in stored(row) and pending.password not in stored(row)


def test_a_reset_row_names_the_account_only(cast):
    reset_password(cast)

    row = Notification.objects.get(kind="password_reset")
    assert (row.recipient, row.address, row.payload) == (cast["alice"], "", {})


def test_a_reset_for_an_unknown_address_writes_nothing(db):
    form = QueuedPasswordResetForm({"email": "nobody@example.com"})
    assert form.is_valid()

    form.save()

    assert not Notification.objects.exists()


def test_a_code_row_holds_the_number_and_when_it_was_asked_for_not_a_code(cast):
    ask_for_code(cast)

    pref = ReminderPreference.objects.get(patient=cast["alice"])
    row = Notification.objects.get(kind="sms_code")
    assert (row.channel, row.address) == ("sms", NUMBER)
    assert row.payload == {"requested_at": pref.sms_code_sent_at.isoformat()}
    assert not pref.sms_code_hash  # made with the code, when the row is sent


def test_resending_an_invitation_is_a_message_of_its_own(cast):
    invite_unknown(cast)
    invite_unknown(cast)

    keys = list(Notification.objects.order_by("pk").values_list("dedupe_key", flat=True))
    link = CareLink.objects.get(clinician=cast["charlie"])
    assert keys == [f"invitation:{link.pk}:1", f"invitation:{link.pk}:2"]


def test_asking_twice_with_one_key_is_one_message(alice):
    with transaction.atomic():
        first = message_request(kind="signup_exists", recipient=alice, key="k:1", payload={})
        second = message_request(kind="signup_exists", recipient=alice, key="k:1", payload={})

    assert first == second and Notification.objects.count() == 1


@pytest.fixture
def nobody_listening():
    message_requested.disconnect(dispatch_uid="reminders.message_requested")
    yield
    message_requested.connect(
        message_requested_received, dispatch_uid="reminders.message_requested"
    )


def test_a_change_whose_message_nobody_takes_does_not_commit(cast, nobody_listening):
    with pytest.raises(MessageNotQueued):
        invite_unknown(cast)

    assert not CareLink.objects.filter(clinician=cast["charlie"]).exists()
    assert not Notification.objects.exists()


def test_a_request_needs_somewhere_to_go(db):
    with pytest.raises(ValueError, match="recipient account or an address"):
        message_request(kind="invitation", key="k", payload={})
