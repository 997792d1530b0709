"""What an import read from a MedicationRequest: the draft's values (each None when the
resource did not say), its phases, and the notes on what was left out, kept as JSON on the
draft."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from schedules import engine

JSON = dict[str, Any]


@dataclass(frozen=True)
class Note:
    """One thing not imported: the element (a FHIR path) and why."""

    element: str
    reason: str


@dataclass(frozen=True)
class Missing:
    """A value the clinician must give before the draft can start: the form field and why."""

    field: str
    message: str


@dataclass(frozen=True)
class PhaseValues:
    kind: engine.PhaseKind
    unit: engine.Unit
    every: int
    bound: engine.BoundKind
    every_max: int | None = None
    weekdays: tuple[int, ...] = ()
    count: int | None = None
    duration_days: int | None = None
    dose_mcg: int | None = None  # None: the resource gave no dose for this phase

    def spec(self, dose_mcg: int) -> engine.PhaseSpec:
        cadence = engine.Cadence(self.unit, self.every, self.every_max, self.weekdays)
        return engine.PhaseSpec(
            kind=self.kind,
            cadence=cadence,
            dose_mcg=dose_mcg,
            bound=self.bound,
            count=self.count,
            duration_days=self.duration_days,
        )

    def to_json(self) -> JSON:
        data = asdict(self)
        data["weekdays"] = list(self.weekdays)
        return data

    @classmethod
    def from_json(cls, data: JSON) -> PhaseValues:
        return cls(**(data | {"weekdays": tuple(data.get("weekdays") or ())}))


@dataclass
class DraftValues:
    product: str | None = None
    strength_mcg_per_ml: int | None = None
    dose_mcg: int | None = None
    route: str | None = None
    start_date: date | None = None
    lifelong: bool | None = None
    phases: list[PhaseValues] = field(default_factory=list)
    # False when some dosage instruction could not become a phase: the schedule is not whole.
    schedule_read: bool = False

    def one_dose_for_all(self) -> bool:
        """True when the phases do not state different doses: the draft's dose is every
        phase's; otherwise each phase keeps the dose it states."""
        return len({p.dose_mcg for p in self.phases if p.dose_mcg is not None}) <= 1

    def specs(self, dose_mcg: int) -> list[engine.PhaseSpec]:
        same = self.one_dose_for_all()
        return [
            phase.spec(dose_mcg if same or phase.dose_mcg is None else phase.dose_mcg)
            for phase in self.phases
        ]

    def to_json(self) -> JSON:
        data = asdict(self)
        data["start_date"] = self.start_date.isoformat() if self.start_date else None
        data["phases"] = [phase.to_json() for phase in self.phases]
        return data

    @classmethod
    def from_json(cls, data: JSON) -> DraftValues:
        start = data.get("start_date")
        return cls(
            **(
                data
                | {
                    "start_date": date.fromisoformat(start) if start else None,
                    "phases": [PhaseValues.from_json(p) for p in data.get("phases") or []],
                }
            )
        )


@dataclass
class ImportResult:
    values: DraftValues
    not_mapped: list[Note]
    missing: list[Missing]

    def notes_json(self) -> list[JSON]:
        return [asdict(note) for note in self.not_mapped]

    def missing_json(self) -> list[JSON]:
        return [asdict(item) for item in self.missing]
