"""The trend of one test as an inline SVG drawn on the server: dots joined in date order, with
the band edges as dashed lines. The page always puts the same figures in a table beside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from monitoring.models import LabResult, LabTest

from .bands import (
    ACTIVE_B12_DEFICIENT_BELOW,
    ACTIVE_B12_INDETERMINATE_TO,
    FOLATE_LOW_AT_OR_BELOW,
    MMA_RAISED_ABOVE,
    SERUM_B12_DEFICIENT_BELOW,
    SERUM_B12_INDETERMINATE_TO,
)
from .catalogue import shown

WIDTH, HEIGHT = 600, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 28
EDGES: dict[str, tuple[Decimal, ...]] = {
    LabTest.SERUM_B12: (SERUM_B12_DEFICIENT_BELOW, SERUM_B12_INDETERMINATE_TO),
    LabTest.ACTIVE_B12: (ACTIVE_B12_DEFICIENT_BELOW, ACTIVE_B12_INDETERMINATE_TO),
    LabTest.MMA: (MMA_RAISED_ABOVE,),
    LabTest.FOLATE: (FOLATE_LOW_AT_OR_BELOW,),
}


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right_edge: int
    bottom_edge: int
    dots: list[Mark]
    line: str  # the polyline's points
    edges: list[Mark]  # band edges: y and the value
    ticks: list[Mark]  # y axis: 0 and the top
    first: str
    last: str


def _x(day: date, first: date, last: date) -> float:
    span = (last - first).days
    inner = WIDTH - LEFT - RIGHT
    if span == 0:
        return LEFT + inner / 2
    return round(LEFT + inner * (day - first).days / span, 1)


def trend_chart(results: list[LabResult]) -> Chart | None:
    """The chart of `results` (one test, oldest first) in its canonical unit; None if empty."""
    if not results:
        return None
    test = results[0].test
    edges = EDGES.get(test, ())
    top = max([r.canonical_value for r in results] + list(edges)) * Decimal("1.15")
    inner = HEIGHT - TOP - BOTTOM

    def y(value: Decimal) -> float:
        return round(TOP + inner * float(1 - value / top), 1)

    first, last = results[0].taken_on, results[-1].taken_on
    dots = [
        Mark(_x(r.taken_on, first, last), y(r.canonical_value), shown(test, r.canonical_value))
        for r in results
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        bottom_edge=HEIGHT - BOTTOM,
        dots=dots,
        line=" ".join(f"{d.x},{d.y}" for d in dots),
        edges=[Mark(LEFT, y(edge), f"{edge}") for edge in edges],
        ticks=[Mark(LEFT, y(Decimal(0)), "0"), Mark(LEFT, y(top), shown(test, top))],
        first=first.strftime("%-d %b %Y"),
        last=last.strftime("%-d %b %Y"),
    )
