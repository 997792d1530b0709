"""Staff can act on the failed outbox rows: a page listing them, newest failure first, and
two retries (the ticked rows; everything that failed after a time) that put them back in the
queue, except dose reminders whose dose window has closed."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from reminders import services
from reminders.models import Notification
from schedules.models import Dose
from tests.htmltools import parse
from tests.reminders.conftest import after_claim_select, daily, utc

pytestmark = pytest.mark.django_db
URL = reverse("reminders:failed")
NOW = utc(2026, 6, 11, 12, 0)


@pytest.fixture
def doses(alice):
    rx = daily(alice, start=date(2026, 6, 1), today=date(2026, 6, 11))
    return {dose.due: dose for dose in Dose.objects.filter(prescription=rx)}


def failed(patient, *, dose=None, kind="due", minutes_ago=60, status="failed", key=""):
    at = NOW - timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=patient,
        dose=dose,
        dedupe_key=key,
        kind=kind,
        channel="email",
        status=status,
        attempts=5,
        scheduled_for=at - timedelta(hours=1),
        next_attempt_at=at,
        last_error=f"550 failed {minutes_ago} minutes ago",
        last_error_at=at,
    )


def digest(patient, n: int, **kwargs) -> Notification:
    return failed(patient, kind="flag_digest", key=f"digest-{n}", **kwargs)


def get(client, **params):
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL, params)
    assert response.status_code == 200
    return response


def post(client, name, data):
    with time_machine.travel(NOW, tick=False):
        return client.post(reverse(name), data, follow=True)


def test_the_page_lists_failed_rows_only_newest_failure_first(client_for, staff, alice, doses):
    older = failed(alice, dose=doses[date(2026, 6, 11)], minutes_ago=90)
    newer = digest(alice, 1, minutes_ago=10)
    for status in ("pending", "sent", "cancelled", "sending"):
        digest(alice, hash(status), status=status)

    html = parse(get(client_for(staff)).content)

    rows = html.by_id("failed").find("tbody").find_all("tr")
    assert [row.attrs["id"] for row in rows] == [f"failed-{newer.pk}", f"failed-{older.pk}"]
    cells = [td.text for td in html.by_id(f"failed-{older.pk}").find_all("td")][1:]
    assert cells == [
        "Day-of reminder",
        "Email",
        "alice@example.com",
        "11 Jun 2026, 09:30",
        "5",
        "550 failed 90 minutes ago",
        "11 Jun 2026, 10:30:00",
    ]


def test_the_status_page_links_to_it(client_for, staff):
    with time_machine.travel(NOW, tick=False):
        html = parse(client_for(staff).get(reverse("reminders:status")).content)

    assert html.by_id("failed-link").attrs["href"] == URL


def test_retry_these_requeues_the_ticked_rows_and_writes_one_audit_event(
    client_for, staff, alice, doses
):
    chosen = [failed(alice, dose=doses[date(2026, 6, 11)]), digest(alice, 1)]
    other = digest(alice, 2)

    response = post(client_for(staff), "reminders:retry_selected", {"ids": [r.pk for r in chosen]})

    assert response.redirect_chain == [(URL, 302)]
    assert "Retried 2; 0 skipped because their dose window has closed." in response.content.decode()
    for row in chosen:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.next_attempt_at, row.last_error) == (
            "pending",
            0,
            NOW,
            "",
        )
        assert row.last_error_at == NOW - timedelta(minutes=60)  # kept: when it last failed
    other.refresh_from_db()
    assert other.status == "failed"
    (event,) = AuditEvent.objects.filter(action="reminders.retried")
    assert event.actor == staff
    assert event.detail == {
        "ids": sorted(r.pk for r in chosen),
        "retried": 2,
        "skipped": 0,
        "skipped_ids": [],
    }


def test_a_dose_reminder_whose_window_has_closed_is_skipped(alice, staff, doses):
    closed = failed(alice, dose=doses[date(2026, 6, 2)])
    assert closed.dose.latest < date(2026, 6, 11)
    still_open = failed(alice, dose=doses[date(2026, 6, 11)], kind="nudge")

    result = services.failed_retry(actor=staff, ids=[closed.pk, still_open.pk], now=NOW)

    assert result == services.RetryResult(retried=1, skipped=1)
    closed.refresh_from_db()
    still_open.refresh_from_db()
    assert (closed.status, closed.attempts) == ("failed", 5)
    assert still_open.status == "pending"
    event = AuditEvent.objects.get(action="reminders.retried")
    assert event.detail["skipped_ids"] == [closed.pk]


def test_the_page_says_how_many_were_skipped(client_for, staff, alice, doses):
    closed = failed(alice, dose=doses[date(2026, 6, 2)])

    response = post(client_for(staff), "reminders:retry_selected", {"ids": [closed.pk]})

    assert "Retried 0; 1 skipped because their dose window has closed." in response.content.decode()


def test_retry_after_a_cut_off_retries_only_the_rows_that_failed_after_it(client_for, staff, alice):
    before = digest(alice, 1, minutes_ago=120)
    after = [digest(alice, 2, minutes_ago=30), digest(alice, 3, minutes_ago=5)]

    response = post(
        client_for(staff), "reminders:retry_after", {"failed_after": "2026-06-11T11:00"}
    )

    assert "Retried 2; 0 skipped" in response.content.decode()
    assert Notification.objects.get(pk=before.pk).status == "failed"
    assert {r.status for r in Notification.objects.filter(pk__in=[r.pk for r in after])} == {
        "pending"
    }
    (event,) = AuditEvent.objects.filter(action="reminders.retried")
    assert event.detail["failed_after"] == "2026-06-11 11:00:00+00:00"
    assert event.detail["retried"] == 2


def test_a_row_sent_after_it_was_read_is_left_alone(alice, staff):
    row = digest(alice, 1)

    def sent_meanwhile() -> None:
        Notification.objects.filter(pk=row.pk).update(status="sent", sent_at=NOW)

    with after_claim_select(sent_meanwhile):
        result = services.failed_retry(actor=staff, ids=[row.pk], now=NOW)

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 5)
    assert result.retried == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not a time", "Enter a date and time, such as 2026-06-11 09:30."),
        ("", "Enter the time the failures started"),
        ("2026-06-12T09:00", "That time is in the future"),
    ],
)
def test_a_bad_cut_off_is_explained_next_to_the_field_and_nothing_changes(
    client_for, staff, alice, value, message
):
    row = digest(alice, 1)

    with time_machine.travel(NOW, tick=False):
        response = client_for(staff).post(reverse("reminders:retry_after"), {"failed_after": value})

    assert response.status_code == 400
    html = parse(response.content)
    assert message in html.by_id("id_failed_after_error").text
    assert html.by_id("id_failed_after").attrs["aria-invalid"] == "true"
    row.refresh_from_db()
    assert row.status == "failed"
    assert not AuditEvent.objects.filter(action="reminders.retried").exists()


def test_retry_these_with_nothing_ticked_says_so(client_for, staff, alice):
    digest(alice, 1)

    with time_machine.travel(NOW, tick=False):
        response = client_for(staff).post(reverse("reminders:retry_selected"), {})

    assert response.status_code == 400
    assert "Tick at least one failed reminder" in parse(response.content).by_id("ids-error").text
    assert not AuditEvent.objects.filter(action="reminders.retried").exists()


def test_the_page_reads_a_fixed_number_of_queries(client_for, staff, alice):
    client = client_for(staff)
    counts = []
    for total in (3, 60):
        Notification.objects.all().delete()
        for n in range(total):
            digest(alice, n, minutes_ago=n + 1)
        get(client)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = get(client)
        counts.append(len(queries))
        rows = parse(response.content).by_id("failed").find("tbody").find_all("tr")
        assert len(list(rows)) == min(total, 50)

    # Session, user, the method that passed the second step, and the page's failed rows.
    assert counts[0] == counts[1] == 5, counts
