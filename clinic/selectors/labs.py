"""The "Labs" section of a clinician's patient page: the latest result of each test with its
band and date, and each test's trend. One query however many results the patient has."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from monitoring.labs.catalogue import canonical_unit, unit_label
from monitoring.labs.chart import Chart, trend_chart
from monitoring.labs.selectors import LabRow, all_rows
from monitoring.models import LabTest


@dataclass(frozen=True)
class TestTrend:
    test: str
    name: str
    unit: str
    rows: list[LabRow]
    chart: Chart | None


@dataclass(frozen=True)
class LabsSection:
    latest: list[LabRow]
    trends: list[TestTrend]


def labs_section(*, patient: User) -> LabsSection:
    by_test = all_rows(patient)
    trends = [
        TestTrend(
            test=test,
            name=LabTest(test).label,
            unit=unit_label(canonical_unit(test)),
            rows=rows,
            chart=trend_chart([row.result for row in rows]),
        )
        for test, rows in by_test.items()
    ]
    return LabsSection(latest=[rows[-1] for rows in by_test.values()], trends=trends)
