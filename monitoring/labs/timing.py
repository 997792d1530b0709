"""Warnings about when a B12 sample was taken, from the patient's injection dates: shown beside
the result, never a reason to refuse it. Pure functions of dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .catalogue import B12_TESTS

# NICE NG239: a B12 level in the two weeks after an injection reflects the injection.
AFTER_INJECTION_DAYS = 14
# Established on injections: the first was at least 3 months before the sample (the NG239
# review point) and the last within 120 days of it (a 3-monthly dose with its grace).
ESTABLISHED_AFTER_DAYS = 90
STILL_ON_WITHIN_DAYS = 120

REFLECTS_INJECTION = "it reflects the injection, not your levels between doses."
ROUTINE_RETEST = (
    "Routine re-testing on injections is not advised once you are established on them. "
    "Keep this result; your clinician can say whether another test would help."
)


def _after(days: int) -> str:
    if days == 0:
        return "Taken on the same day as an injection"
    return f"Taken {days} day{'s' if days != 1 else ''} after an injection"


def timing_warnings(*, test: str, taken_on: date, injection_dates: Sequence[date]) -> list[str]:
    """What to bear in mind about a `test` sample taken on `taken_on`, given every date the
    patient had an injection (any order)."""
    if test not in B12_TESTS:
        return []
    before = [given for given in injection_dates if given <= taken_on]
    if not before:
        return []
    warnings = []
    since_last = (taken_on - max(before)).days
    if since_last <= AFTER_INJECTION_DAYS:
        warnings.append(f"{_after(since_last)}: {REFLECTS_INJECTION}")
    established = (taken_on - min(before)).days >= ESTABLISHED_AFTER_DAYS
    if established and since_last <= STILL_ON_WITHIN_DAYS:
        warnings.append(ROUTINE_RETEST)
    return warnings
