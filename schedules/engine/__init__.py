"""Pure-Python schedule engine: phases + given injections + today -> dated doses with statuses.

Owns the public API (re-exported here); cadence.py, phases.py and planning.py hold the parts.
"""

from __future__ import annotations

from .cadence import UNITS, WEEKDAY_NAMES, Cadence, Unit, is_too_soon, is_unit
from .phases import (
    BOUNDS,
    PHASE_KINDS,
    BoundKind,
    EngineError,
    Given,
    PhaseKind,
    PhaseSpec,
    Plan,
    PlannedDose,
    Status,
    is_bound,
    is_phase_kind,
    status_on,
    validate_phases,
)
from .planning import MAX_DOSES, plan

__all__ = [
    "BOUNDS",
    "MAX_DOSES",
    "PHASE_KINDS",
    "UNITS",
    "WEEKDAY_NAMES",
    "BoundKind",
    "Cadence",
    "EngineError",
    "Given",
    "PhaseKind",
    "PhaseSpec",
    "Plan",
    "PlannedDose",
    "Status",
    "Unit",
    "is_bound",
    "is_phase_kind",
    "is_too_soon",
    "is_unit",
    "plan",
    "status_on",
    "validate_phases",
]
