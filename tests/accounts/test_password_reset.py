"""Password reset by email: the request writes an outbox row, the worker sends it after the
commit with a link made at that moment, the link sets a new password once, and unknown
addresses learn nothing."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-passphrase-7"


def ask_for_reset(client, capture, email: str):
    with capture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email})


def test_reset_link_sets_a_new_password(client, alice, django_capture_on_commit_callbacks):
    response = ask_for_reset(client, django_capture_on_commit_callbacks, "Alice@Example.com")

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    link = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/password/reset/\S+/)", mail.outbox[0].body
    )
    assert link, mail.outbox[0].body

    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done.url == reverse("accounts:password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    reused = client.get(link.group(1), follow=True)
    assert "expired or was already used" in reused.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_email(
    client, db, django_capture_on_commit_callbacks
):
    response = ask_for_reset(client, django_capture_on_commit_callbacks, "nobody@example.com")

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change_needs_the_old_password(client_for, alice):
    client = client_for(alice)

    wrong = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    right = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert wrong.status_code == 200
    assert right.url == reverse("accounts:password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_reset_email_shows_the_address_as_typed(
    client, make_patient, django_capture_on_commit_callbacks
):
    make_patient("o'hara@example.com", "Ann O'Hara")

    ask_for_reset(client, django_capture_on_commit_callbacks, "o'hara@example.com")

    (message,) = mail.outbox
    assert "for o'hara@example.com." in message.body
    assert "&#x27;" not in message.body
