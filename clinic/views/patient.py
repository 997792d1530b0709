"""One patient's page and printable report, and the page re-rendered with a refused form's
errors after an action on it."""

from __future__ import annotations

from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import AuthedRequest, clinician_required
from accounts.models import User
from clinic.forms import FailedFlag, IntervalForm, NoteForm, PhaseCloseForm, flag_items
from clinic.plan_forms import PlanItemForm
from clinic.selectors import labs as lab_reads
from clinic.selectors import overview as patient_reads
from clinic.selectors import symptoms as symptom_reads
from clinic.selectors import tests_due as plan_reads

from .common import patient_of


@clinician_required
def patient_detail(request: AuthedRequest, patient_id: int) -> HttpResponse:
    return render_patient(request, patient_of(request, patient_id))


@clinician_required
def patient_report(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_of(request, patient_id)
    overview = patient_reads.patient_overview(
        patient=patient, now=timezone.now(), whole_history=True
    )
    return render(
        request,
        "clinic/patient_report.html",
        {"o": overview, "patient": patient, "chart_data": _chart_data(overview)},
    )


def render_patient(
    request: AuthedRequest,
    patient: User,
    *,
    status: int = 200,
    error: str = "",
    failed_flag: FailedFlag | None = None,
    **forms: Form,
) -> HttpResponse:
    """The patient's page; after a refused action, with its message and the refused form."""
    overview = patient_reads.patient_overview(
        patient=patient, now=timezone.now(), whole_history=request.GET.get("history") == "all"
    )
    context = {
        "o": overview,
        "patient": patient,
        "error": error,
        "note_form": NoteForm(auto_id="note_%s"),
        "close_form": PhaseCloseForm(initial={"closed_on": overview.today}, auto_id="close_%s"),
        "interval_form": IntervalForm(initial=_interval_initial(overview), auto_id="interval_%s"),
        "flag_items": flag_items(overview.unresolved_flags, failed_flag),
        "chart_data": _chart_data(overview),
        "labs": lab_reads.labs_section(patient=patient),
        "symptoms": symptom_reads.symptoms_section(patient=patient),
        "plan_rows": plan_reads.plan_rows(patient=patient, today=overview.today),
        "plan_form": PlanItemForm(auto_id="plan_%s"),
        **forms,
    }
    return render(request, "clinic/patient_detail.html", context, status=status)


def _interval_initial(overview: patient_reads.PatientOverview) -> dict[str, object] | None:
    """The current maintenance interval, to start the change form from (not for weekdays)."""
    maintenance = overview.maintenance_phase
    if maintenance is None or maintenance.unit == "weekday":
        return None
    return {
        "every": maintenance.every,
        "every_max": maintenance.every_max,
        "unit": maintenance.unit,
    }


def _chart_data(overview: patient_reads.PatientOverview) -> dict[str, object]:
    return {
        "adherence": [
            {
                "label": row.label,
                "on_time": row.counts.on_time,
                "late": row.counts.late,
                "missed": row.counts.missed,
            }
            for row in overview.phases
        ],
        "intervals": [
            {
                "date": point.given_on.isoformat(),
                "actual": point.actual,
                "prescribed": point.prescribed,
            }
            for point in overview.intervals
        ],
    }
