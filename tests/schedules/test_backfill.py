"""Back-fill: several past injections at once, typed into a table or uploaded as a CSV file.
Every row is checked and either all are written, in one transaction, or none; they count and
re-anchor like logged ones, and raise no flag and send no message."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from monitoring.models import Flag
from reminders.models import Notification
from schedules.models import Injection
from schedules.services.backfill import BackfillError, BackfillRow, injections_backfill
from schedules.services.joining import Joining
from tests.htmltools import parse
from tests.schedules.helpers import START, create, live_dues

pytestmark = pytest.mark.django_db
URL = reverse("schedules:injection_backfill")
TODAY = date(2025, 3, 20)


@pytest.fixture
def monthly(alice):
    """seed-maintenance from Mon 6 Jan 2025, entered that day; today is 20 Mar."""
    return create(alice, regimen="seed-maintenance", start=START, today=START)


def table(*rows: tuple[str, str, str]) -> dict[str, str]:
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "100",
    }
    for index, (given_on, site, given_by) in enumerate(rows):
        data |= {
            f"form-{index}-given_on": given_on,
            f"form-{index}-site": site,
            f"form-{index}-given_by": given_by,
        }
    return data


def row_errors(html: bytes, number: int) -> list[str]:
    row = parse(html).by_id(f"row-{number}")
    return [div.text for div in row.find_all("div", cls="text-danger")]


def test_backfilled_injections_count_and_re_anchor(alice, monthly):
    made = injections_backfill(
        prescription=monthly,
        actor=alice,
        rows=[
            BackfillRow(given_on=date(2025, 1, 6), site="deltoid_left"),
            BackfillRow(given_on=date(2025, 2, 10), given_by="nurse"),
        ],
        today=TODAY,
    )

    assert [i.given_on for i in made] == [date(2025, 1, 6), date(2025, 2, 10)]
    assert made[1].given_by == "nurse" and made[0].given_by == "self"
    assert all(i.dose is not None for i in made)
    assert date(2025, 3, 10) in live_dues(monthly)  # re-anchored on 10 Feb
    assert AuditEvent.objects.filter(action="injection.backfilled").count() == 1


def test_one_bad_row_writes_nothing_and_names_each_bad_row(alice, monthly):
    with pytest.raises(BackfillError) as caught:
        injections_backfill(
            prescription=monthly,
            actor=alice,
            rows=[
                BackfillRow(given_on=date(2025, 1, 6)),
                BackfillRow(given_on=TODAY + timedelta(days=1)),
                BackfillRow(given_on=date(2024, 12, 1)),
                BackfillRow(given_on=date(2025, 2, 6), site="nowhere"),
            ],
            today=TODAY,
        )

    assert set(caught.value.rows) == {1, 2, 3}
    assert "future" in caught.value.rows[1]["given_on"][0]
    assert "before this prescription started" in caught.value.rows[2]["given_on"][0]
    assert "site" in caught.value.rows[3]
    assert not Injection.objects.exists()


def test_rows_too_close_together_write_nothing(alice, monthly):
    with pytest.raises(BackfillError) as caught:
        injections_backfill(
            prescription=monthly,
            actor=alice,
            rows=[BackfillRow(given_on=date(2025, 2, 6)), BackfillRow(given_on=date(2025, 2, 9))],
            today=TODAY,
        )

    assert list(caught.value.rows) == [1]
    assert "Too close" in caught.value.rows[1]["given_on"][0]
    assert not Injection.objects.exists()


def test_the_same_date_twice_is_refused_on_the_second_row(alice, monthly):
    with pytest.raises(BackfillError) as caught:
        injections_backfill(
            prescription=monthly,
            actor=alice,
            rows=[BackfillRow(given_on=date(2025, 2, 6)), BackfillRow(given_on=date(2025, 2, 6))],
            today=TODAY,
        )

    assert list(caught.value.rows) == [1]
    assert not Injection.objects.exists()


def test_no_rows_is_refused(alice, monthly):
    with pytest.raises(ValidationError):
        injections_backfill(prescription=monthly, actor=alice, rows=[], today=TODAY)


def test_backfilling_missed_doses_raises_no_flag_and_sends_no_message(alice, monthly, clock):
    clock.move_to("2025-03-05 12:00Z")
    # Entered on 6 Jan; by 5 Mar the windows of 6 Jan and 6 Feb have closed, unlogged.
    injections_backfill(
        prescription=monthly,
        actor=alice,
        rows=[BackfillRow(given_on=date(2025, 1, 6)), BackfillRow(given_on=date(2025, 2, 6))],
    )

    assert not monthly.doses.filter(status="missed").exists()
    assert not Flag.objects.filter(kind__in=["missed_loading", "missed_maintenance"]).exists()
    assert not Notification.objects.filter(kind="missed").exists()


def test_the_table_saves_every_filled_row_and_skips_empty_ones(client_for, alice, monthly, clock):
    clock.move_to("2025-03-20 12:00Z")
    response = client_for(alice).post(
        URL,
        table(("2025-01-06", "deltoid_left", ""), ("", "", ""), ("2025-02-06", "", "nurse")),
    )

    assert response.status_code == 302 and response["Location"] == reverse("schedules:history")
    assert sorted(Injection.objects.values_list("given_on", flat=True)) == [
        date(2025, 1, 6),
        date(2025, 2, 6),
    ]


def test_the_table_shows_each_problem_on_its_row_and_saves_nothing(
    client_for, alice, monthly, clock
):
    clock.move_to("2025-03-20 12:00Z")
    response = client_for(alice).post(
        URL,
        table(("2025-01-06", "", ""), ("", "", ""), ("2025-13-01", "", ""), ("2026-01-01", "", "")),
    )

    assert response.status_code == 400
    assert row_errors(response.content, 1) == []
    assert row_errors(response.content, 3) == ["Enter a date, such as 2025-03-17."]
    assert not Injection.objects.exists()

    response = client_for(alice).post(URL, table(("2025-01-06", "", ""), ("2026-01-01", "", "")))

    assert response.status_code == 400
    assert "future" in row_errors(response.content, 2)[0]
    assert not Injection.objects.exists()


def test_a_csv_file_is_shown_with_a_problem_per_row_before_anything_is_saved(
    client_for, alice, monthly, clock
):
    clock.move_to("2025-03-20 12:00Z")
    text = (
        "date,site,given_by\n"
        "2025-01-06,Left upper arm (deltoid),Nurse\n"
        "not a date,,\n"
        "2025-02-06,elbow,\n"
    )
    upload = SimpleUploadedFile("past.csv", text.encode(), content_type="text/csv")

    response = client_for(alice).post(URL, {"upload": "1", "file": upload})

    assert response.status_code == 400
    page = parse(response.content)
    assert page.find("input", name="form-0-given_on").attrs["value"] == "2025-01-06"
    assert row_errors(response.content, 1) == []
    assert row_errors(response.content, 2) == ["Enter a date, such as 2025-03-17."]
    assert row_errors(response.content, 3) == ["“elbow” is not a site on the list."]
    assert not Injection.objects.exists()


def test_a_good_csv_file_is_previewed_then_saved_from_the_table(client_for, alice, monthly, clock):
    clock.move_to("2025-03-20 12:00Z")
    upload = SimpleUploadedFile("past.csv", b"2025-01-06\n2025-02-06,,nurse\n")
    client = client_for(alice)

    previewed = client.post(URL, {"upload": "1", "file": upload})

    assert previewed.status_code == 200
    assert "Nothing is saved yet" in previewed.content.decode()
    assert not Injection.objects.exists()

    saved = client.post(URL, table(("2025-01-06", "", ""), ("2025-02-06", "", "nurse")))

    assert saved.status_code == 302
    assert Injection.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "Choose a CSV file"), (b"\xff\xfe\x00", "not a CSV"), (b"\n\n", "no injections")],
)
def test_a_bad_file_is_refused_beside_the_field(
    client_for, alice, monthly, clock, content, problem
):
    files = {"file": SimpleUploadedFile("past.csv", content)} if content else {}
    response = client_for(alice).post(URL, {"upload": "1", **files})

    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not Injection.objects.exists()


def test_the_history_page_links_to_the_past_injections_page(client_for, alice, monthly):
    page = parse(client_for(alice).get(reverse("schedules:history")).content)

    assert page.find("a", href=URL) is not None


@pytest.fixture
def joiner(alice, clock):
    """Three Mon/Wed/Fri loading injections in, the last on Fri 3 Jan 2025; today is 6 Jan."""
    return create(
        alice,
        regimen="bnf-no-neuro",
        joining=Joining(stage="loading", last_given=date(2025, 1, 3), loading_had=3),
    )


def test_a_joiner_enters_the_injections_had_before_joining_as_history(alice, joiner):
    plan = live_dues(joiner)

    injections_backfill(
        prescription=joiner,
        actor=alice,
        rows=[BackfillRow(given_on=date(2024, 12, 30)), BackfillRow(given_on=date(2025, 1, 1))],
    )

    assert live_dues(joiner) == plan
    assert not Injection.objects.not_doses().exists()  # history, not extra
    assert Injection.objects.filter(prescription=joiner).count() == 3
    assert not Flag.objects.exists() and not Notification.objects.filter(kind="missed").exists()


def test_history_inside_the_first_window_is_refused(alice, joiner):
    with pytest.raises(BackfillError) as caught:
        injections_backfill(
            prescription=joiner, actor=alice, rows=[BackfillRow(given_on=date(2025, 1, 2))]
        )

    assert "too close to your last injection before joining" in caught.value.rows[0]["given_on"][0]
    assert Injection.objects.count() == 1
