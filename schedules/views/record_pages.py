"""The patient's own record to take away: a printable page and a CSV of every prescription's
doses so far and every injection entry. Each shows only the logged-in patient's records."""

from __future__ import annotations

import csv
from datetime import date

from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import AuthedRequest, patient_required
from accounts.audit import log_action
from accounts.reauth import recent_auth_required
from schedules.models import Dose, Injection, Prescription
from schedules.selectors.record import PatientRecord, patient_record

from .helpers import patient_today

CSV_HEADER = (
    "Prescription",
    "Prescription status",
    "Entry",
    "Date",
    "Window opens",
    "Window closes",
    "Dose (mcg)",
    "State",
    "Given on",
    "Time",
    "Site",
    "Route",
    "Given by",
    "Batch",
    "Expiry",
    "Notes",
    "Reason",
)


@patient_required
def record(request: AuthedRequest) -> HttpResponse:
    found = patient_record(patient=request.user, today=patient_today(request))
    return render(request, "schedules/record.html", {"record": found})


@patient_required
@recent_auth_required
def record_csv(request: AuthedRequest) -> HttpResponse:
    """The record as a file. The audit row it writes is the record of who took a copy of the
    data, as the clinician's export keeps one; nothing of the patient's record changes."""
    found = patient_record(patient=request.user, today=patient_today(request))
    log_action(
        actor=request.user,
        action="record.exported",
        patient=request.user,
        request=request,
        detail={"prescriptions": len(found.prescriptions)},
    )
    writer = csv.writer(_Echo())
    lines = [writer.writerow(CSV_HEADER), *(writer.writerow(row) for row in _rows(found))]
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    filename = f"b12-record-{found.today:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    """A file that hands back what is written, so csv.writer returns each line as text."""

    def write(self, value: str) -> str:
        return value


def _rows(found: PatientRecord) -> list[list[str]]:
    rows = []
    for part in found.prescriptions:
        rx = part.prescription
        rows += [_dose_row(rx, dose) for dose in part.doses]
        rows += [_injection_row(rx, injection) for injection in part.injections]
    return rows


def _prescription(rx: Prescription) -> list[str]:
    return [f"{rx.regimen_name}, from {rx.start_date:%Y-%m-%d}", rx.get_status_display()]


def _dose_row(rx: Prescription, dose: Dose) -> list[str]:
    given = dose.injection.given_on if dose.injection else None
    return [
        *_prescription(rx),
        "Dose",
        _iso(dose.due),
        _iso(dose.earliest),
        _iso(dose.latest),
        str(dose.dose_mcg),
        getattr(dose, "state_label", ""),
        _iso(given),
        *[""] * 8,
    ]


def _injection_row(rx: Prescription, injection: Injection) -> list[str]:
    return [
        *_prescription(rx),
        "Injection",
        _iso(injection.given_on),
        "",
        "",
        str(injection.dose_mcg),
        getattr(injection, "entry_label", ""),
        _iso(injection.given_on),
        f"{injection.given_at:%H:%M}" if injection.given_at else "",
        injection.get_site_display() if injection.site else "",
        injection.route,
        injection.get_given_by_display(),
        _cell(injection.lot),
        _iso(injection.expiry),
        _cell(injection.notes),
        _cell(injection.reason),
    ]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _cell(value: str) -> str:
    """Text a spreadsheet would run as a formula is quoted (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
