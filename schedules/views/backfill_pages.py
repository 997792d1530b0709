"""The back-fill page: several past injections at once, typed into a table or uploaded as a CSV
file and shown with a problem per row before anything is saved."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import AuthedRequest, patient_required
from schedules.forms.backfill import (
    TABLE_ROWS,
    BackfillFormSet,
    BackfillUploadForm,
    BaseBackfillFormSet,
    blank_rows,
    formset_data,
)
from schedules.models import Prescription
from schedules.services.backfill import (
    MAX_ROWS,
    BackfillError,
    RowErrors,
    backfill_problems,
    injections_backfill,
)

from .helpers import patient_today, prescription_required


def _table_size(request: AuthedRequest) -> int:
    try:
        wanted = int(request.GET.get("rows", TABLE_ROWS))
    except ValueError:
        return TABLE_ROWS
    return min(max(wanted, 1), MAX_ROWS)


def _put_row_errors(table: BaseBackfillFormSet, positions: list[int], errors: RowErrors) -> None:
    """The service numbers the rows it was given; the table numbers every row, empty or not."""
    for index, problems in errors.items():
        form = table.forms[positions[index]]
        for name, messages_ in problems.items():
            for message in messages_:
                form.add_error(name if name in form.fields else None, message)


def _save(request: AuthedRequest, rx: Prescription, table: BaseBackfillFormSet) -> list[str]:
    """Save every row or none; the problems not tied to a row come back."""
    found = table.rows()
    if not found:
        return ["Enter the date of at least one injection."]
    positions = [index for index, _ in found]
    try:
        injections_backfill(
            prescription=rx,
            actor=request.user,
            rows=[row for _, row in found],
            request=request,
            today=patient_today(request),
        )
    except BackfillError as error:
        _put_row_errors(table, positions, error.rows)
        return [error.messages[0]]
    except ValidationError as error:
        return list(error.messages)
    return []


def _preview_upload(
    request: AuthedRequest, rx: Prescription, upload: BackfillUploadForm
) -> tuple[BaseBackfillFormSet, list[str]]:
    """The uploaded rows in the table, each with its problems; nothing is written."""
    table = BackfillFormSet(formset_data(upload.cleaned_data["file"]))
    if not table.is_valid():
        return table, ["Check the rows marked below, then save."]
    found = table.rows()
    rows = [row for _, row in found]
    errors = backfill_problems(prescription=rx, rows=rows, today=patient_today(request))
    _put_row_errors(table, [index for index, _ in found], errors)
    if errors:
        return table, ["Check the rows marked below, then save."]
    return table, []


@patient_required
@prescription_required
def injection_backfill(request: AuthedRequest, rx: Prescription) -> HttpResponse:
    upload = BackfillUploadForm()
    problems: list[str] = []
    uploaded = False
    if request.method == "POST" and "upload" in request.POST:
        upload = BackfillUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            table, problems = _preview_upload(request, rx, upload)
            uploaded = True
        else:
            table = BackfillFormSet(initial=blank_rows(_table_size(request)))
    elif request.method == "POST":
        table = BackfillFormSet(request.POST)
        if table.is_valid():
            problems = _save(request, rx, table)
            if not problems:
                count = len(table.rows())
                noun = "injection is" if count == 1 else "injections are"
                messages.success(request, f"{count} past {noun} in your history now.")
                return redirect("schedules:history")
        else:
            problems = ["Check the rows marked below. Nothing was saved."]
    else:
        table = BackfillFormSet(initial=blank_rows(_table_size(request)))
    failed = bool(problems) or bool(upload.errors)
    return render(
        request,
        "schedules/backfill.html",
        {
            "rx": rx,
            "table": table,
            "upload": upload,
            "problems": problems,
            "uploaded": uploaded,
            "more_rows": min(len(table.forms) + TABLE_ROWS, MAX_ROWS),
        },
        status=400 if failed else 200,
    )
