"""One patient's page and printable report for their clinician: flags, phases, charts with
tables and the timeline, in the same number of queries for a short or a long history."""

from datetime import date

import pytest

from accounts.audit import log_action
from tests.helpers import prescribe

from .helpers import TODAY, link, log, url
from .test_page_queries import PATIENT_DETAIL

pytestmark = pytest.mark.django_db


# --- the page -----------------------------------------------------------------------------------


def test_the_page_shows_flags_phases_charts_and_timeline(client_for, alice, bob, neuro):
    html = client_for(bob).get(url("patient_detail", alice)).content.decode()

    assert "Missed dose in a loading phase" in html
    assert "End the open-ended loading phase" in html
    assert 'id="chart-data"' in html and 'id="adherence-chart"' in html
    assert "Doses per phase since the start" in html  # the chart's table
    assert "Missed: not given by 11 Jul 2025" in html  # the timeline
    assert "How these are counted" in html
    assert "js/clinic_charts.js" in html


def test_the_timeline_shows_an_injection_outside_every_window_as_extra(
    client_for, alice, bob, clock
):
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 5, 1))
    log(rx, date(2025, 5, 1))
    log(rx, date(2025, 5, 20), today=TODAY)  # the June dose's window opens on 25 May

    html = client_for(bob).get(url("patient_detail", alice)).content.decode()

    assert "Outside every dose window; it does not move the schedule" in html


def test_the_report_marks_an_injection_outside_every_window_as_extra_not_counted(
    client_for, alice, bob, clock
):
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 5, 1))
    log(rx, date(2025, 5, 1))
    log(rx, date(2025, 5, 20), today=TODAY)  # no dose's window holds 20 May

    html = client_for(bob).get(url("patient_report", alice)).content.decode()

    rows = [row for row in html.split("<tr>") if "20 May 2025" in row or "2025-05-20" in row]
    assert rows and all("Extra (not a dose)" in row and "Counted" not in row for row in rows)


def test_the_page_runs_the_same_queries_for_a_short_and_a_long_history(
    client_for, alice, bob, clock, make_patient, django_assert_num_queries
):
    client = client_for(bob)
    prescribe(alice, regimen="seed-maintenance", start=date(2025, 7, 1))
    with django_assert_num_queries(PATIENT_DETAIL):
        client.get(url("patient_detail", alice))
    erin = make_patient("erin@example.com", "Erin Long")
    link(bob, erin)
    rx = prescribe(erin, regimen="afp-daily-weekly-monthly", start=date(2024, 1, 1))
    for dose in rx.doses.filter(due__lt=TODAY).order_by("due"):
        log(rx, dose.due)

    with django_assert_num_queries(PATIENT_DETAIL):
        html = client.get(url("patient_detail", erin)).content.decode()

    assert "Show the whole history" in html


def test_the_printable_report_has_regimen_adherence_intervals_and_injections(
    client_for, alice, bob, history
):
    html = client_for(bob).get(url("patient_report", alice)).content.decode()

    assert "B12 injection report: Alice Patel" in html
    assert "Doses per phase since the start" in html
    assert 'id="interval-chart"' in html
    assert "Voided: Not given after all" in html
    assert "Extra (not a dose)" in html
    assert 'id="print-report"' in html


# --- the timeline's interval changes ------------------------------------------------------------


def test_the_timeline_shows_an_interval_change_with_old_and_new_values_and_reason(
    client_for, alice, bob, history
):
    log_action(
        actor=bob,
        action="prescription.interval_changed",
        patient=alice,
        detail={"cadence": "every 2 months", "before": "every month", "reason": "Levels stable"},
    )

    html = client_for(bob).get(url("patient_detail", alice)).content.decode()

    assert "Maintenance interval changed</strong>: From every month to every 2 months. " in html
    assert "Reason: Levels stable. By " in html


def test_an_older_interval_change_without_before_or_reason_still_reads_well(
    client_for, alice, bob, history
):
    log_action(
        actor=bob,
        action="prescription.interval_changed",
        patient=alice,
        detail={"cadence": "every 2 months", "from": "2025-07-20"},
    )
    log_action(actor=bob, action="prescription.interval_changed", patient=alice, detail={})

    html = client_for(bob).get(url("patient_detail", alice)).content.decode()

    assert "Maintenance interval changed</strong>: Now every 2 months. By " in html
    assert "Maintenance interval changed</strong>: By " in html
    assert "Reason:" not in html


def test_a_real_interval_change_reads_with_both_intervals_and_the_reason(
    client_for, alice, bob, history
):
    client = client_for(bob)
    data = {"every": "2", "unit": "month", "reason": "Stable levels"}
    assert client.post(url("interval_change", alice), data).status_code == 302

    html = client.get(url("patient_detail", alice)).content.decode()

    assert "From monthly to every 2 months. Reason: Stable levels. By Dr Bob Smith" in html
