"""Throughput of schedules.engine.plan over 1, 3 and 10 years of injection history.

Run from the repo root: `python bench/bench_engine.py`. Prints figures; asserts nothing.
"""

from __future__ import annotations

import random
import sys
import timeit
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schedules import regimens
from schedules.engine import Cadence, Given, PhaseSpec, Plan, plan

START = date(2025, 1, 6)
YEARS = (1, 3, 10)
WEEKLY_FOR_LIFE = (PhaseSpec("maintenance", Cadence("week"), 1000, "ongoing"),)


def history(phases: tuple[PhaseSpec, ...], today: date, rng: random.Random) -> list[Given]:
    """A patient who is mostly on time, sometimes a day or two late, and misses about 1 in 20.

    Built dose by dose through the engine itself, so late injections re-anchor the plan just
    as they would for a real patient.
    """
    given: list[Given] = []
    decided = 0
    while True:
        doses = plan(phases, start=START, given=given, today=today, until=today).doses
        if decided >= len(doses):
            return given
        dose = doses[decided]
        roll = rng.random()
        if roll >= 0.05:
            late = min(rng.choice((1, 2)), (dose.latest - dose.due).days) if roll < 0.2 else 0
            given.append(Given(id=len(given) + 1, given_on=dose.due + timedelta(days=late)))
        decided += 1


def seconds_per_plan(phases: tuple[PhaseSpec, ...], years: int) -> tuple[float, int, int]:
    today = START + timedelta(days=round(365.25 * years))
    given = history(phases, today, random.Random(years))

    def run() -> Plan:
        return plan(phases, start=START, given=given, today=today, until=today)

    doses = len(run().doses)
    number, _ = timeit.Timer(run).autorange()
    best = min(timeit.repeat(run, number=number, repeat=5)) / number
    return best, doses, len(given)


def report(label: str, phases: tuple[PhaseSpec, ...]) -> None:
    print(f"\n{label}")
    per_plan: dict[int, float] = {}
    dose_counts: dict[int, int] = {}
    for years in YEARS:
        seconds, doses, injections = seconds_per_plan(phases, years)
        per_plan[years], dose_counts[years] = seconds, doses
        print(
            f"  {years:>2} y: {doses:>4} doses, {injections:>4} injections: "
            f"{1 / seconds:>9,.0f} plans/s  ({seconds * 1e6:,.0f} µs/plan, "
            f"{seconds / doses * 1e6:.2f} µs/dose)"
        )
    ratio = per_plan[10] / per_plan[1]
    doses_ratio = dose_counts[10] / dose_counts[1]
    print(f"  10 y / 1 y time per plan: {ratio:.1f} (doses grew {doses_ratio:.1f}x; linear ~10)")


def main() -> None:
    report(
        "seed-repletion (7 every other day, then monthly for life)",
        regimens.get("seed-repletion").phases,
    )
    report("weekly for life", WEEKLY_FOR_LIFE)


if __name__ == "__main__":
    main()
