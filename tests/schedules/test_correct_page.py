"""Correcting and voiding an entry: every problem is shown at once beside its field, an expired
ampoule is recorded with a warning, and text fields have a limit."""

from datetime import date

import pytest

from schedules.models import Injection
from tests.helpers import noon
from tests.htmltools import field_errors, parse
from tests.schedules.helpers import START, log
from tests.schedules.test_history_pages import correct_url, correction, void_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(alice_rx, clock):
    injection = log(alice_rx, START, site="deltoid_left")
    clock.move_to(noon(date(2025, 1, 9)))
    return injection


def unchanged(injection) -> bool:
    injection.refresh_from_db()
    return injection.status == "recorded" and Injection.objects.count() == 1


def test_an_empty_reason_and_a_future_date_are_both_shown_at_once(client_for, alice, first):
    data = correction(reason="", given_on="2025-01-10")

    response = client_for(alice).post(correct_url(first), data)

    assert response.status_code == 400
    assert field_errors(response.content, "reason") == [
        "Say what was wrong, so the record explains the change."
    ]
    assert any("in the future" in e for e in field_errors(response.content, "given_on"))
    assert unchanged(first)


def test_every_problem_of_a_correction_is_shown_beside_its_field(client_for, alice, first):
    response = client_for(alice).post(
        correct_url(first),
        correction(
            reason=" ", given_on="2025-01-05", site="", dose_mcg="4000", expiry="2036-01-06"
        ),
    )

    assert response.status_code == 400
    assert field_errors(response.content, "reason")
    assert any("before this prescription" in e for e in field_errors(response.content, "given_on"))
    assert any("Pick the place" in e for e in field_errors(response.content, "site"))
    assert any("mL" in e for e in field_errors(response.content, "dose_mcg"))
    assert any("more than 10 years" in e for e in field_errors(response.content, "expiry"))
    assert parse(response.content).by_id("error-summary") is not None
    assert unchanged(first)


def test_a_time_later_than_now_is_shown_beside_a_missing_reason(client_for, alice, first):
    # The clock stands at noon on the 9th.
    response = client_for(alice).post(
        correct_url(first), correction(reason="", given_on="2025-01-09", given_at="13:00")
    )

    assert field_errors(response.content, "reason")
    assert any("later than now" in e for e in field_errors(response.content, "given_at"))
    assert unchanged(first)


def test_a_correction_with_an_expired_ampoule_is_saved_with_a_warning(client_for, alice, first):
    response = client_for(alice).post(
        correct_url(first), correction(expiry="2024-11-01"), follow=True
    )

    replacement = Injection.objects.get(replaces=first)
    assert replacement.expiry == date(2024, 11, 1)
    text = parse(response.content).find(cls="messages").text
    assert "Corrected." in text
    assert "Saved. That ampoule had expired on 1 Nov 2024; your care team can advise." in text


def test_a_correction_form_coming_back_warns_of_an_expired_ampoule(client_for, alice, first):
    data = correction(reason="", expiry="2025-01-01")

    response = client_for(alice).post(correct_url(first), data)

    assert response.status_code == 400
    assert field_errors(response.content, "expiry") == []
    assert "had expired on 1 Jan" in parse(response.content).by_id("id_expiry_warning").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reason": "x" * 201}, "reason", "at most 200 characters"),
        ({"notes": "x" * 1001}, "notes", "at most 1000 characters"),
        ({"lot": "x" * 41}, "lot", "at most 40 characters"),
        ({"notes": "a\x00b"}, "notes", "Null characters are not allowed"),
    ],
)
def test_text_beyond_its_limit_is_refused_beside_the_field(
    client_for, alice, first, changes, field, message
):
    response = client_for(alice).post(correct_url(first), correction(**changes))

    assert response.status_code == 400
    assert any(message in e for e in field_errors(response.content, field))
    assert unchanged(first)


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why, so the record explains what happened."),
        ("x" * 201, "at most 200 characters"),
        ("a\x00b", "Null characters are not allowed"),
    ],
)
def test_a_bad_void_reason_is_refused_beside_the_field(client_for, alice, first, reason, message):
    response = client_for(alice).post(void_url(first), {"reason": reason})

    assert response.status_code == 400
    assert any(message in e for e in field_errors(response.content, "reason"))
    assert unchanged(first)


def test_a_too_soon_correction_is_asked_about_beside_a_missing_reason(
    client_for, alice, alice_rx, first
):
    second = log(alice_rx, date(2025, 1, 8), site="deltoid_right")

    response = client_for(alice).post(
        correct_url(second), correction(reason="", given_on="2025-01-06")
    )

    assert response.status_code == 400
    assert field_errors(response.content, "reason")
    assert "too close together" in parse(response.content).by_id("too-soon").text
    second.refresh_from_db()
    assert second.status == "recorded"
