"""Pinned query counts: the patient pages cost the same with one month or three years of
history (session, user and profile included)."""

import pytest
from django.urls import reverse

from tests.schedules.history import give_history

pytestmark = pytest.mark.django_db

QUERIES = {
    "home": 9,  # includes the reminder-channel warning (one query)
    "schedules:schedule": 8,  # the list is windowed; counts over the whole plan in one query
    "schedules:history": 5,  # a page of 20: count, page, and the names of its days
    "schedules:appointment": 7,
    "schedules:injection_log": 7,
    "schedules:prescription": 5,
}
HISTORIES = {"one month": 30, "three years": 3 * 365}


@pytest.mark.parametrize("history", list(HISTORIES))
@pytest.mark.parametrize("name", list(QUERIES))
def test_page_query_count_does_not_grow_with_history(
    client_for, alice, django_assert_num_queries, name, history
):
    rx = give_history(alice, days=HISTORIES[history])
    assert rx.injections.count() > (30 if history == "three years" else 5)
    client = client_for(alice)
    url = reverse(name)
    client.get(url)  # the session is saved on the first request

    with django_assert_num_queries(QUERIES[name]):
        response = client.get(url)

    assert response.status_code == 200
