"""Pinned query counts: the patient pages cost the same with one month or three years of
history (session, and the user with the profile, included), the first time a page is drawn
(cold) and when its data is in the page cache (warm)."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from core.clock import local_today
from schedules.models import Prescription
from schedules.selectors import next_dose
from schedules.services.appointments import appointment_book
from tests.schedules.history import give_history

pytestmark = pytest.mark.django_db

QUERIES = {  # name: (cold, warm)
    # includes the reminder-channel warning (its preferences, its undelivered messages) and
    # the change notice (one), and monitoring's check-in nudge (one)
    "home": (11, 8),
    "schedules:schedule": (7, 3),  # the list is windowed; counts over the whole plan in one query
    "schedules:history": (6, 3),  # a page of 20: count, page, and the names of its days
    # and monitoring's evidence: the cycles (injections, check-ins), latest labs, urgent answers
    "schedules:appointment": (10, 10),
    "schedules:injection_log": (6, 6),
    "schedules:prescription": (4, 4),
}
HISTORIES = {"one month": 30, "three years": 3 * 365}


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
@pytest.mark.parametrize("history", list(HISTORIES))
@pytest.mark.parametrize("name", list(QUERIES))
def test_page_query_count_does_not_grow_with_history(
    client_for, alice, django_assert_num_queries, name, history, warm
):
    rx = give_history(alice, days=HISTORIES[history])
    assert rx.injections.count() > (30 if history == "three years" else 5)
    client = client_for(alice)
    url = reverse(name)
    first = client.get(url)  # the session is saved on the first request
    if not warm:
        cache.clear()

    with django_assert_num_queries(QUERIES[name][warm]):
        response = client.get(url)

    assert response.status_code == 200
    assert same_page(response.content, first.content)


def same_page(one: bytes, other: bytes) -> bool:
    """Equal but for what each response makes afresh: CSP nonces and form tokens."""
    fresh = rb'nonce="[^"]*"|"X-CSRFToken": "[^"]*"|name="(csrfmiddlewaretoken|client_token)" value'
    fresh += rb'="[^"]*"'
    return re.sub(fresh, b"", one) == re.sub(fresh, b"", other)


# A nurse-given prescription's pages show the appointment booked for the next dose. The
# schedule and home pages read it in their dose queries (no query more); the appointment
# page reads the next dose with it: one query more than the pin above.
NURSE_QUERIES = {
    "home": QUERIES["home"],
    "schedules:schedule": QUERIES["schedules:schedule"],
    "schedules:appointment": (11, 11),
}


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
@pytest.mark.parametrize("name", list(NURSE_QUERIES))
def test_a_booked_appointment_costs_no_query_on_the_list_pages(
    client_for, alice, django_assert_num_queries, name, warm
):
    rx = give_history(alice, days=HISTORIES["three years"])
    Prescription.objects.filter(pk=rx.pk).update(given_by="nurse")
    rx.refresh_from_db()
    dose = next_dose(prescription=rx, today=local_today(alice))
    assert dose is not None
    appointment_book(dose=dose, on=max(dose.earliest, local_today(alice)), actor=alice)
    client = client_for(alice)
    url = reverse(name)
    first = client.get(url)
    assert b"Booked for" in first.content
    if not warm:
        cache.clear()

    with django_assert_num_queries(NURSE_QUERIES[name][warm]):
        response = client.get(url)

    assert response.status_code == 200
    assert same_page(response.content, first.content)
