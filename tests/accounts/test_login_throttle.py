"""Log-in throttling: five wrong passwords are answered normally; from the sixth attempt,
per account and per address, log-in is refused for 15 minutes with one clear message."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.views import LOCKED_OUT
from tests.conftest import PASSWORD
from tests.htmltools import parse

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-99"
NO_MATCH = "That email and password do not match an account"


def attempt(client, email: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


def assert_no_match(response) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    assert NO_MATCH in html
    assert LOCKED_OUT not in html
    assert "_auth_user_id" not in response.wsgi_request.session


def assert_locked(response) -> None:
    assert response.status_code == 429
    page = parse(response.content)
    assert page.by_id("locked-out").text == LOCKED_OUT
    assert NO_MATCH not in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_right_password_logs_in(client, alice):
    response = attempt(client, alice.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_five_wrong_passwords_get_the_normal_error(client, alice):
    for _ in range(5):
        assert_no_match(attempt(client, alice.email, WRONG))


def test_sixth_wrong_password_is_refused_with_the_lockout_message(client, alice):
    for _ in range(5):
        attempt(client, alice.email, WRONG)

    assert_locked(attempt(client, alice.email, WRONG))


def test_right_password_is_refused_after_five_wrong_ones(client, alice):
    for _ in range(5):
        attempt(client, alice.email, WRONG)

    assert_locked(attempt(client, alice.email, PASSWORD))
    assert_locked(attempt(client, alice.email, PASSWORD))


def test_unknown_account_gets_the_same_messages(client, db):
    for _ in range(5):
        assert_no_match(attempt(client, "nobody@example.com", WRONG))

    assert_locked(attempt(client, "nobody@example.com", WRONG))


def test_lock_is_per_account_across_addresses(client, alice):
    for number in range(5):
        assert_no_match(attempt(client, alice.email, WRONG, address=f"198.51.100.{number}"))

    assert_locked(attempt(client, alice.email, PASSWORD, address="198.51.100.99"))


def test_lock_is_per_address_across_accounts(client, alice, dave):
    for number in range(5):
        assert_no_match(attempt(client, f"guess{number}@example.com", WRONG))

    assert_locked(attempt(client, alice.email, PASSWORD))
    assert_locked(attempt(client, dave.email, PASSWORD))
    response = attempt(client, dave.email, PASSWORD, address="192.0.2.55")
    assert response.status_code == 302


def test_lock_lifts_after_fifteen_minutes(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(6):
            attempt(client, alice.email, WRONG)
        clock.shift(timedelta(minutes=14, seconds=50))
        assert_locked(attempt(client, alice.email, PASSWORD))

        clock.shift(timedelta(minutes=15, seconds=1))
        response = attempt(client, alice.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_successful_login_starts_the_count_again(client, alice):
    for _ in range(4):
        attempt(client, alice.email, WRONG)
    assert attempt(client, alice.email, PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert_no_match(attempt(client, alice.email, WRONG))


def test_email_case_does_not_matter_for_login_or_for_the_count(client, alice):
    for number in range(5):
        attempt(
            client,
            "ALICE@example.com" if number % 2 else "Alice@Example.COM",
            WRONG,
            address=f"198.51.100.{number}",
        )

    assert_locked(attempt(client, "alice@example.com", PASSWORD, address="198.51.100.99"))


def test_login_accepts_the_email_in_another_case(client, alice):
    response = attempt(client, "  Alice@Example.COM ", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
