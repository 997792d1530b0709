"""The clinician's patients list (sorted by need, filtered, paginated) and its CSV export."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.access import AuthedRequest, clinician_required
from accounts.audit import log_action
from accounts.forms import InviteForm
from clinic.forms import PatientFilterForm
from clinic.selectors import patients as patient_list
from clinic.selectors.metrics import WINDOW, Band
from clinic.selectors.overview import phase_label
from clinic.selectors.rows import PatientRow

CSV_HEADER = (
    "Patient",
    "Email",
    "Regimen",
    "Current phase",
    "Next due",
    "Days overdue",
    "Last injection",
    "On time (90 days)",
    "Late (90 days)",
    "Missed (90 days)",
    "Adherence band (90 days)",
    "On time (since start)",
    "Late (since start)",
    "Missed (since start)",
    "Median maintenance interval (days)",
    "Prescribed maintenance interval",
    "Open flags",
    "Open flag kinds",
)


@clinician_required
def patients(request: AuthedRequest) -> HttpResponse:
    return render(request, "clinic/patients.html", patients_context(request, InviteForm()))


def patients_context(request: AuthedRequest, invite_form: InviteForm) -> dict[str, object]:
    """The list page's context; the invitation form is passed in, with errors after a refusal."""
    filter_form = PatientFilterForm(request.GET or None)
    filters = filter_form.filters()
    listing = patient_list.patients_page(
        clinician=request.user,
        filters=filters,
        page_number=request.GET.get("page"),
        now=timezone.now(),
    )
    query = filters.as_dict()
    export = reverse("clinic:patients_csv")
    return {
        "listing": listing,
        "filter_form": filter_form,
        "filtered": bool(query),
        "export_url": f"{export}?{urlencode(query)}" if query else export,
        "form": invite_form,
        "pending": patient_list.pending_invitations(clinician=request.user),
        "window_days": WINDOW.days,
    }


@clinician_required
def patients_csv(request: AuthedRequest) -> HttpResponse:
    filters = PatientFilterForm(request.GET or None).filters()
    now = timezone.now()
    rows = list(patient_list.export_rows(clinician=request.user, filters=filters, now=now))
    log_action(
        actor=request.user,
        action="patients.exported",
        request=request,
        detail={"filters": filters.as_dict(), "rows": len(rows)},
    )
    writer = csv.writer(_Echo())
    lines = [writer.writerow(CSV_HEADER), *(writer.writerow(_csv_line(row)) for row in rows)]
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="patients-{now:%Y-%m-%d}.csv"'
    return response


class _Echo:
    """A file that hands back what is written, so csv.writer returns each line as text."""

    def write(self, value: str) -> str:
        return value


def _csv_line(row: PatientRow) -> list[object]:
    return [
        _cell(value)
        for value in (
            row.name,
            row.patient.email,
            row.regimen,
            phase_label(row.phase) if row.phase else "",
            row.next_due.isoformat() if row.next_due else "",
            row.days_overdue,
            row.last_injection.isoformat() if row.last_injection else "",
            row.recent.on_time,
            row.recent.late,
            row.recent.missed,
            Band(row.band).label,
            row.overall.on_time,
            row.overall.late,
            row.overall.missed,
            row.median_interval,
            row.prescribed.cadence().describe() if row.prescribed else "",
            row.open_flags,
            "; ".join(row.flag_labels),
        )
    ]


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
