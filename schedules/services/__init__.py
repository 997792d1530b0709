"""The only code that writes schedules: prescriptions, phases, doses and injections.

Keyword-only services, each one transaction that validates, re-plans through the engine and
writes one audit event; callers import this package, the modules behind it are by subdomain.
"""

from .injections import injection_correct, injection_log, injection_void
from .phases import maintenance_interval_change, phase_close
from .prescriptions import (
    MAX_FUTURE_START,
    MAX_PAST_START,
    ChangeSummary,
    prescription_confirm,
    prescription_create,
    prescription_stop,
    prescription_update,
)
from .replan import HORIZON, ReplanResult, compute_plan, prescription_replan
from .sweeps import extend_horizons, sweep_missed_doses
from .too_soon import TooSoonError, too_soon_after
from .versions import DETAIL_FIELDS, TREATMENT_FIELDS

__all__ = [
    "DETAIL_FIELDS",
    "HORIZON",
    "MAX_FUTURE_START",
    "MAX_PAST_START",
    "TREATMENT_FIELDS",
    "ChangeSummary",
    "ReplanResult",
    "TooSoonError",
    "compute_plan",
    "extend_horizons",
    "injection_correct",
    "injection_log",
    "injection_void",
    "maintenance_interval_change",
    "phase_close",
    "prescription_confirm",
    "prescription_create",
    "prescription_replan",
    "prescription_stop",
    "prescription_update",
    "sweep_missed_doses",
    "too_soon_after",
]
