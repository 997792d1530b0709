"""The adherence figures every clinician page shows: on time, late and missed counts, the
90-day band (defined once, beside the patient summary that stores it), and the median of the
intervals between maintenance injections.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from monitoring.summary import Band, band_for
from monitoring.summary_sync import WINDOW, median

__all__ = ["WINDOW", "Band", "Counts", "band_for", "gaps", "median"]


@dataclass(frozen=True)
class Counts:
    on_time: int = 0
    late: int = 0
    missed: int = 0

    @property
    def taken(self) -> int:
        return self.on_time + self.late

    @property
    def band(self) -> str:
        return band_for(self.taken, self.missed)

    @property
    def percent_taken(self) -> int | None:
        settled = self.taken + self.missed
        return round(100 * self.taken / settled) if settled else None


def gaps(days: Sequence[date]) -> list[int]:
    """Days between consecutive dates (already in order)."""
    return [(later - earlier).days for earlier, later in pairwise(days)]
