"""The adherence figures against a history worked out by hand (tests/clinic/conftest.py):
a late dose that re-anchors the rest, a corrected entry, a voided one and an extra injection.

By hand, from 31 Jan 2025 (monthly), today 20 Jul 2025:
  dose due   given         counts as
  01-31      01-31         on time
  02-28      03-03         late (re-anchors: the next dose is due 04-03, not 03-31)
  04-03      04-02         on time (entered as 04-01, corrected to 04-02: only 04-02 counts)
  05-02      (voided)      missed (the only entry was voided)
  06-02      06-02         on time (the extra injection on 06-05 is not a dose)
  07-02      07-04         late (next due 08-04)
Since start: 3 on time, 2 late, 1 missed. Last 90 days (due on or after 21 Apr): 05-02 missed,
06-02 on time, 07-02 late. Maintenance injection dates 01-31, 03-03, 04-02, 06-02, 07-04 give
gaps 31, 30, 61, 32: median (31 + 32) / 2 = 31.5 days.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.selectors import patients as patient_list
from clinic.selectors.metrics import Band, Counts, band_for, median
from clinic.selectors.overview import patient_overview
from clinic.selectors.patients import Filters
from tests.helpers import prescribe
from tests.htmltools import parse

from .helpers import log

pytestmark = pytest.mark.django_db


def alice_row(bob):
    page = patient_list.patients_page(clinician=bob, filters=Filters(), now=timezone.now())
    assert len(page.rows) == 1
    return page.rows[0]


def test_counts_since_start_follow_the_hand_computed_history(bob, history):
    row = alice_row(bob)

    assert row.overall == Counts(on_time=3, late=2, missed=1)


def test_counts_over_the_last_90_days_go_by_due_date(bob, history):
    row = alice_row(bob)

    assert row.recent == Counts(on_time=1, late=1, missed=1)
    assert row.band == Band.POOR  # 2 of 3 taken: 67%
    assert row.recent.percent_taken == 67


def test_median_interval_skips_the_voided_corrected_and_extra_entries(bob, history):
    row = alice_row(bob)

    assert row.median_interval == 31.5
    assert row.prescribed.cadence().describe() == "monthly"


def test_next_due_and_last_injection_follow_the_re_anchored_grid(bob, history):
    row = alice_row(bob)

    assert row.next_due == date(2025, 8, 4)
    assert row.last_injection == date(2025, 7, 4)  # not the voided or the extra entry
    assert row.days_overdue == 0
    assert row.open_flags == 1  # the missed 05-02 dose


def test_the_patient_page_counts_the_same(alice, bob, history):
    overview = patient_overview(patient=alice, now=timezone.now())

    assert [row.counts for row in overview.phases] == [Counts(3, 2, 1)]
    assert overview.median_interval == 31.5
    assert [(p.given_on, p.actual) for p in overview.intervals] == [
        (date(2025, 1, 31), None),
        (date(2025, 3, 3), 31),
        (date(2025, 4, 2), 30),
        (date(2025, 6, 2), 61),
        (date(2025, 7, 4), 32),
    ]


def test_the_page_shows_the_figures_and_says_how_they_are_counted(client_for, bob, history):
    html = client_for(bob).get(reverse("clinic:patients")).content.decode()

    text = parse(html).text  # the words screen readers hear beside the compact figures
    assert "67% taken: 1 on time, · 1 late, · 1 missed" in text
    assert "3 on time, · 2 late, · 1 missed" in text
    assert "31.5 days" in html
    assert "How these are counted" in html


def test_a_re_anchored_dose_given_early_counts_on_time(bob, history):
    """The 04-03 dose exists only because 02-28 was given late; given on 04-02 it is early."""
    dose = history.doses.get(due=date(2025, 4, 3))

    assert dose.injection.given_on == date(2025, 4, 2)
    assert not history.doses.filter(due=date(2025, 3, 31)).exclude(status="cancelled").exists()


@pytest.mark.parametrize(
    ("taken", "missed", "band"),
    [
        (0, 0, "none"),
        (9, 1, "good"),
        (8, 1, "fair"),
        (7, 3, "fair"),
        (6, 3, "poor"),
        (0, 2, "poor"),
    ],
)
def test_bands_are_the_same_in_python_and_in_sql(taken, missed, band):
    assert band_for(taken, missed) == band


@pytest.mark.parametrize(
    ("values", "expected"), [([], None), ([5], 5), ([3, 1, 2], 2), ([4, 1, 3, 2], 2.5)]
)
def test_median(values, expected):
    assert median(values) == expected


def test_a_closed_window_counts_as_missed_before_the_sweep_marks_it(alice, bob, clock):
    """docs/schedule-semantics.md#missed-doses: missed on the patient's today, whether or not
    the sweep has stored it yet. Monthly from 1 May, only 1 May given and never re-planned:
    on 20 Jul the 1 Jun and 1 Jul windows have closed, so both pages count two misses."""
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 5, 1))
    log(rx, date(2025, 5, 1))
    assert not rx.doses.filter(status="missed").exists()  # the sweep has not run

    row = alice_row(bob)
    overview = patient_overview(patient=alice, now=timezone.now())

    assert row.overall == row.recent == Counts(on_time=1, late=0, missed=2)
    assert [r.counts for r in overview.phases] == [Counts(1, 0, 2)]
    assert overview.upcoming[0].due == date(2025, 8, 1)
    assert overview.phases[0].upcoming == len(rx.doses.filter(due__gte=date(2025, 8, 1)))
    poor = patient_list.patients_queryset(
        clinician=bob, filters=Filters(band=Band.POOR), now=timezone.now()
    )
    assert [summary.patient for summary in poor] == [alice]
