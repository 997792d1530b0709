"""Patient pages: home, the prescription wizard and checklist, logging, schedule and history.

Each parses, checks access (404 for another's records), calls a service or selector, renders.
"""

from .appointment_page import appointment
from .history_pages import history, injection_correct, injection_void
from .home_page import about, home
from .log_page import injection_log
from .prescription_pages import (
    prescription,
    prescription_details,
    prescription_edit,
    prescription_new,
    prescription_preview,
    prescription_stop,
)
from .schedule_page import schedule

__all__ = [
    "about",
    "appointment",
    "history",
    "home",
    "injection_correct",
    "injection_log",
    "injection_void",
    "prescription",
    "prescription_details",
    "prescription_edit",
    "prescription_new",
    "prescription_preview",
    "prescription_stop",
    "schedule",
]
