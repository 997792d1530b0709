"""Reads for lab results: the latest per test, one test's history with its band and timing
warnings, each in a fixed number of queries however long the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
from monitoring.models import LabResult, LabTest
from schedules.models import Injection

from .bands import Band, band, band_words, lab_range_words
from .catalogue import canonical_unit, printed, shown, unit_label
from .timing import timing_warnings


def _latest(patient: User) -> QuerySet[LabResult]:
    same_test = LabResult.objects.filter(patient=OuterRef("patient"), test=OuterRef("test"))
    newest = same_test.order_by("-taken_on", "-id").values("pk")[:1]
    return LabResult.objects.filter(patient=patient, pk=Subquery(newest))


def latest_results(patient: User) -> dict[str, LabResult]:
    """The most recent result of each test the patient has (latest sample date, then latest
    entry), keyed by test, in the order of LabTest. One query."""
    found = {row.test: row for row in _latest(patient)}
    return {test: found[test] for test in LabTest.values if test in found}


def with_injection_dates(results: QuerySet[LabResult]) -> QuerySet[LabResult]:
    """Each result with the two injection dates its timing warnings need, in the same query:
    the patient's first injection, and the last on or before the sample date."""
    given = Injection.objects.recorded().filter(patient=OuterRef("patient"))
    last = given.filter(given_on__lte=OuterRef("taken_on")).order_by("-given_on")
    return results.annotate(
        first_injection=Subquery(given.order_by("given_on").values("given_on")[:1]),
        last_injection=Subquery(last.values("given_on")[:1]),
    )


def results_of(patient: User, test: str) -> QuerySet[LabResult]:
    """One test's results, oldest sample first."""
    return LabResult.objects.filter(patient=patient, test=test).order_by("taken_on", "id")


@dataclass(frozen=True)
class LabRow:
    """One result as pages show it."""

    result: LabResult
    band: Band
    band_words: str
    lab_range: str
    warnings: list[str] = field(default_factory=list)

    @property
    def printed(self) -> str:
        return f"{printed(self.result.value)} {unit_label(self.result.unit)}"

    @property
    def canonical(self) -> str:
        test = self.result.test
        return f"{shown(test, self.result.canonical_value)} {unit_label(canonical_unit(test))}"

    @property
    def converted(self) -> bool:
        return self.result.unit != self.result.canonical_unit


def _dates(result: LabResult) -> list[date]:
    """The injection dates annotated by with_injection_dates that bear on this sample."""
    last: date | None = getattr(result, "last_injection", None)
    first: date | None = getattr(result, "first_injection", None)
    return [] if last is None or first is None else [first, last]


def lab_row(result: LabResult) -> LabRow:
    """A result with its band and words; its warnings need with_injection_dates' annotations."""
    found = band(result)
    warnings = timing_warnings(
        test=result.test, taken_on=result.taken_on, injection_dates=_dates(result)
    )
    return LabRow(
        result=result,
        band=found,
        band_words=band_words(result.test, found),
        lab_range=lab_range_words(result),
        warnings=warnings,
    )


def latest_rows(patient: User) -> list[LabRow]:
    """The newest result of each test with its band and warnings, in LabTest order: one query."""
    rows = {row.test: lab_row(row) for row in with_injection_dates(_latest(patient))}
    return [rows[test] for test in LabTest.values if test in rows]


def trend_rows(patient: User, test: str) -> list[LabRow]:
    """Every result of one test, oldest first, with band and warnings: one query."""
    return [lab_row(row) for row in with_injection_dates(results_of(patient, test))]


def all_rows(patient: User) -> dict[str, list[LabRow]]:
    """Every result of every test, oldest first, keyed by test in LabTest order: one query."""
    rows: dict[str, list[LabRow]] = {test: [] for test in LabTest.values}
    ordered = LabResult.objects.filter(patient=patient).order_by("taken_on", "id")
    for row in with_injection_dates(ordered):
        rows[row.test].append(lab_row(row))
    return {test: found for test, found in rows.items() if found}
