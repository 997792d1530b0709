"""`{% evidence patient %}`: what the record shows about the interval, for pages of apps below
monitoring (the patient's appointment page) and the clinician's printed report: when symptoms
come back in each cycle, the latest result of each test with its band, and urgent answers."""

from __future__ import annotations

from datetime import date, timedelta

from django import template
from django.db.models import Q

from accounts.models import User
from core.clock import local_today
from monitoring.labs.selectors import lab_row, latest_results
from monitoring.models import RED_FLAGS, CheckIn
from monitoring.symptom_return import return_summary

register = template.Library()

# Urgent answers this far back are still worth saying at an appointment.
RED_FLAG_DAYS = 180
RED_FLAG_ROWS = 10


def red_flag_answers(patient: User, today: date) -> list[tuple[date, list[str]]]:
    asked = Q(*(Q(**{name: True}) for name, _ in RED_FLAGS), _connector="OR")
    rows = CheckIn.objects.filter(
        asked, patient=patient, on__gte=today - timedelta(days=RED_FLAG_DAYS)
    ).order_by("-on")[:RED_FLAG_ROWS]
    return [(row.on, row.red_flags) for row in rows]


@register.inclusion_tag("monitoring/_evidence.html")
def evidence(patient: User, audience: str = "patient") -> dict[str, object]:
    """`audience` "patient" speaks to the patient ("your"); "clinician" about them."""
    summary = return_summary(patient)
    return {
        "summary": summary,
        "cycles": list(reversed(summary.counted)),
        "labs": [lab_row(result) for result in latest_results(patient).values()],
        "red_flags": red_flag_answers(patient, local_today(patient)),
        "days": RED_FLAG_DAYS,
        "patient_side": audience == "patient",
    }
