"""Reads for the patient pages: each returns plain data in a fixed number of queries.

Counts are aggregated in SQL with the states of schedules.states; the modules are by page.
"""

from .appointment import Appointment, appointment_summary, questions_for
from .history import (
    HistoryEntry,
    HistoryPage,
    history_page,
    history_revision,
    injection_for_patient,
    injection_history,
)
from .home import HomeSummary, NextDose, Progress, home_summary, next_dose
from .log import LogContext, injection_is_extra, log_context
from .prescription import (
    ChecklistItem,
    PhaseCounts,
    active_prescription,
    phases_with_counts,
    prescription_checklist,
    prescription_for_patient,
)
from .schedule import CalendarDay, Entry, Schedule, month_weeks, schedule_for, shift_month
from .sites import SiteUse, site_uses, suggested_site
from .wizard import PREVIEW_LENGTH, PreviewDose, plan_preview, preview_for, regimen_choices

__all__ = [
    "PREVIEW_LENGTH",
    "Appointment",
    "CalendarDay",
    "ChecklistItem",
    "Entry",
    "HistoryEntry",
    "HistoryPage",
    "HomeSummary",
    "LogContext",
    "NextDose",
    "PhaseCounts",
    "PreviewDose",
    "Progress",
    "Schedule",
    "SiteUse",
    "active_prescription",
    "appointment_summary",
    "history_page",
    "history_revision",
    "home_summary",
    "injection_for_patient",
    "injection_history",
    "injection_is_extra",
    "log_context",
    "month_weeks",
    "next_dose",
    "phases_with_counts",
    "plan_preview",
    "prescription_checklist",
    "prescription_for_patient",
    "preview_for",
    "questions_for",
    "regimen_choices",
    "schedule_for",
    "shift_month",
    "site_uses",
    "suggested_site",
]
