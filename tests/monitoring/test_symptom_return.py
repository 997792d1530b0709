"""When symptoms come back: baselines, return days and the median over hand-made cycles, the
tingling rule, and the selector over real injections and check-ins."""

from datetime import date, timedelta

import pytest

from monitoring.models import CheckIn
from monitoring.symptom_return import (
    BASELINE_DAYS,
    RETURN_MARGIN,
    DayScore,
    MaintenanceInjection,
    build_cycles,
    interval_days,
    return_summary,
    summarise,
    tingling_new_or_worse,
    tingling_worse,
)
from tests.clinic.helpers import log
from tests.helpers import prescribe

START = date(2025, 1, 1)


def monthly(*days: date) -> list[MaintenanceInjection]:
    return [MaintenanceInjection(given_on=day, interval_days=28) for day in days]


def scores(injected_on: date, totals: dict[int, int], tingling: int = 0) -> list[DayScore]:
    """Check-ins on the given days after an injection, with these totals."""
    return [
        DayScore(on=injected_on + timedelta(days=day), total=total, tingling=tingling)
        for day, total in totals.items()
    ]


def cycle_starts(count: int, length: int = 28) -> list[date]:
    return [START + timedelta(days=length * index) for index in range(count)]


def test_no_check_ins_gives_cycles_without_baseline_and_no_median():
    summary = summarise(build_cycles(monthly(*cycle_starts(3)), []))
    assert [c.baseline for c in summary.cycles] == [None, None, None]
    assert summary.median_return_day is None
    assert summary.sentence == "Not enough check-ins yet to tell when symptoms come back."


def test_no_injections_says_so():
    summary = summarise(build_cycles([], scores(START, {1: 4})))
    assert summary.cycles == () and summary.interval_days is None
    assert summary.sentence == "No maintenance injections logged yet."


def test_baseline_is_the_lowest_total_in_the_first_week_and_return_the_first_day_above_it():
    days = scores(START, {0: 9, 1: 6, 3: 2, 7: 4, 12: 4, 19: 2 + RETURN_MARGIN, 22: 9})
    [cycle, _] = build_cycles(monthly(START, START + timedelta(days=28)), days)
    assert cycle.baseline == 2  # the injection day's 9 is not in the baseline week
    assert cycle.return_day == 19
    assert cycle.returned_early_by == 28 - 19


def test_a_high_total_inside_the_baseline_week_is_not_a_return():
    days = scores(START, {1: 9, BASELINE_DAYS: 1, 20: 2})
    [cycle] = build_cycles(monthly(START), days)
    assert cycle.baseline == 1 and cycle.return_day is None


def test_a_cycle_without_a_check_in_in_its_first_week_has_no_baseline_and_is_not_counted():
    starts = cycle_starts(3)
    days = scores(starts[0], {2: 1, 20: 6}) + scores(starts[1], {10: 1, 20: 9})
    summary = summarise(build_cycles(monthly(*starts), days))
    oldest, middle, _running = reversed(summary.cycles)
    assert oldest.return_day == 20 and middle.baseline is None and middle.return_day is None
    assert summary.counted == (oldest,)
    assert summary.median_return_day == 20.0


def test_symptoms_that_never_return_give_no_median():
    starts = cycle_starts(4)
    days = [s for start in starts[:3] for s in scores(start, {2: 3, 15: 4, 25: 4})]
    summary = summarise(build_cycles(monthly(*starts), days))
    assert [c.return_day for c in summary.counted] == [None, None, None]
    assert summary.median_return_day is None
    assert "did not come back before the next dose" in summary.sentence


def test_median_over_the_last_six_completed_cycles_only():
    starts = cycle_starts(9)
    returns = [10, 10, 20, 21, 22, 23, 24, 25]  # the oldest two fall outside the six
    days = [
        s
        for start, day in zip(starts[:-1], returns, strict=False)
        for s in scores(start, {1: 0, day: RETURN_MARGIN})
    ]
    summary = summarise(build_cycles(monthly(*starts), days))
    assert len(summary.counted) == 6
    assert sorted(c.return_day for c in summary.counted) == [20, 21, 22, 23, 24, 25]
    assert summary.median_return_day == 22.5
    assert summary.sentence == "Symptoms return around day 22 of 28."


def test_mostly_not_returning_gives_no_median_but_half_returning_does():
    starts = cycle_starts(5)
    returned = {1: 0, 14: 5}
    held = {1: 0, 14: 1}
    plans = [returned, held, held, returned]
    days = [s for start, plan in zip(starts, plans, strict=False) for s in scores(start, plan)]
    summary = summarise(build_cycles(monthly(*starts), days))
    assert summary.median_return_day == 14.0
    plans = [returned, held, held, held]
    days = [s for start, plan in zip(starts, plans, strict=False) for s in scores(start, plan)]
    assert summarise(build_cycles(monthly(*starts), days)).median_return_day is None


def test_a_late_injection_lengthens_the_cycle_and_check_ins_after_it_start_the_next():
    late = START + timedelta(days=40)  # due on day 28, given on day 40
    days = scores(START, {2: 1, 35: 7}) + scores(late, {1: 0, 5: 1})
    first, second = build_cycles(monthly(START, late), days)
    assert first.length_days == 40 and first.return_day == 35
    assert first.returned_early_by == 28 - 35  # after the due date: not early
    assert [d.on for d in second.days] == [late + timedelta(days=1), late + timedelta(days=5)]
    assert second.baseline == 0 and not second.complete


def test_tingling_worse_than_the_worst_of_the_previous_cycle():
    second = START + timedelta(days=28)
    before = scores(START, {2: 3, 20: 5}, tingling=1)
    assert not tingling_new_or_worse(
        build_cycles(monthly(START, second), before + scores(second, {3: 2}, tingling=1))
    )
    assert tingling_new_or_worse(
        build_cycles(monthly(START, second), before + scores(second, {3: 2}, tingling=2))
    )


def test_tingling_new_when_the_previous_cycle_had_none():
    second = START + timedelta(days=28)
    days = scores(START, {2: 1, 20: 1}, tingling=0) + scores(second, {3: 1}, tingling=1)
    assert tingling_new_or_worse(build_cycles(monthly(START, second), days))


def test_tingling_in_a_first_cycle_is_compared_with_its_baseline_week():
    days = scores(START, {2: 1}, tingling=1) + scores(START, {15: 4}, tingling=2)
    assert tingling_new_or_worse(build_cycles(monthly(START), days))
    same = scores(START, {2: 1, 15: 1}, tingling=1)
    assert not tingling_new_or_worse(build_cycles(monthly(START), same))
    assert not tingling_new_or_worse(build_cycles(monthly(START), []))


def test_interval_days_follow_the_calendar():
    assert interval_days(date(2025, 1, 31), "month", 1) == 28
    assert interval_days(date(2025, 3, 17), "month", 2) == 61
    assert interval_days(date(2025, 3, 17), "week", 4) == 28
    assert interval_days(date(2025, 3, 17), "weekday", 1) == 7
    assert interval_days(date(2025, 2, 28), "month", 1, next_due=date(2025, 3, 31)) == 31


@pytest.mark.django_db
def test_return_summary_reads_maintenance_injections_and_check_ins(
    alice, django_assert_num_queries
):
    rx = prescribe(alice, start=date(2025, 1, 31))  # seed-maintenance: monthly from 31 Jan
    for day in (date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)):
        log(rx, day)
    for day, tiredness, tingling in (
        (date(2025, 2, 2), 0, 0),
        (date(2025, 2, 20), 3, 1),
        (date(2025, 3, 3), 1, 0),
        (date(2025, 3, 22), 3, 2),
        (date(2025, 4, 2), 0, 3),
    ):
        CheckIn.objects.create(patient=alice, on=day, tiredness=tiredness, tingling=tingling)

    with django_assert_num_queries(2):
        summary = return_summary(alice)

    assert [c.injected_on for c in summary.counted] == [date(2025, 2, 28), date(2025, 1, 31)]
    assert [c.return_day for c in summary.counted] == [22, 20]
    assert [c.interval_days for c in summary.counted] == [31, 28]
    # "of M": the running cycle's interval (31 Mar to 30 Apr), the one the next dose keeps.
    assert summary.sentence == "Symptoms return around day 21 of 30."
    assert tingling_worse(alice)  # 3 now, at most 2 in the cycle before


@pytest.mark.django_db
def test_return_summary_of_a_patient_with_nothing_logged(dave, django_assert_num_queries):
    CheckIn.objects.create(patient=dave, on=date(2025, 3, 1), tiredness=2)
    with django_assert_num_queries(2):
        summary = return_summary(dave)
    assert summary.sentence == "No maintenance injections logged yet."
