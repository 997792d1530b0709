"""Account messages through the outbox: each says the right link, made when the row is sent;
a lost kick (a flushed or absent broker) only delays it until the dispatch sweep; a stale row
is cancelled with its reason; a refused address fails without touching anyone's reminders."""

import re
from datetime import timedelta

import pytest
import time_machine
from celery import current_app as celery_app
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu import Producer
from kombu.exceptions import OperationalError

from accounts import services as account_services
from accounts.forms import QueuedPasswordResetForm
from accounts.models import CareLink, PendingSignup
from reminders import services, tasks
from reminders.dispatcher import dispatch_due
from reminders.messages import render
from reminders.models import Notification, ReminderPreference
from tests.conftest import PASSWORD
from tests.reminders.smtp import Collector, smtp_server

pytestmark = pytest.mark.django_db
NUMBER = "+447700900123"
NEW_PASSWORD = "a-brand-new-passphrase-7"


@pytest.fixture
def no_kick(django_capture_on_commit_callbacks):
    """Run a change whose after-commit kick is lost, as when the broker was flushed."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=False):
            action()

    return run


def invite(clinician, email: str) -> None:
    account_services.carelink_invite(clinician=clinician, email=email)


def sign_up(email: str = "erin@example.com") -> None:
    account_services.signup_request(
        email=email, password=PASSWORD, display_name="Erin Walsh", time_zone="UTC"
    )


def reset(email: str) -> None:
    form = QueuedPasswordResetForm({"email": email})
    assert form.is_valid()
    form.save()


def row(kind: str) -> Notification:
    return Notification.objects.get(kind=kind)


def sweep() -> None:
    """The periodic dispatch task, as beat runs it."""
    tasks.dispatch_notifications()


def link_in(body: str, path: str) -> str:
    match = re.search(re.escape(settings.SITE_URL) + f"({re.escape(path)}\\S*)", body)
    assert match, body
    return match.group(1)


# --- a lost kick: the sweep sends ---------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, action",
    [
        ("invitation", lambda cast: invite(cast["charlie"], "new@example.org")),
        ("signup_link", lambda cast: sign_up()),
        ("signup_exists", lambda cast: sign_up(cast["alice"].email)),
        ("password_reset", lambda cast: reset(cast["alice"].email)),
    ],
)
def test_an_email_whose_kick_was_lost_goes_out_with_the_next_sweep(kind, action, cast, no_kick):
    no_kick(lambda: action(cast))

    assert mail.outbox == [] and row(kind).status == "pending"

    sweep()

    (message,) = mail.outbox
    sent = row(kind)
    assert sent.status == "sent" and sent.attempts == 1
    assert message.extra_headers["Message-ID"].startswith(f"<notification-{sent.pk}@")


def test_a_code_whose_kick_was_lost_is_texted_by_the_next_sweep(alice, no_kick, sms_outbox):
    no_kick(lambda: services.sms_verification_start(patient=alice, number=NUMBER))
    assert sms_outbox == []

    sweep()

    (text,) = sms_outbox
    assert text.to == NUMBER
    assert row("sms_code").status == "sent"


def test_the_kick_sends_only_its_own_rows(alice, dave, no_kick):
    no_kick(lambda: reset(dave.email))
    waiting = row("password_reset")

    no_kick(lambda: sign_up(alice.email))
    tasks.send_now([row("signup_exists").pk])

    assert [message.to for message in mail.outbox] == [[alice.email]]
    waiting.refresh_from_db()
    assert waiting.status == "pending"


# --- what each says ----------------------------------------------------------------------------


def test_an_invitation_to_a_new_address_links_to_sign_up_with_the_invitation(charlie, no_kick):
    no_kick(lambda: invite(charlie, "new@example.org"))
    link = CareLink.objects.get(clinician=charlie)

    message = render(row("invitation"))

    assert "Dr Charlie Brown" in message.subject
    assert link_in(message.body, "/accounts/signup/") == f"/accounts/signup/?invite={link.token}"


def test_an_invitation_to_a_patient_links_to_her_care_team_page(alice, charlie, no_kick):
    no_kick(lambda: invite(charlie, alice.email))

    message = render(row("invitation"))

    assert link_in(message.body, "/accounts/care-team/") == reverse("accounts:care_team")


def test_a_signup_link_confirms_the_signup_it_was_sent_for(client, no_kick):
    no_kick(sign_up)
    pending = PendingSignup.objects.get()

    sweep()

    (message,) = mail.outbox
    url = link_in(message.body, "/accounts/signup/confirm/")
    assert url == reverse("accounts:signup_confirm", args=[pending.token])
    assert "works for 24 hours" in message.body
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert not PendingSignup.objects.exists()


def test_a_signup_warning_links_to_log_in_and_to_reset(alice, no_kick):
    no_kick(lambda: sign_up(alice.email))

    body = render(row("signup_exists")).body

    assert link_in(body, "/accounts/login/") == reverse("accounts:login")
    assert link_in(body, "/accounts/password/reset/") == reverse("accounts:password_reset")


def test_a_reset_sent_hours_late_carries_a_link_made_when_it_was_sent(client, alice, no_kick):
    asked = timezone.now()
    with time_machine.travel(asked, tick=False):
        no_kick(lambda: reset(alice.email))
    # A link made when the reset was asked for would be 5 hours old at use, past its 4.
    with override_settings(PASSWORD_RESET_TIMEOUT=4 * 3600):
        with time_machine.travel(asked + timedelta(hours=3), tick=False):
            sweep()
        (message,) = mail.outbox
        url = link_in(message.body, "/accounts/password/reset/")
        assert "works for 4 hours" in message.body
        with time_machine.travel(asked + timedelta(hours=5), tick=False):
            form_page = client.get(url, follow=True)
            assert "Choose a new password" in form_page.content.decode()
            done = client.post(
                form_page.redirect_chain[-1][0],
                {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            )

    assert done.url == reverse("accounts:password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_a_code_is_made_when_its_row_is_sent_and_confirms_the_number(
    client_for, alice, no_kick, sms_outbox
):
    no_kick(lambda: services.sms_verification_start(patient=alice, number=NUMBER))
    assert not ReminderPreference.objects.get(patient=alice).sms_code_hash

    sweep()

    (text,) = sms_outbox
    code = re.search(r"\b(\d{6})\b", text.body).group(1)
    sent = row("sms_code")
    assert code not in str(sent.payload) + sent.dedupe_key + sent.provider_id + sent.last_error
    response = client_for(alice).post(reverse("reminders:sms_check_code"), {"code": code})
    assert response.status_code == 302
    assert ReminderPreference.objects.get(patient=alice).sms_number == NUMBER


def test_each_attempt_at_a_code_texts_a_fresh_one(alice, no_kick, sms_outbox):
    no_kick(lambda: services.sms_verification_start(patient=alice, number=NUMBER))
    sweep()
    first_hash = ReminderPreference.objects.get(patient=alice).sms_code_hash
    Notification.objects.filter(kind="sms_code").update(status="pending")

    sweep()

    assert ReminderPreference.objects.get(patient=alice).sms_code_hash != first_hash
    assert len(sms_outbox) == 2


def test_the_code_page_kicks_the_code_at_once(
    client_for, alice, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(reverse("reminders:sms_send_code"), {"mobile": NUMBER})

    assert len(sms_outbox) == 1 and row("sms_code").status == "sent"


# --- stale rows are cancelled with their reason ----------------------------------------------


def cancelled(kind: str) -> str:
    stale = row(kind)
    assert stale.status == "cancelled", stale.status
    return stale.last_error


def test_an_invitation_withdrawn_before_it_went_is_cancelled(charlie, no_kick):
    no_kick(lambda: invite(charlie, "new@example.org"))
    account_services.carelink_withdraw(clinician=charlie, email="new@example.org")

    sweep()

    assert mail.outbox == []
    assert cancelled("invitation") == "The invitation is no longer pending."


def test_an_invitation_to_a_clinicians_address_is_cancelled_not_sent(bob, charlie, no_kick):
    no_kick(lambda: invite(charlie, bob.email))

    sweep()

    assert mail.outbox == []
    assert "cannot accept invitations" in cancelled("invitation")


def test_a_signup_link_for_a_signup_already_used_is_cancelled(no_kick):
    no_kick(sign_up)
    account_services.signup_confirm(token=PendingSignup.objects.get().token)

    sweep()

    assert mail.outbox == []
    assert cancelled("signup_link") == "The sign-up was used or replaced."


def test_a_signup_link_that_could_not_go_within_its_lifetime_is_cancelled(no_kick):
    no_kick(sign_up)

    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        sweep()

    assert mail.outbox == []
    assert cancelled("signup_link") == "The sign-up link expired before it could be sent."


def test_a_reset_older_than_a_reset_link_lasts_is_cancelled(alice, no_kick):
    no_kick(lambda: reset(alice.email))

    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        sweep()

    assert mail.outbox == []
    assert "longer ago than a reset link lasts" in cancelled("password_reset")


def test_a_code_that_could_not_go_in_time_is_cancelled_and_the_page_says_to_ask_again(
    client_for, alice, no_kick, sms_outbox
):
    no_kick(lambda: services.sms_verification_start(patient=alice, number=NUMBER))

    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        sweep()

    assert sms_outbox == []
    assert "before it would have expired" in cancelled("sms_code")
    page = client_for(alice).get(reverse("reminders:preferences")).content.decode()
    assert f"We could not text a code to {NUMBER}" in page


def test_a_code_for_a_number_confirmed_meanwhile_is_cancelled_and_changes_nothing(
    alice, no_kick, sms_outbox
):
    no_kick(lambda: services.sms_verification_start(patient=alice, number=NUMBER))
    ReminderPreference.objects.filter(patient=alice).update(
        sms_number=NUMBER, sms_pending_number="", sms_enabled=True
    )

    sweep()

    assert sms_outbox == []
    assert cancelled("sms_code") == "The number is already confirmed."
    pref = ReminderPreference.objects.get(patient=alice)
    assert pref.sms_ready and not pref.sms_disabled_reason


def test_asking_for_a_code_to_another_number_cancels_the_first_request(alice, no_kick, sms_outbox):
    other = "+447700900456"
    no_kick(lambda: services.sms_verification_start(patient=alice, number=NUMBER))
    no_kick(lambda: services.sms_verification_start(patient=alice, number=other))

    sweep()

    assert [text.to for text in sms_outbox] == [other]
    first = Notification.objects.get(kind="sms_code", address=NUMBER)
    assert (first.status, first.last_error) == ("cancelled", "A newer code was asked for.")
    assert not ReminderPreference.objects.get(patient=alice).sms_disabled_reason


# --- a refused address ------------------------------------------------------------------------


def refusing_smtp(port: int):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
    )


@pytest.mark.parametrize("to_patient", [True, False])
def test_an_invitation_to_a_refused_address_fails_without_turning_off_any_reminders(
    to_patient, alice, charlie, no_kick
):
    services.preference_get(patient=alice)
    email = alice.email if to_patient else "nobody@example.org"
    no_kick(lambda: invite(charlie, email))

    with (
        smtp_server(Collector(refuse="550 5.1.1 No such mailbox")) as (_server, port),
        refusing_smtp(port),
    ):
        result = dispatch_due()

    failed = row("invitation")
    assert result.failed == 1 and (failed.status, failed.attempts) == ("failed", 1)
    assert "550" in failed.last_error
    pref = ReminderPreference.objects.get(patient=alice)
    assert pref.email_ready and not pref.email_disabled_reason


def test_a_refused_address_shows_on_the_failed_page_as_the_address_it_was_sent_to(
    client_for, staff, charlie, no_kick
):
    no_kick(lambda: invite(charlie, "nobody@example.org"))
    with (
        smtp_server(Collector(refuse="550 5.1.1 No such mailbox")) as (_server, port),
        refusing_smtp(port),
    ):
        dispatch_due()

    html = client_for(staff).get(reverse("reminders:failed")).content.decode()

    assert "nobody@example.org" in html and "Care team invitation" in html


def test_the_admin_lists_where_each_row_went(client_for, staff, charlie, alice, no_kick):
    no_kick(lambda: invite(charlie, "nobody@example.org"))
    no_kick(lambda: reset(alice.email))

    html = client_for(staff).get(reverse("admin:reminders_notification_changelist")).content
    text = html.decode()

    assert "nobody@example.org" in text and alice.email in text


# --- a broker that refuses the kick ------------------------------------------------------------


@pytest.fixture
def broker_refusing(monkeypatch):
    """Tasks are queued, not run eagerly, and the broker client cannot reach its broker."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    eager = celery_app.conf.task_always_eager
    celery_app.conf.update(task_always_eager=False)
    monkeypatch.setattr(Producer, "publish", refuse)
    yield
    monkeypatch.undo()
    celery_app.conf.update(task_always_eager=eager)


def test_a_kick_the_broker_refuses_costs_only_latency(
    client, alice, broker_refusing, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": alice.email})

    assert response.status_code == 302
    assert mail.outbox == [] and row("password_reset").status == "pending"
    assert "the sweep will send them" in caplog.text

    sweep()  # the sweep sends from the database, without the broker

    assert [message.to for message in mail.outbox] == [[alice.email]]


def test_turning_texts_off_leaves_a_code_for_a_new_number_to_go(alice, no_kick, sms_outbox):
    no_kick(lambda: services.sms_verification_start(patient=alice, number=NUMBER))
    services.sms_turn_off(patient=alice)

    sweep()

    assert row("sms_code").status == "sent"
    assert [text.to for text in sms_outbox] == [NUMBER]
