"""The built-in guideline regimens (templates a clinician starts a prescription from), as data.

Each names its source (`Regimen.source`); their phases are listed in
docs/schedule-semantics.md#built-in-regimens, and the patient summaries are our own words.
"""

from __future__ import annotations

from dataclasses import dataclass

from schedules.engine import Cadence, PhaseSpec


@dataclass(frozen=True)
class Regimen:
    slug: str
    name: str
    source: str
    summary: str  # for patients: plain words, no jargon
    phases: tuple[PhaseSpec, ...]
    product_hint: str


DAILY = Cadence("day")
EVERY_OTHER_DAY = Cadence("day", 2)
EVERY_3_TO_4_DAYS = Cadence("day", 3, every_max=4)
WEEKLY = Cadence("week")
MON_WED_FRI = Cadence("weekday", weekdays=(0, 2, 4))
MONTHLY = Cadence("month")
EVERY_2_MONTHS = Cadence("month", 2)
EVERY_2_TO_3_MONTHS = Cadence("month", 2, every_max=3)


def _monthly_for_life(dose_mcg: int = 1000) -> PhaseSpec:
    return PhaseSpec("maintenance", MONTHLY, dose_mcg, "ongoing")


_REGIMEN_LIST: tuple[Regimen, ...] = (
    Regimen(
        slug="seed-repletion",
        name="Quick top-up, then monthly",
        source="Common practice for severe deficiency or malabsorption",
        summary=(
            "Seven injections, one every other day, to fill your stores quickly (about two "
            "weeks). After that, one injection a month to keep your levels up, usually for life."
        ),
        phases=(
            PhaseSpec("repletion", EVERY_OTHER_DAY, 1000, "count", count=7),
            _monthly_for_life(),
        ),
        product_hint="hydroxocobalamin or cyanocobalamin",
    ),
    Regimen(
        slug="seed-consolidation",
        name="Three a week, then monthly",
        source="Common practice for mild, reversible causes",
        summary=(
            "Six injections over two weeks, on Mondays, Wednesdays and Fridays. Then one a "
            "month. If the cause can be put right, your clinician may stop them later."
        ),
        phases=(
            PhaseSpec("consolidation", MON_WED_FRI, 1000, "count", count=6),
            _monthly_for_life(),
        ),
        product_hint="hydroxocobalamin or cyanocobalamin",
    ),
    Regimen(
        slug="seed-maintenance",
        name="Monthly",
        source="Pernicious anaemia, already loaded",
        summary=(
            "Your stores are already filled, so this is one injection a month to keep them "
            "that way."
        ),
        phases=(_monthly_for_life(),),
        product_hint="hydroxocobalamin or cyanocobalamin",
    ),
    Regimen(
        slug="bnf-no-neuro",
        name="BNF, no nerve symptoms",
        source="BNF hydroxocobalamin, no neurological involvement",
        summary=(
            "Six injections over two weeks, on Mondays, Wednesdays and Fridays. After that, "
            "one injection every two to three months."
        ),
        phases=(
            PhaseSpec("repletion", MON_WED_FRI, 1000, "count", count=6),
            PhaseSpec("maintenance", EVERY_2_TO_3_MONTHS, 1000, "ongoing"),
        ),
        product_hint="hydroxocobalamin",
    ),
    Regimen(
        slug="bnf-neuro",
        name="BNF, with nerve symptoms",
        source="BNF hydroxocobalamin, neurological involvement",
        summary=(
            "An injection every other day for as long as your symptoms keep getting better. "
            "Your clinician decides when to stop; then it is one injection every two months."
        ),
        phases=(
            PhaseSpec("repletion", EVERY_OTHER_DAY, 1000, "open"),
            PhaseSpec("maintenance", EVERY_2_MONTHS, 1000, "ongoing"),
        ),
        product_hint="hydroxocobalamin",
    ),
    Regimen(
        slug="fda-cyanocobalamin",
        name="US label, cyanocobalamin",
        source="US cyanocobalamin label (pernicious anaemia)",
        summary=(
            "A smaller dose, more often at first: daily for a week, every other day for "
            "two weeks, every three or four days for three weeks, then once a month."
        ),
        phases=(
            PhaseSpec("repletion", DAILY, 100, "count", count=7),
            PhaseSpec("consolidation", EVERY_OTHER_DAY, 100, "count", count=7),
            PhaseSpec("consolidation", EVERY_3_TO_4_DAYS, 100, "duration", duration_days=21),
            _monthly_for_life(100),
        ),
        product_hint="cyanocobalamin",
    ),
    Regimen(
        slug="cdc-weekly",
        name="Weekly, then monthly",
        source="CDC, as quoted in J Fam Pract",
        summary="One injection a week for eight weeks, then one a month.",
        phases=(
            PhaseSpec("repletion", WEEKLY, 1000, "count", count=8),
            _monthly_for_life(),
        ),
        product_hint="cyanocobalamin",
    ),
    Regimen(
        slug="afp-daily-weekly-monthly",
        name="Daily, weekly, then monthly",
        source="Am Fam Physician 2017 review",
        summary=(
            "One injection a day for a week, then one a week for four weeks, then one a month."
        ),
        phases=(
            PhaseSpec("repletion", DAILY, 1000, "count", count=7),
            PhaseSpec("consolidation", WEEKLY, 1000, "count", count=4),
            _monthly_for_life(),
        ),
        product_hint="cyanocobalamin",
    ),
)

REGIMENS: dict[str, Regimen] = {regimen.slug: regimen for regimen in _REGIMEN_LIST}


def get(slug: str) -> Regimen:
    try:
        return REGIMENS[slug]
    except KeyError:
        valid = ", ".join(REGIMENS)
        raise KeyError(f"Unknown regimen {slug!r}; valid slugs: {valid}") from None
