"""Pinned cases for the schedule engine: every worked fixture
(docs/schedule-semantics.md#worked-fixtures), then the edges.

Dates are written as ISO strings so a failing assertion reads like the contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from schedules import engine, regimens
from schedules.engine import (
    Cadence,
    EngineError,
    Given,
    PhaseSpec,
    Plan,
    is_too_soon,
    plan,
    planning,
    validate_phases,
)

MON_WED_FRI = Cadence("weekday", weekdays=(0, 2, 4))


def d(text: str) -> date:
    return date.fromisoformat(text)


def injections(*days: str) -> list[Given]:
    return [Given(id=number, given_on=d(day)) for number, day in enumerate(days, start=1)]


def plan_regimen(
    slug: str,
    start: str,
    *,
    given: Sequence[Given] = (),
    today: str | None = None,
    until: str = "2025-12-31",
    phases: Sequence[PhaseSpec] | None = None,
) -> Plan:
    return plan(
        regimens.get(slug).phases if phases is None else phases,
        start=d(start),
        given=given,
        today=d(today or start),
        until=d(until),
    )


def dues(result: Plan, phase_index: int | None = None) -> list[str]:
    return [
        dose.due.isoformat()
        for dose in result.doses
        if phase_index is None or dose.phase_index == phase_index
    ]


def statuses(result: Plan) -> list[str]:
    return [dose.status for dose in result.doses]


# --- worked fixtures, docs/schedule-semantics.md#worked-fixtures (start Mon 2025-01-06) -----


def test_bnf_no_neuro_fixture() -> None:
    result = plan_regimen("bnf-no-neuro", "2025-01-06")

    assert dues(result, 0) == [
        "2025-01-06",
        "2025-01-08",
        "2025-01-10",
        "2025-01-13",
        "2025-01-15",
        "2025-01-17",
    ]
    assert dues(result, 1)[:2] == ["2025-03-17", "2025-05-17"]
    first_maintenance = result.doses[6]
    assert (first_maintenance.earliest, first_maintenance.latest) == (
        d("2025-03-10"),
        d("2025-04-24"),
    )


def test_bnf_no_neuro_maintenance_stays_on_its_two_month_grid_until_the_horizon() -> None:
    result = plan_regimen("bnf-no-neuro", "2025-01-06", until="2025-12-31")

    assert dues(result, 1) == ["2025-03-17", "2025-05-17", "2025-07-17", "2025-09-17", "2025-11-17"]
    assert [dose.sequence for dose in result.doses if dose.phase_index == 1] == [1, 2, 3, 4, 5]


def test_afp_daily_weekly_monthly_fixture() -> None:
    result = plan_regimen("afp-daily-weekly-monthly", "2025-01-06", until="2025-04-30")

    assert dues(result, 0) == [f"2025-01-{day:02d}" for day in range(6, 13)]
    assert dues(result, 1) == ["2025-01-19", "2025-01-26", "2025-02-02", "2025-02-09"]
    assert dues(result, 2) == ["2025-03-09", "2025-04-09"]


def test_cdc_weekly_fixture() -> None:
    result = plan_regimen("cdc-weekly", "2025-01-06", until="2025-04-30")

    assert dues(result, 0) == [
        "2025-01-06",
        "2025-01-13",
        "2025-01-20",
        "2025-01-27",
        "2025-02-03",
        "2025-02-10",
        "2025-02-17",
        "2025-02-24",
    ]
    assert dues(result, 1) == ["2025-03-24", "2025-04-24"]


def test_fda_cyanocobalamin_fixture() -> None:
    result = plan_regimen("fda-cyanocobalamin", "2025-01-06", until="2025-04-30")

    assert dues(result, 0) == [f"2025-01-{day:02d}" for day in range(6, 13)]
    assert dues(result, 1) == [f"2025-01-{day:02d}" for day in range(14, 27, 2)]
    assert dues(result, 2) == [
        "2025-01-29",
        "2025-02-01",
        "2025-02-04",
        "2025-02-07",
        "2025-02-10",
        "2025-02-13",
        "2025-02-16",
    ]
    assert dues(result, 3) == ["2025-03-16", "2025-04-16"]
    assert {dose.dose_mcg for dose in result.doses} == {100}


def test_bnf_neuro_open_phase_runs_every_other_day_and_plans_nothing_after_it() -> None:
    result = plan_regimen("bnf-neuro", "2025-01-06", until="2025-01-31")

    assert dues(result) == [f"2025-01-{day:02d}" for day in range(6, 31, 2)]
    assert {dose.phase_index for dose in result.doses} == {0}


def test_bnf_neuro_closed_after_the_0120_dose_fixture() -> None:
    phases = close_first_phase(regimens.get("bnf-neuro").phases, d("2025-01-20"))
    result = plan_regimen("bnf-neuro", "2025-01-06", phases=phases, until="2025-06-30")

    assert dues(result, 0) == [f"2025-01-{day:02d}" for day in range(6, 21, 2)]
    assert dues(result, 1) == ["2025-03-20", "2025-05-20"]


def test_re_anchor_fixture_seed_maintenance_from_jan_31() -> None:
    plain = plan_regimen("seed-maintenance", "2025-01-31", until="2025-04-30")
    assert dues(plain) == ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"]

    shifted = plan_regimen(
        "seed-maintenance",
        "2025-01-31",
        given=injections("2025-01-31", "2025-03-03"),
        today="2025-03-03",
        until="2025-05-31",
    )
    assert dues(shifted) == ["2025-01-31", "2025-02-28", "2025-04-03", "2025-05-03"]
    assert shifted.doses[1].given_on == d("2025-03-03")
    assert statuses(shifted) == ["taken", "taken", "scheduled", "scheduled"]


@pytest.mark.parametrize("seventh_given", [False, True])
def test_missed_in_counted_phase_fixture(seventh_given: bool) -> None:
    days = ["2025-01-06", "2025-01-10", "2025-01-13", "2025-01-15", "2025-01-17"]
    if seventh_given:
        days.append("2025-01-20")
    result = plan_regimen("bnf-no-neuro", "2025-01-06", given=injections(*days), today="2025-01-21")

    assert dues(result, 0) == [
        "2025-01-06",
        "2025-01-08",
        "2025-01-10",
        "2025-01-13",
        "2025-01-15",
        "2025-01-17",
        "2025-01-20",
    ]
    loading = [dose.status for dose in result.doses if dose.phase_index == 0]
    seventh = "taken" if seventh_given else "due"
    assert loading == ["taken", "missed", "taken", "taken", "taken", "taken", seventh]
    assert dues(result, 1)[0] == "2025-03-20"


# --- helpers for edge cases ----------------------------------------------------------------


def close_first_phase(phases: Sequence[PhaseSpec], closed_on: date) -> tuple[PhaseSpec, ...]:
    first = phases[0]
    reopened = PhaseSpec(
        first.kind, first.cadence, first.dose_mcg, first.bound, closed_on=closed_on
    )
    return (reopened, *phases[1:])


def monthly(bound: str = "ongoing", **kwargs: object) -> PhaseSpec:
    return PhaseSpec("maintenance", Cadence("month"), 1000, bound, **kwargs)  # type: ignore[arg-type]


# --- months clamp at month end, counted from the anchor --------------------------------------


def test_monthly_from_jan_31_clamps_in_a_leap_year_and_recovers() -> None:
    result = plan(
        [monthly()], start=d("2024-01-31"), given=[], today=d("2024-01-31"), until=d("2024-05-31")
    )

    assert dues(result) == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"]


def test_monthly_from_jan_31_clamps_to_feb_28_in_a_common_year() -> None:
    result = plan(
        [monthly()], start=d("2023-01-31"), given=[], today=d("2023-01-31"), until=d("2023-03-31")
    )

    assert dues(result) == ["2023-01-31", "2023-02-28", "2023-03-31"]


def test_monthly_from_feb_29_keeps_the_29th_and_clamps_only_next_february() -> None:
    result = plan(
        [monthly()], start=d("2024-02-29"), given=[], today=d("2024-02-29"), until=d("2025-03-31")
    )

    assert dues(result)[:2] == ["2024-02-29", "2024-03-29"]
    assert dues(result)[-2:] == ["2025-02-28", "2025-03-29"]


def test_monthly_window_is_seven_days_either_side() -> None:
    result = plan(
        [monthly()], start=d("2025-03-01"), given=[], today=d("2025-03-01"), until=d("2025-03-31")
    )

    assert (result.doses[0].earliest, result.doses[0].latest) == (d("2025-02-22"), d("2025-03-08"))


# --- range windows --------------------------------------------------------------------------


def test_range_window_runs_from_n_to_m_units_plus_grace() -> None:
    cadence = Cadence("month", 2, every_max=3)
    phases = [PhaseSpec("maintenance", cadence, 1000, "ongoing")]
    result = plan(
        phases, start=d("2023-12-31"), given=[], today=d("2023-12-31"), until=d("2024-08-31")
    )

    assert dues(result) == ["2023-12-31", "2024-02-29", "2024-04-30", "2024-06-30", "2024-08-31"]
    # The range end is counted from the due date: Feb 29 + 1 month = Mar 29, then 7 days' grace.
    assert (result.doses[1].earliest, result.doses[1].latest) == (d("2024-02-22"), d("2024-04-05"))


def test_range_dose_given_at_the_far_end_of_its_window_re_anchors() -> None:
    given = injections("2025-01-06", "2025-01-08", "2025-01-10", "2025-01-13", "2025-01-15")
    given += [Given(id=6, given_on=d("2025-01-17")), Given(id=7, given_on=d("2025-04-24"))]
    result = plan_regimen("bnf-no-neuro", "2025-01-06", given=given, today="2025-04-24")

    assert result.doses[6].given_on == d("2025-04-24")
    assert dues(result, 1)[:2] == ["2025-03-17", "2025-06-24"]


def test_day_range_window_uses_the_lower_end_for_grace() -> None:
    phases = [PhaseSpec("consolidation", Cadence("day", 3, every_max=4), 100, "count", count=2)]
    result = plan(
        phases, start=d("2025-01-01"), given=[], today=d("2025-01-01"), until=d("2025-01-01")
    )

    first = result.doses[0]
    assert (first.earliest, first.latest) == (d("2024-12-30"), d("2025-01-04"))


# --- default graces --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "grace"),
    [
        (Cadence("day"), 0),
        (Cadence("day", 2), 1),
        (Cadence("day", 3), 2),
        (Cadence("day", 6), 2),
        (Cadence("day", 7), 3),
        (Cadence("day", 27), 3),
        (Cadence("day", 28), 7),
        (Cadence("day", 3, every_max=4), 2),
        (Cadence("day", 2, every_max=5), 1),
        (Cadence("week"), 3),
        (Cadence("week", 3), 3),
        (Cadence("week", 4), 7),
        (Cadence("month"), 7),
        (Cadence("month", 2, every_max=3), 7),
        (MON_WED_FRI, 1),
        (Cadence("weekday", weekdays=(3,)), 1),
    ],
)
def test_default_grace_per_cadence(cadence: Cadence, grace: int) -> None:
    assert PhaseSpec("maintenance", cadence, 1000, "ongoing").grace() == grace


def test_a_phase_can_override_its_grace() -> None:
    phases = [monthly(grace_days=0)]
    result = plan(
        phases, start=d("2025-01-15"), given=[], today=d("2025-01-15"), until=d("2025-01-31")
    )

    assert (result.doses[0].earliest, result.doses[0].latest) == (d("2025-01-15"), d("2025-01-15"))


# --- matching: overlapping windows, extras, re-anchoring --------------------------------------


def test_injection_in_two_overlapping_windows_goes_to_the_earlier_dose() -> None:
    # Every other day with 1 day's grace: 01-07 sits in the windows of 01-06 and 01-08.
    result = plan_regimen(
        "seed-repletion", "2025-01-06", given=injections("2025-01-07"), today="2025-01-07"
    )

    assert result.doses[0].given_on == d("2025-01-07")
    assert dues(result, 0)[:3] == ["2025-01-06", "2025-01-09", "2025-01-11"]
    assert result.extra == ()


def test_next_dose_takes_an_injection_in_the_overlap_when_the_earlier_dose_has_one() -> None:
    result = plan_regimen(
        "seed-repletion",
        "2025-01-06",
        given=injections("2025-01-06", "2025-01-07"),
        today="2025-01-07",
    )

    assert [dose.given_on for dose in result.doses[:2]] == [d("2025-01-06"), d("2025-01-07")]
    assert dues(result, 0)[:3] == ["2025-01-06", "2025-01-08", "2025-01-09"]


def test_second_injection_on_the_same_day_is_extra_not_the_next_dose() -> None:
    given = [Given(id="b", given_on=d("2025-01-06")), Given(id="a", given_on=d("2025-01-06"))]
    result = plan_regimen("seed-repletion", "2025-01-06", given=given, today="2025-01-06")

    # Same-day ties go by id, so the caller's ordering cannot change the answer.
    assert result.doses[0].injection_id == "a"
    assert result.extra == (given[0],)
    assert result.doses[1].earliest == d("2025-01-07")


def test_weekday_dose_given_late_does_not_let_the_next_window_reach_back() -> None:
    # Monday's dose on Tuesday: Wednesday's window (Tue..Thu) starts on Wednesday instead.
    given = injections("2025-01-07", "2025-01-07")
    result = plan_regimen("bnf-no-neuro", "2025-01-06", given=given, today="2025-01-07")

    monday, wednesday = result.doses[:2]
    assert monday.given_on == d("2025-01-07")
    assert (wednesday.due, wednesday.earliest, wednesday.latest) == (
        d("2025-01-08"),
        d("2025-01-08"),
        d("2025-01-09"),
    )
    assert [extra.id for extra in result.extra] == [2]


def test_injections_outside_every_window_are_extra() -> None:
    given = injections("2025-01-20", "2025-02-14", "2025-02-28", "2026-06-01")
    result = plan(
        [monthly()],
        start=d("2025-01-31"),
        given=given,
        today=d("2025-03-10"),
        until=d("2025-03-31"),
    )

    assert [dose.status for dose in result.doses] == ["missed", "taken", "scheduled"]
    assert [extra.given_on for extra in result.extra] == [
        d("2025-01-20"),
        d("2025-02-14"),
        d("2026-06-01"),
    ]


def test_early_injection_re_anchors_the_rest_of_the_phase() -> None:
    result = plan(
        [monthly()],
        start=d("2025-01-31"),
        given=injections("2025-01-31", "2025-02-24"),
        today=d("2025-02-24"),
        until=d("2025-04-30"),
    )

    assert dues(result) == ["2025-01-31", "2025-02-28", "2025-03-24", "2025-04-24"]


def test_early_every_other_day_injection_re_anchors() -> None:
    result = plan_regimen(
        "seed-repletion",
        "2025-01-06",
        given=injections("2025-01-06", "2025-01-07"),
        today="2025-01-07",
    )

    assert dues(result, 0) == [
        "2025-01-06",
        "2025-01-08",
        "2025-01-09",
        "2025-01-11",
        "2025-01-13",
        "2025-01-15",
        "2025-01-17",
    ]


def test_early_weekday_injection_does_not_put_a_dose_back_on_the_covered_day() -> None:
    # Wednesday's dose on Tuesday: the next dose is Friday, not Wednesday again.
    result = plan_regimen(
        "bnf-no-neuro",
        "2025-01-06",
        given=injections("2025-01-06", "2025-01-07"),
        today="2025-01-07",
    )

    assert result.doses[1].given_on == d("2025-01-07")
    assert dues(result, 0)[:3] == ["2025-01-06", "2025-01-08", "2025-01-10"]


def test_injection_on_the_planned_date_changes_nothing() -> None:
    on_time = injections("2025-01-31", "2025-02-28", "2025-03-31")
    result = plan(
        [monthly()],
        start=d("2025-01-31"),
        given=on_time,
        today=d("2025-04-01"),
        until=d("2025-05-31"),
    )

    assert dues(result) == ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31"]


def test_a_missed_dose_leaves_the_grid_where_it_was() -> None:
    result = plan(
        [monthly()],
        start=d("2025-01-31"),
        given=injections("2025-01-31"),
        today=d("2025-03-25"),
        until=d("2025-04-30"),
    )

    assert dues(result) == ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"]
    assert statuses(result) == ["taken", "missed", "due", "scheduled"]


# --- phase bounds ------------------------------------------------------------------------------


def test_closed_open_phase_hands_over_from_the_date_its_last_dose_was_given() -> None:
    phases = close_first_phase(regimens.get("bnf-neuro").phases, d("2025-01-21"))
    given = injections(*[f"2025-01-{day:02d}" for day in range(6, 20, 2)], "2025-01-21")
    result = plan_regimen("bnf-neuro", "2025-01-06", phases=phases, given=given, today="2025-01-21")

    assert dues(result, 0)[-1] == "2025-01-20"
    assert result.doses[7].given_on == d("2025-01-21")
    assert dues(result, 1)[:2] == ["2025-03-21", "2025-05-21"]


def test_closing_between_doses_keeps_doses_on_or_before_the_date() -> None:
    phases = close_first_phase(regimens.get("bnf-neuro").phases, d("2025-01-21"))
    result = plan_regimen("bnf-neuro", "2025-01-06", phases=phases, until="2025-03-31")

    assert dues(result, 0)[-1] == "2025-01-20"
    assert dues(result, 1) == ["2025-03-20"]


def test_open_phase_closed_before_its_first_dose_hands_over_from_the_start() -> None:
    phases = close_first_phase(regimens.get("bnf-neuro").phases, d("2025-01-01"))
    result = plan_regimen("bnf-neuro", "2025-01-06", phases=phases, until="2025-03-31")

    assert dues(result) == ["2025-01-06", "2025-03-06"]
    assert {dose.phase_index for dose in result.doses} == {1}


def test_duration_bound_ends_on_its_date_even_when_re_anchored() -> None:
    phases = [
        PhaseSpec(
            "consolidation", Cadence("day", 3, every_max=4), 100, "duration", duration_days=21
        ),
        monthly(),
    ]
    # First dose 01-29 given three days late (its window runs to 02-01): the rest shifts,
    # and the phase still ends before 01-29 + 21 days = 02-19.
    result = plan(
        phases,
        start=d("2025-01-29"),
        given=injections("2025-02-01"),
        today=d("2025-02-01"),
        until=d("2025-03-31"),
    )

    assert dues(result, 0) == [
        "2025-01-29",
        "2025-02-04",
        "2025-02-07",
        "2025-02-10",
        "2025-02-13",
        "2025-02-16",
    ]
    assert dues(result, 1) == ["2025-03-16"]


def test_duration_bound_does_not_add_doses_for_missed_ones() -> None:
    daily = [f"2025-01-{day:02d}" for day in range(6, 13)]
    every_other_day = [f"2025-01-{day:02d}" for day in range(14, 27, 2)]
    given = injections(*daily, *every_other_day)
    result = plan_regimen("fda-cyanocobalamin", "2025-01-06", given=given, today="2025-03-01")

    assert len(dues(result, 2)) == 7
    assert {dose.status for dose in result.doses if dose.phase_index == 2} == {"missed"}


def test_counted_phase_counts_a_dose_that_is_due_today() -> None:
    result = plan_regimen("bnf-no-neuro", "2025-01-06", today="2025-01-08")

    assert statuses(result)[:2] == ["missed", "due"]
    assert len(dues(result, 0)) == 7


def test_counted_phase_is_laid_out_whole_past_the_horizon() -> None:
    result = plan_regimen("cdc-weekly", "2025-01-06", until="2025-01-06")

    assert len(dues(result, 0)) == 8
    assert dues(result, 1) == []


def test_ongoing_phase_stops_at_the_horizon() -> None:
    result = plan(
        [monthly()], start=d("2025-01-06"), given=[], today=d("2025-01-06"), until=d("2025-03-05")
    )

    assert dues(result) == ["2025-01-06", "2025-02-06"]


def test_counted_only_plan_ends_and_has_no_next_dose_once_all_taken() -> None:
    phases = [PhaseSpec("repletion", Cadence("day"), 1000, "count", count=3)]
    given = injections("2025-01-06", "2025-01-07", "2025-01-08")
    result = plan(
        phases, start=d("2025-01-06"), given=given, today=d("2025-01-09"), until=d("2026-01-01")
    )

    assert statuses(result) == ["taken", "taken", "taken"]
    assert result.next_dose() is None


def test_handover_after_an_early_injection_skips_days_that_dose_already_covered() -> None:
    # A monthly dose given a week early, then a daily phase: counting one day on from the
    # injection would land on or before the monthly dose's own date, so the grid moves on.
    phases = [
        PhaseSpec("maintenance", Cadence("month"), 1000, "count", count=1),
        PhaseSpec("repletion", Cadence("day"), 1000, "count", count=2),
    ]
    result = plan(
        phases,
        start=d("2025-01-10"),
        given=injections("2025-01-03"),
        today=d("2025-01-03"),
        until=d("2025-01-31"),
    )

    assert result.doses[0].given_on == d("2025-01-03")
    assert dues(result, 1) == ["2025-01-11", "2025-01-12"]


def test_handover_after_an_early_injection_counts_from_the_injection_date() -> None:
    # Rule 5: the last weekly dose (02-09) given on 02-07 starts monthly from 02-07.
    daily = [f"2025-01-{day:02d}" for day in range(6, 13)]
    weekly = ["2025-01-19", "2025-01-26", "2025-02-02", "2025-02-07"]
    result = plan_regimen(
        "afp-daily-weekly-monthly",
        "2025-01-06",
        given=injections(*daily, *weekly),
        today="2025-02-07",
        until="2025-04-30",
    )

    assert dues(result, 1)[-1] == "2025-02-09"
    assert dues(result, 2) == ["2025-03-07", "2025-04-07"]


def test_injections_before_the_start_are_extra() -> None:
    result = plan_regimen(
        "seed-maintenance", "2025-01-31", given=injections("2024-12-01"), today="2025-01-31"
    )

    assert [injection.given_on for injection in result.extra] == [d("2024-12-01")]


def test_ids_that_do_not_compare_still_give_a_stable_answer() -> None:
    given = [Given(id="x", given_on=d("2025-01-06")), Given(id=7, given_on=d("2025-01-06"))]
    forwards = plan_regimen("seed-repletion", "2025-01-06", given=given)
    backwards = plan_regimen("seed-repletion", "2025-01-06", given=given[::-1])

    assert forwards == backwards


def test_horizon_before_the_start_plans_no_ongoing_doses() -> None:
    result = plan(
        [monthly()], start=d("2025-01-06"), given=[], today=d("2025-01-01"), until=d("2025-01-01")
    )

    assert result.doses == ()
    assert result.next_dose() is None


# --- weekday cadence --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "first_doses"),
    [
        ("2025-01-07", ["2025-01-08", "2025-01-10", "2025-01-13"]),  # a Tuesday
        ("2025-01-11", ["2025-01-13", "2025-01-15", "2025-01-17"]),  # a Saturday
    ],
)
def test_weekday_cadence_starting_on_an_unlisted_day(start: str, first_doses: list[str]) -> None:
    result = plan_regimen("bnf-no-neuro", start)

    assert dues(result, 0)[:3] == first_doses


def test_handover_into_a_weekday_cadence_takes_the_next_listed_day() -> None:
    phases = [
        PhaseSpec("repletion", Cadence("day"), 1000, "count", count=2),
        PhaseSpec("consolidation", MON_WED_FRI, 1000, "count", count=2),
    ]
    result = plan(
        phases, start=d("2025-01-06"), given=[], today=d("2025-01-06"), until=d("2025-01-06")
    )

    assert dues(result) == ["2025-01-06", "2025-01-07", "2025-01-08", "2025-01-10"]


# --- statuses and next dose --------------------------------------------------------------------


def test_statuses_on_a_given_day() -> None:
    result = plan(
        [monthly()],
        start=d("2025-01-06"),
        given=injections("2025-01-06"),
        today=d("2025-03-10"),
        until=d("2025-04-30"),
    )

    assert statuses(result) == ["taken", "missed", "due", "scheduled"]
    next_dose = result.next_dose()
    assert next_dose is not None
    assert next_dose.due == d("2025-03-06")


def test_status_boundaries_are_inclusive_of_the_window() -> None:
    window = {"earliest": d("2025-01-10"), "latest": d("2025-01-12"), "given_on": None}

    assert engine.status_on(**window, today=d("2025-01-09")) == "scheduled"
    assert engine.status_on(**window, today=d("2025-01-10")) == "due"
    assert engine.status_on(**window, today=d("2025-01-12")) == "due"
    assert engine.status_on(**window, today=d("2025-01-13")) == "missed"


# --- too soon ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "gap", "too_soon"),
    [
        (Cadence("day"), 0, True),
        (Cadence("day"), 1, False),
        (Cadence("day", 2), 0, True),
        (Cadence("day", 2), 1, False),
        (Cadence("week"), 3, True),
        (Cadence("week"), 4, False),
        (Cadence("month"), 14, True),
        (Cadence("month"), 15, False),
        (Cadence("month"), -14, True),
        (Cadence("month", 2, every_max=3), 29, True),
        (Cadence("month", 2, every_max=3), 30, False),
        (MON_WED_FRI, 0, True),
        (MON_WED_FRI, 1, False),
    ],
)
def test_too_soon_is_under_half_an_interval(cadence: Cadence, gap: int, too_soon: bool) -> None:
    previous = d("2025-06-15")
    candidate = date.fromordinal(previous.toordinal() + gap)

    assert is_too_soon(previous=previous, candidate=candidate, cadence=cadence) is too_soon


def test_nothing_is_too_soon_without_a_previous_injection() -> None:
    assert not is_too_soon(previous=None, candidate=d("2025-01-01"), cadence=Cadence("day"))


# --- cadence descriptions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "text", "days"),
    [
        (Cadence("day"), "daily", 1),
        (Cadence("day", 2), "every other day", 2),
        (Cadence("day", 3, every_max=4), "every 3–4 days", 3),
        (Cadence("week"), "weekly", 7),
        (Cadence("week", 2), "every 2 weeks", 14),
        (Cadence("month"), "monthly", 30),
        (Cadence("month", 2), "every 2 months", 60),
        (Cadence("month", 2, every_max=3), "every 2–3 months", 60),
        (MON_WED_FRI, "Mon, Wed, Fri", 2),
        (Cadence("weekday", weekdays=(4, 0)), "Mon, Fri", 3),
        (Cadence("weekday", weekdays=(3,)), "Thu", 7),
    ],
)
def test_cadence_describe_and_approx_days(cadence: Cadence, text: str, days: int) -> None:
    assert cadence.describe() == text
    assert cadence.approx_days() == days


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phases", "fragment"),
    [
        ([], "at least one phase"),
        ([PhaseSpec("repletion", Cadence("day"), 1000, "count", count=0)], "count of at least 1"),
        ([PhaseSpec("repletion", Cadence("day"), 1000, "count")], "count of at least 1"),
        ([PhaseSpec("repletion", Cadence("day", 0), 1000, "ongoing")], "at least 1"),
        ([PhaseSpec("maintenance", Cadence("month", 3, every_max=3), 1000, "ongoing")], "range"),
        (
            [PhaseSpec("repletion", Cadence("weekday"), 1000, "count", count=3)],
            "at least one weekday",
        ),
        ([PhaseSpec("repletion", Cadence("weekday", weekdays=(7,)), 1000, "ongoing")], "0 (Mon)"),
        (
            [PhaseSpec("repletion", Cadence("day", weekdays=(1,)), 1000, "ongoing")],
            "weekday cadence",
        ),
        ([PhaseSpec("repletion", Cadence("fortnight"), 1000, "ongoing")], "unknown cadence"),  # type: ignore[arg-type]
        ([PhaseSpec("repletion", Cadence("day"), 0, "ongoing")], "1 mcg"),
        ([PhaseSpec("repletion", Cadence("day"), 1000, "duration")], "at least 1 day"),
        ([PhaseSpec("repletion", Cadence("day"), 1000, "ongoing", count=3)], "only a counted"),
        (
            [PhaseSpec("maintenance", Cadence("day", 2), 1000, "ongoing", grace_days=2)],
            "shorter than",
        ),
        ([PhaseSpec("maintenance", Cadence("day", 2), 1000, "ongoing", grace_days=-1)], "negative"),
        ([monthly(), monthly()], "ongoing phase must be the last"),
        (
            [
                PhaseSpec("repletion", Cadence("day", 2), 1000, "open"),
                PhaseSpec(
                    "consolidation", Cadence("week"), 1000, "open", closed_on=date(2025, 2, 1)
                ),
                monthly(),
            ],
            "still open",
        ),
        (
            [
                PhaseSpec("repletion", Cadence("day", 2), 1000, "open", closed_on=date(2025, 3, 1)),
                PhaseSpec(
                    "consolidation", Cadence("week"), 1000, "open", closed_on=date(2025, 2, 1)
                ),
            ],
            "closes before phase 1",
        ),
    ],
)
def test_validate_phases_explains_nonsense(phases: list[PhaseSpec], fragment: str) -> None:
    messages = validate_phases(phases)

    assert any(fragment in message for message in messages), messages
    with pytest.raises(EngineError):
        plan(phases, start=d("2025-01-06"), given=[], today=d("2025-01-06"), until=d("2025-12-31"))


def test_runaway_plans_stop_with_an_engine_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The limit is read where the ledger lives, so it is patched there.
    monkeypatch.setattr(planning, "MAX_DOSES", 50)

    with pytest.raises(EngineError, match="runaway"):
        plan_regimen("bnf-neuro", "2025-01-06", until="2025-12-31")


# --- the built-in regimens --------------------------------------------------------------------


def test_regimens_are_the_eight_built_in_ones_in_order() -> None:
    assert list(regimens.REGIMENS) == [
        "seed-repletion",
        "seed-consolidation",
        "seed-maintenance",
        "bnf-no-neuro",
        "bnf-neuro",
        "fda-cyanocobalamin",
        "cdc-weekly",
        "afp-daily-weekly-monthly",
    ]


@pytest.mark.parametrize("slug", list(regimens.REGIMENS))
def test_every_regimen_is_valid_and_ends_in_lifelong_maintenance(slug: str) -> None:
    regimen = regimens.get(slug)

    assert validate_phases(regimen.phases) == []
    assert regimen.phases[-1].kind == "maintenance"
    assert regimen.phases[-1].bound == "ongoing"
    assert regimen.summary and regimen.product_hint and regimen.source


def test_regimen_phase_shapes_follow_the_built_in_table() -> None:
    fda_third = regimens.get("fda-cyanocobalamin").phases[2]
    assert (fda_third.cadence, fda_third.bound, fda_third.duration_days) == (
        Cadence("day", 3, every_max=4),
        "duration",
        21,
    )
    bnf_maintenance = regimens.get("bnf-no-neuro").phases[1]
    assert bnf_maintenance.cadence == Cadence("month", 2, every_max=3)
    assert regimens.get("bnf-neuro").phases[0].bound == "open"


def test_unknown_regimen_lists_the_valid_slugs() -> None:
    with pytest.raises(KeyError, match=r"seed-repletion.*afp-daily-weekly-monthly"):
        regimens.get("nope")


def test_an_ongoing_phase_cut_short_hands_over_to_the_next_one() -> None:
    # A change of maintenance interval: the old phase ends, the new one follows by the handover
    # rule (docs/schedule-semantics.md#next-phase-anchoring).
    phases = [
        PhaseSpec("maintenance", Cadence("month"), 1000, "ongoing", closed_on=date(2025, 3, 10)),
        PhaseSpec("maintenance", Cadence("month", 2), 1000, "ongoing"),
    ]
    result = plan(
        phases, start=date(2025, 1, 6), given=[], today=date(2025, 1, 6), until=date(2025, 9, 30)
    )
    assert [d.due for d in result.doses] == [
        date(2025, 1, 6),
        date(2025, 2, 6),
        date(2025, 3, 6),
        date(2025, 5, 6),
        date(2025, 7, 6),
        date(2025, 9, 6),
    ]
    assert [d.phase_index for d in result.doses] == [0, 0, 0, 1, 1, 1]


def test_a_counted_phase_cut_short_keeps_only_doses_up_to_the_date() -> None:
    phases = [
        PhaseSpec(
            "repletion", Cadence("day", 2), 1000, "count", count=7, closed_on=date(2025, 1, 10)
        ),
        PhaseSpec("maintenance", Cadence("month"), 1000, "ongoing"),
    ]
    result = plan(
        phases, start=date(2025, 1, 6), given=[], today=date(2025, 1, 6), until=date(2025, 3, 31)
    )
    assert [d.due for d in result.doses] == [
        date(2025, 1, 6),
        date(2025, 1, 8),
        date(2025, 1, 10),
        date(2025, 2, 10),
        date(2025, 3, 10),
    ]


def test_an_unclosed_ongoing_phase_must_still_be_last() -> None:
    phases = [
        PhaseSpec("maintenance", Cadence("month"), 1000, "ongoing"),
        PhaseSpec("maintenance", Cadence("month", 2), 1000, "ongoing"),
    ]
    assert any("must be the last" in message for message in validate_phases(phases))
