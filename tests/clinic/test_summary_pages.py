"""The patients list read from the summaries: an exact query count that does not move from 10
to 300 patients, pages by cursor (Next and Previous) that visit every patient once in need
order, a search by word prefix, and a CSV export that streams."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clinic.selectors.patients import PAGE_SIZE
from demo.bulk import linked_demo_patients
from monitoring.models import Flag, PatientSummary
from monitoring.summary_sync import summaries_rebuild
from schedules.models import Prescription

pytestmark = pytest.mark.django_db
URL = reverse("clinic:patients")
CSV_URL = reverse("clinic:patients_csv")
# Session, user, the clinician's two-factor device, the page's summaries (with patient and
# phases joined), the count of linked patients, pending invitations, the read-audit row.
PAGE_QUERIES = 7
# Session, user, two-factor device, the count for the audit event, the audit event, the
# streamed rows, the read-audit row.
CSV_QUERIES = 7


def seed_ward(clinician: User, count: int, *, first: int = 1) -> None:
    linked_demo_patients(clinician, count, first=first)
    summaries_rebuild()


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/clinic/patients/\d+/">([^<]+)</a>', html)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', html)
    return URL + unescape(found.group(1)) if found else None


def test_the_page_costs_the_same_queries_for_10_and_300_patients(
    client_for, bob, django_assert_num_queries
):
    seed_ward(bob, 9)  # and alice: 10
    client = client_for(bob)
    client.get(URL)  # a first visit may set up the session
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL).status_code == 200
    seed_ward(bob, 290, first=10)

    with django_assert_num_queries(PAGE_QUERIES):
        html = client.get(URL).content.decode()

    assert len(_names(html)) == PAGE_SIZE


@pytest.mark.parametrize(
    "query",
    [{"q": "zed pat"}, {"phase": "maintenance"}, {"band": "good"}, {"flag": "test_overdue"}],
)
def test_a_filtered_page_costs_the_same_queries(client_for, bob, django_assert_num_queries, query):
    seed_ward(bob, 9)
    client = client_for(bob)
    client.get(URL)
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(URL, query)
    seed_ward(bob, 120, first=10)

    with django_assert_num_queries(PAGE_QUERIES):
        client.get(URL, query)


def test_next_and_previous_visit_every_patient_once_in_need_order(client_for, bob):
    seed_ward(bob, 120)  # and alice: 121
    client = client_for(bob)
    expected = list(
        PatientSummary.objects.filter(patient__in=User.objects.filter(role="patient"))
        .order_by("-open_flags", "due_key", "sort_name", "patient_id")
        .values_list("name", flat=True)
    )

    pages, html = [], client.get(URL).content.decode()
    assert _link(html, "prev") is None
    while True:
        pages.append(_names(html))
        following = _link(html, "next")
        if following is None:
            break
        html = client.get(following).content.decode()

    assert [len(page) for page in pages] == [50, 50, 21]
    assert [name for page in pages for name in page] == expected
    back = client.get(_link(html, "prev")).content.decode()
    assert _names(back) == pages[1]
    assert _names(client.get(_link(back, "prev")).content.decode()) == pages[0]


def test_a_cursor_that_is_not_one_shows_the_first_page(client_for, bob, ward_of_three):
    html = client_for(bob).get(URL, {"after": "not-a-cursor!"}).content.decode()

    assert _names(html)[:1] == ["Alice Patel"]


def test_search_matches_the_start_of_any_word_of_the_name_or_the_email(
    client_for, bob, ward_of_three
):
    client = client_for(bob)

    assert _names(client.get(URL, {"q": "OVER"}).content.decode()) == ["Erin Overdue"]
    assert _names(client.get(URL, {"q": "erin o"}).content.decode()) == ["Erin Overdue"]
    assert _names(client.get(URL, {"q": "verdue"}).content.decode()) == []


def test_the_export_streams_every_row(client_for, bob):
    seed_ward(bob, 30)
    response = client_for(bob).get(CSV_URL)

    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1 + 31


def test_the_export_costs_the_same_queries_for_10_and_300_patients(
    client_for, bob, django_assert_num_queries
):
    seed_ward(bob, 9)
    client = client_for(bob)
    client.get(URL)
    with django_assert_num_queries(CSV_QUERIES):
        b"".join(client.get(CSV_URL).streaming_content)
    seed_ward(bob, 290, first=10)

    with django_assert_num_queries(CSV_QUERIES):
        lines = b"".join(client.get(CSV_URL).streaming_content).decode().splitlines()

    assert len(lines) == 1 + 300


@pytest.fixture
def ward_of_three(ward):
    """The clinic conftest's ward: alice (an open flag), erin (overdue), aaron."""
    return ward


def test_the_flags_inbox_goes_by_cursor_newest_first(client_for, bob):
    seed_ward(bob, 5)
    rx = Prescription.objects.filter(patient__clinician_links__clinician=bob).first()
    assert rx is not None
    at = timezone.now()
    Flag.objects.bulk_create(  # some raised in the same instant: the id settles their order
        Flag(
            patient=rx.patient,
            prescription=rx,
            kind=Flag.Kind.TEST_OVERDUE,
            key=f"bench:{n}",
            raised_at=at - timedelta(minutes=n // 3),
        )
        for n in range(70)
    )
    wanted = list(
        Flag.objects.filter(status__in=Flag.UNRESOLVED)
        .order_by("-raised_at", "-pk")
        .values_list("pk", flat=True)
    )
    assert len(wanted) > PAGE_SIZE  # the demo histories raise plenty
    client, inbox = client_for(bob), reverse("clinic:flags")

    first = client.get(inbox).content.decode()
    following = re.search(r'rel="next" href="([^"]+)"', first)
    assert following is not None
    second = client.get(inbox + unescape(following.group(1))).content.decode()

    shown = [int(pk) for html in (first, second) for pk in re.findall(r'id="flag-(\d+)"', html)]
    assert shown[: len(wanted)] == wanted[: len(shown)]
    assert len(shown) == min(len(wanted), 2 * PAGE_SIZE)
