"""The clinician's patients list (sorted by need, filtered, a page at a time by cursor) and
its CSV export, streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from urllib.parse import urlencode

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.access import AuthedRequest, clinician_required
from accounts.audit import log_action
from accounts.forms import InviteForm
from accounts.reauth import recent_auth_required
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
        now=timezone.now(),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
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
@recent_auth_required  # type: ignore[arg-type]  # a streamed answer is not an HttpResponse
def patients_csv(request: AuthedRequest) -> StreamingHttpResponse:
    """Streamed: the rows are read a chunk at a time as the lines go out, so 10,000 patients
    take no more memory than 100. The audit event, written first, counts them in SQL."""
    filters = PatientFilterForm(request.GET or None).filters()
    now = timezone.now()
    count = patient_list.patients_queryset(clinician=request.user, filters=filters).count()
    log_action(
        actor=request.user,
        action="patients.exported",
        request=request,
        detail={"filters": filters.as_dict(), "rows": count},
    )
    rows = patient_list.export_rows(clinician=request.user, filters=filters, now=now)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="patients-{now:%Y-%m-%d}.csv"'
    return response


def _csv_lines(rows: Iterator[PatientRow]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for row in rows:
        yield writer.writerow(_csv_line(row))


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
