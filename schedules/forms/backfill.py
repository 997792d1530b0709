"""Back-fill forms: a table of past injections (date, site, who gave it) and a CSV upload.

They read rows; the back-fill service judges them and writes all of them or none.
"""

from __future__ import annotations

import csv
import io
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile

from schedules.choices import GivenBy, Site
from schedules.services.backfill import MAX_ROWS, BackfillRow

from .fields import date_field

TABLE_ROWS = 6
MAX_CSV_BYTES = 100_000
CSV_HEADER = ("date", "site", "given_by")


class BackfillRowForm(forms.Form):
    given_on = date_field("Date", required=False)
    site = forms.ChoiceField(
        label="Site (optional)",
        choices=[("", "Not recorded"), *Site.choices],
        required=False,
        error_messages={"invalid_choice": "“%(value)s” is not a site on the list."},
    )
    given_by = forms.ChoiceField(
        label="Given by (optional)",
        choices=[("", "As usual"), *GivenBy.choices],
        required=False,
        error_messages={"invalid_choice": "“%(value)s” is not one of: self, carer, nurse."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "given_on" else "form-select"

    def row(self) -> BackfillRow | None:
        """The row, or None when it was left empty."""
        data = self.cleaned_data
        if not any(data.get(name) for name in ("given_on", "site", "given_by")):
            return None
        return BackfillRow(
            given_on=data.get("given_on"),
            site=data.get("site", ""),
            given_by=data.get("given_by", ""),
        )


class BaseBackfillFormSet(forms.BaseFormSet[BackfillRowForm]):
    def rows(self) -> list[tuple[int, BackfillRow]]:
        """Each filled row with its position in the table."""
        found = [(index, form.row()) for index, form in enumerate(self.forms)]
        return [(index, row) for index, row in found if row is not None]


BackfillFormSet = cast(
    type[BaseBackfillFormSet],
    forms.formset_factory(
        BackfillRowForm,
        formset=BaseBackfillFormSet,
        extra=0,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    ),
)


class BackfillUploadForm(forms.Form):
    file = forms.FileField(
        label="A CSV file of past injections",
        help_text="One injection a line: date (such as 2025-03-17), then optionally the site "
        "and who gave it. A first line of headings is fine.",
        error_messages={"required": "Choose a CSV file to upload."},
    )

    def clean_file(self) -> list[dict[str, str]]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(f"That file is too large: at most {MAX_CSV_BYTES} bytes.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("That file is not a CSV text file.") from None
        rows = parse_csv(text)
        if not rows:
            raise forms.ValidationError("That file has no injections in it.")
        if len(rows) > MAX_ROWS:
            raise forms.ValidationError(f"That file has more than {MAX_ROWS} injections.")
        return rows


def parse_csv(text: str) -> list[dict[str, str]]:
    """Each non-empty line as table data (date, site, given_by), headings skipped. Sites and
    people may be written as their codes or as the words the pages show."""
    rows = []
    for cells in csv.reader(io.StringIO(text)):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if cells[0].lower() in CSV_HEADER[:1]:
            continue
        cells += [""] * (3 - len(cells))
        rows.append(
            {
                "given_on": cells[0],
                "site": _code(cells[1], Site.choices),
                "given_by": _code(cells[2], GivenBy.choices),
            }
        )
    return rows


def _code(value: str, choices: list[tuple[str, str]]) -> str:
    for code, label in choices:
        if value.lower() in (code.lower(), str(label).lower()):
            return code
    return value  # left as typed: the table shows it as a problem


def formset_data(rows: list[dict[str, str]], prefix: str = "form") -> dict[str, Any]:
    """Bound data for the table from parsed rows (as if typed in)."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(MAX_ROWS),
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def blank_rows(count: int = TABLE_ROWS) -> list[dict[str, str]]:
    return [{"given_on": "", "site": "", "given_by": ""} for _ in range(count)]
