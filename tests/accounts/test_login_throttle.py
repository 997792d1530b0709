"""Log-in throttling: five wrong passwords for one account from one address are answered
normally; from the sixth, log-in to that account from that address is refused for 15 minutes
with one clear message. An address alone is stopped only after fifty failures, so one person's
typos do not lock out everyone behind the same address; behind the HTTPS proxy the address is
the client's, read from X-Forwarded-For."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.views import LOCKED_OUT
from tests.conftest import PASSWORD
from tests.htmltools import parse
from tests.test_settings import PRODUCTION, manage, real_key

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


def test_five_failures_lock_only_that_account_at_that_address(client, alice, dave):
    for _ in range(5):
        assert_no_match(attempt(client, alice.email, WRONG))

    assert_locked(attempt(client, alice.email, PASSWORD))
    assert attempt(client, dave.email, PASSWORD).status_code == 302
    client.logout()
    assert attempt(client, alice.email, PASSWORD, address="198.51.100.99").status_code == 302


def test_colleagues_behind_one_address_are_not_locked_out_by_one_persons_typos(client, db):
    for _ in range(5):
        assert_no_match(attempt(client, "typo@example.com", WRONG))
    assert_locked(attempt(client, "typo@example.com", WRONG))

    for number in range(10):
        assert_no_match(attempt(client, f"colleague{number}@example.com", WRONG))


def test_address_is_locked_after_fifty_failures_across_accounts(client, alice, dave):
    for number in range(50):
        assert_no_match(attempt(client, f"guess{number}@example.com", WRONG))

    assert_locked(attempt(client, alice.email, PASSWORD))
    assert_locked(attempt(client, dave.email, PASSWORD))
    response = attempt(client, dave.email, PASSWORD, address="192.0.2.55")
    assert response.status_code == 302


BEHIND_PROXY = override_settings(
    AXES_IPWARE_PROXY_COUNT=0,
    AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
)


def attempt_through_proxy(client, email: str, password: str, forwarded_for: str):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@BEHIND_PROXY
def test_behind_the_proxy_each_client_address_counts_apart(client, alice):
    for _ in range(5):
        attempt_through_proxy(client, alice.email, WRONG, forwarded_for="81.2.69.142")
    assert attempt_through_proxy(client, alice.email, PASSWORD, "81.2.69.142").status_code == 429

    response = attempt_through_proxy(client, alice.email, PASSWORD, forwarded_for="81.2.69.143")
    assert response.status_code == 302


@BEHIND_PROXY
def test_behind_the_proxy_a_forged_forwarded_address_does_not_escape_the_lock(client, alice):
    for number in range(5):
        attempt_through_proxy(client, alice.email, WRONG, f"5.6.7.{number}, 81.2.69.142")

    response = attempt_through_proxy(client, alice.email, PASSWORD, "5.6.7.99, 81.2.69.142")
    assert response.status_code == 429


@BEHIND_PROXY
def test_behind_the_proxy_clients_whose_office_proxy_forwards_too_count_apart(client, alice):
    for _ in range(5):
        attempt_through_proxy(client, alice.email, WRONG, "10.1.2.3, 81.2.69.142")
    assert (
        attempt_through_proxy(client, alice.email, WRONG, "10.1.2.3, 81.2.69.142").status_code
        == 429
    )

    response = attempt_through_proxy(client, alice.email, PASSWORD, "10.1.2.3, 81.2.69.143")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("env", "count", "order"),
    [
        ({}, "0", "('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR')"),
        ({"PROXY_COUNT": "2"}, "1", "('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR')"),
        ({"HTTPS": "false"}, "None", "('REMOTE_ADDR',)"),
    ],
    ids=["https", "two-proxies", "no-proxy"],
)
def test_https_reads_the_client_address_from_the_forwarding_header(tmp_path, env, count, order):
    result = manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.AXES_IPWARE_PROXY_COUNT); print(s.AXES_IPWARE_META_PRECEDENCE_ORDER)",
        SECRET_KEY=real_key(),
        **{**PRODUCTION, **env},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == [count, order]


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
        attempt(client, "ALICE@example.com" if number % 2 else "Alice@Example.COM", WRONG)

    assert_locked(attempt(client, "alice@example.com", PASSWORD))


def test_login_accepts_the_email_in_another_case(client, alice):
    response = attempt(client, "  Alice@Example.COM ", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_guesses_spread_over_many_addresses_lock_that_account_everywhere(client, alice, bob):
    for n in range(6):  # five from each address: no pair reaches its own lock
        for _ in range(5):
            assert_no_match(attempt(client, alice.email, WRONG, address=f"198.51.100.{n + 1}"))

    assert_locked(attempt(client, alice.email, PASSWORD, address="198.51.100.99"))
    # Another account from a fresh address is untouched.
    assert attempt(client, bob.email, PASSWORD, address="198.51.100.99").status_code == 302
