"""The dose list: statuses as the schedule page shows them, the date and status filters, who
sees what, and the queries a page costs."""

from datetime import timedelta

import pytest

from core.clock import local_today
from schedules import selectors
from tests.api.conftest import problem_fields

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/doses/"


def _page_doses(rx, today):
    schedule = selectors.schedule_for(prescription=rx, today=today, every=True, ahead=True)
    return [(entry.day.isoformat(), entry.status) for entry in schedule.entries if entry.phase]


def test_doses_match_the_schedule_page(alice, rx, as_user):
    body = as_user(alice, "read").get(f"{URL}?page_size=200").json()
    assert body["count"] == len(body["results"])
    api = [(dose["due"], dose["status"]) for dose in body["results"]]
    assert api == _page_doses(rx, local_today(alice))
    # Ten days in with nothing logged: doses missed, one due or scheduled, more to come.
    statuses = {status for _, status in api}
    assert "missed" in statuses and "scheduled" in statuses


def test_from_to_and_status_filter(alice, rx, as_user):
    client = as_user(alice, "read")
    today = local_today(alice)
    start, end = today - timedelta(days=4), today + timedelta(days=4)
    body = client.get(URL, {"from": start.isoformat(), "to": end.isoformat()}).json()
    dues = [dose["due"] for dose in body["results"]]
    assert dues and all(start.isoformat() <= due <= end.isoformat() for due in dues)
    assert dues == sorted(dues)
    expected = [
        day for day, _ in _page_doses(rx, today) if start.isoformat() <= day <= end.isoformat()
    ]
    assert dues == expected
    missed = client.get(URL, {"status": "missed", "page_size": 200}).json()["results"]
    assert missed and {dose["status"] for dose in missed} == {"missed"}
    assert [dose["due"] for dose in missed] == [
        day for day, status in _page_doses(rx, today) if status == "missed"
    ]
    assert client.get(URL, {"status": "cancelled"}).json()["count"] == 0
    backwards = {"from": end.isoformat(), "to": start.isoformat()}
    assert client.get(URL, backwards).json()["count"] == 0


@pytest.mark.parametrize(
    "query, field",
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"status": "lost"}, "status"),
        ({"status": ""}, "status"),
        ({"from": ""}, "from"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(alice, rx, as_user, query, field):
    assert field in problem_fields(as_user(alice, "read").get(URL, query))


def test_another_patient_and_a_clinician_see_none_of_alices(alice, bob, dave, rx, as_user):
    assert as_user(dave, "read").get(URL).json()["count"] == 0
    assert as_user(bob, "read").get(URL).status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_a_page_of_doses_costs_the_same_queries(
    alice, rx, as_user, size, django_assert_num_queries
):
    client = as_user(alice, "read")
    # The token and its last use, the patient's time zone, the prescription, count and page.
    with django_assert_num_queries(6):
        body = client.get(URL, {"page_size": size}).json()
    assert len(body["results"]) == size
