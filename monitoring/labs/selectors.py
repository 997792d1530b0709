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


def latest_results(patient: User) -> dict[str, LabResult]:
    """The most recent result of each test the patient has (latest sample date, then latest
    entry), keyed by test, in the order of LabTest. One query."""
    same_test = LabResult.objects.filter(patient=OuterRef("patient"), test=OuterRef("test"))
    newest = same_test.order_by("-taken_on", "-id").values("pk")[:1]
    rows = LabResult.objects.filter(patient=patient, pk=Subquery(newest))
    found = {row.test: row for row in rows}
    return {test: found[test] for test in LabTest.values if test in found}


def results_of(patient: User, test: str) -> QuerySet[LabResult]:
    """One test's results, oldest sample first."""
    return LabResult.objects.filter(patient=patient, test=test).order_by("taken_on", "id")


def injection_dates(patient: User) -> list[date]:
    """Every date the patient had an injection that stands (not voided or replaced)."""
    rows = Injection.objects.filter(patient=patient).recorded()
    return list(rows.values_list("given_on", flat=True))


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


def lab_row(result: LabResult, dates: list[date]) -> LabRow:
    found = band(result)
    return LabRow(
        result=result,
        band=found,
        band_words=band_words(result.test, found),
        lab_range=lab_range_words(result),
        warnings=timing_warnings(test=result.test, taken_on=result.taken_on, injection_dates=dates),
    )


def lab_rows(results: list[LabResult], dates: list[date]) -> list[LabRow]:
    return [lab_row(result, dates) for result in results]


def latest_rows(patient: User) -> list[LabRow]:
    """The newest result of each test with its band and warnings: two queries."""
    return lab_rows(list(latest_results(patient).values()), injection_dates(patient))


def trend_rows(patient: User, test: str) -> list[LabRow]:
    """Every result of one test, oldest first, with band and warnings: two queries."""
    return lab_rows(list(results_of(patient, test)), injection_dates(patient))
