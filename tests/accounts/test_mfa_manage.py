"""Managing two-factor sign-in: an app is a method only once it showed a right code; the first
method comes with ten recovery codes, shown once; new codes end the old ones; removing a
method or making codes needs a recent sign-in; a clinician keeps at least one method; every
change is audited and emailed to the account's owner."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.mfa.services import LAST_METHOD, WRONG_CODE
from accounts.models import AuditEvent
from reminders.models import Kind, Notification
from tests.accounts.test_mfa_verify import code_of, field_error, wrong_code
from tests.htmltools import parse

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:mfa_setup")
ADD_APP = reverse("accounts:mfa_totp_add")
CODES = reverse("accounts:mfa_recovery_codes")
RECOVERY = reverse("accounts:mfa_recovery")
SUBJECT = "Two-factor sign-in changed on your account"


def later(minutes: int):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def notices(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Kind.SECURITY))


def audit(user) -> list[tuple[str, object]]:
    events = AuditEvent.objects.filter(actor=user, action__startswith="mfa.").order_by("pk")
    return [(event.action, event.detail["method"]) for event in events]


def shown_codes(response) -> list[str]:
    return [item.text for item in parse(response.content).by_id("recovery-codes").find_all("li")]


def add_app(client, capture) -> list[str]:
    """Set up an app from its page; the recovery codes shown after, if any."""
    page = client.get(ADD_APP)
    secret = parse(page.content).by_id("totp-secret").text
    pending = TOTPDevice.objects.get(confirmed=False)
    with capture(execute=True):
        response = client.post(ADD_APP, {"code": code_of(pending)})
    assert response.status_code == 302 and response["Location"] == SETUP, secret
    follow = client.get(SETUP)
    if follow.status_code == 302:
        return shown_codes(client.get(CODES))
    return []


@pytest.mark.mfa_unverified
def test_a_clinician_sets_up_an_app_and_gets_recovery_codes_once(
    client_for, alice, bob, django_capture_on_commit_callbacks
):
    client = client_for(bob)
    page = client.get(ADD_APP)
    assert page.status_code == 200
    html = parse(page.content)
    assert html.find("svg") is not None  # the QR code, drawn on the server
    assert len(html.by_id("totp-secret").text.replace(" ", "")) == 32

    codes = add_app(client, django_capture_on_commit_callbacks)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(CODES)["Location"] == SETUP  # shown once
    assert TOTPDevice.objects.filter(user=bob, confirmed=True).count() == 1
    assert client.get(reverse("clinic:patient_detail", args=[alice.pk])).status_code == 200
    assert audit(bob) == [("mfa.added", "app"), ("mfa.added", "recovery_codes")]
    assert len(notices(bob)) == 1  # one email for the app and its codes
    assert [m.subject for m in mail.outbox] == [SUBJECT]
    assert "An authenticator app was added" in mail.outbox[0].body
    assert mail.outbox[0].to == [bob.email]


@pytest.mark.mfa_unverified
def test_a_wrong_code_leaves_the_app_unconfirmed(client_for, bob):
    client = client_for(bob)
    client.get(ADD_APP)
    pending = TOTPDevice.objects.get(user=bob)

    response = client.post(ADD_APP, {"code": wrong_code(pending)})

    assert field_error(response) == WRONG_CODE
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert not notices(bob) and not audit(bob)
    letters = client.post(ADD_APP, {"code": "12ab56"})
    assert field_error(letters) == "Enter the 6 digits the app shows, without letters."


def test_the_same_secret_is_shown_until_the_app_is_confirmed(client_for, alice):
    client = client_for(alice)
    first = parse(client.get(ADD_APP).content).by_id("totp-secret").text
    assert parse(client.get(ADD_APP).content).by_id("totp-secret").text == first


def test_new_recovery_codes_end_the_old_ones(client_for, alice, django_capture_on_commit_callbacks):
    client = client_for(alice)
    old = add_app(client, django_capture_on_commit_callbacks)

    assert client.get(RECOVERY).status_code == 200
    response = client.post(RECOVERY)
    assert response["Location"] == CODES
    new = shown_codes(client.get(CODES))

    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert audit(alice)[-1] == ("mfa.added", "recovery_codes")
    assert len(notices(alice)) == 2  # the app with its first codes, then the new codes


def test_making_codes_or_removing_needs_a_recent_sign_in(client_for, alice):
    device = TOTPDevice.objects.create(user=alice, name="Phone", confirmed=True)
    client = client_for(alice)
    with later(11):
        for url in (RECOVERY, reverse("accounts:mfa_remove_app", args=[device.pk])):
            response = client.post(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:reauth"))
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not audit(alice)


def test_a_clinician_cannot_remove_the_last_method(client_for, bob):
    client = client_for(bob)
    device = TOTPDevice.objects.get(user=bob)
    url = reverse("accounts:mfa_remove_app", args=[device.pk])

    page = parse(client.get(url).content)
    assert page.by_id("remove-error").text == LAST_METHOD
    response = client.post(url)

    assert response.status_code == 400
    assert parse(response.content).by_id("remove-error").text == LAST_METHOD
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not audit(bob) and not notices(bob)


def test_a_clinician_with_a_passkey_may_remove_the_app(client_for, bob, alice):
    device = TOTPDevice.objects.create(user=bob, name="Phone", confirmed=True)
    passkey = passkey_of(bob)
    client = client_for(bob)

    response = client.post(reverse("accounts:mfa_remove_app", args=[device.pk]))

    assert response["Location"] == SETUP
    assert not TOTPDevice.objects.filter(user=bob).exists()
    # The session passed the step with the app it just removed: it stays passed.
    assert client.get(reverse("clinic:patient_detail", args=[alice.pk])).status_code == 200
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert audit(bob) == [("mfa.removed", "app")]


def test_a_patient_removing_the_last_method_turns_it_off(
    client_for, alice, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    add_app(client, django_capture_on_commit_callbacks)
    device = TOTPDevice.objects.get(user=alice)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:mfa_remove_app", args=[device.pk]))

    assert response["Location"] == SETUP
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticDevice.objects.filter(user=alice).exists()  # codes alone are no factor
    assert audit(alice)[-2:] == [("mfa.removed", "app"), ("mfa.removed", "recovery_codes")]
    assert len(mail.outbox) == 1 and "An authenticator app was removed" in mail.outbox[0].body
    assert client.get(reverse("accounts:profile")).status_code == 200


def passkey_of(user) -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user,
        credential_id=b"credential-" + str(user.pk).encode(),
        public_key=b"key",
        sign_count=0,
        confirmed=True,
    )


def test_a_patient_removes_a_passkey(client_for, alice, django_capture_on_commit_callbacks):
    passkey = passkey_of(alice)
    client = client_for(alice)
    listing = parse(client.get(reverse("accounts:mfa_passkeys")).content)
    assert listing.by_id("passkey-list") is not None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:mfa_remove_passkey", args=[passkey.pk]))

    assert response["Location"] == SETUP
    assert not WebAuthnCredential.objects.filter(user=alice).exists()
    assert audit(alice) == [("mfa.removed", "passkey")]
    assert "A passkey was removed" in mail.outbox[-1].body


def test_someone_elses_method_is_not_found(client_for, alice, dave):
    theirs = TOTPDevice.objects.create(user=dave, name="Phone", confirmed=True)
    key = passkey_of(dave)
    client = client_for(alice)
    assert client.get(reverse("accounts:mfa_remove_app", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:mfa_remove_app", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:mfa_remove_passkey", args=[key.pk])).status_code == 404
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


def test_codes_need_another_method_first(client_for, alice):
    assert client_for(alice).post(RECOVERY).status_code == 404


def test_the_profile_links_to_two_factor_sign_in(client_for, alice):
    page = parse(client_for(alice).get(reverse("accounts:profile")).content)
    assert page.by_id("mfa-link").attrs["href"] == SETUP


def test_adding_a_passkey_needs_a_recent_sign_in_at_the_endpoints_too(client_for, alice):
    """A stale session calling the ceremony's endpoints directly (not through the page) is
    refused, as the pages that start it are."""
    client = client_for(alice)
    begin = reverse("accounts:passkey_register_begin")
    assert client.post(begin, "{}", content_type="application/json").status_code == 200
    with later(11):
        assert (
            reverse("accounts:reauth") in client.get(reverse("accounts:mfa_passkeys"))["Location"]
        )
        response = client.post(begin, "{}", content_type="application/json")
        assert response.status_code == 403
        assert response.json()["code"] == "reauthentication_required"
        complete = client.post(
            reverse("accounts:passkey_register_complete"), "{}", content_type="application/json"
        )
        assert complete.status_code == 403
    assert not WebAuthnCredential.objects.filter(user=alice).exists()


@pytest.mark.mfa_unverified
def test_a_clinician_enrolling_late_confirms_the_password_and_carries_on(client_for, charlie):
    """Enrolment is open from the sign-in page on; once the sign-in is old, adding an app
    goes through "confirm it's you" (which the enrolment hold lets through) and back."""
    from tests.conftest import PASSWORD

    client = client_for(charlie)
    with later(11):
        to_confirm = client.get(reverse("accounts:mfa_totp_add"))
        assert to_confirm["Location"].startswith(reverse("accounts:reauth"))
        page = client.get(to_confirm["Location"])
        assert page.status_code == 200
        back = client.post(
            to_confirm["Location"], {"password": PASSWORD, "next": reverse("accounts:mfa_totp_add")}
        )
        assert back.status_code == 302
        assert client.get(back["Location"]).status_code == 200
