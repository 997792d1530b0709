"""The forms of a FHIR import: the resource (a .json file or pasted text, one of the two,
checked before anything is written) and the review of the draft's values before the
prescription starts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from schedules.choices import Cause, Product, Route
from schedules.forms.fields import date_field, whole_number

from .fhir_import.parsing import MAX_BYTES, ResourceError, parse_resource
from .fhir_import.values import DraftValues

JSON = dict[str, Any]
LIFELONG = [("yes", "Yes, for life"), ("no", "No, a set course")]


class ImportForm(forms.Form):
    upload = forms.FileField(
        label="A .json file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
        help_text=f"One FHIR R4 MedicationRequest, at most {MAX_BYTES // 1024} KB.",
    )
    text = forms.CharField(
        label="Or paste the JSON",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "font-monospace"}),
    )

    def _file_text(self, upload: UploadedFile[bytes]) -> str | None:
        if (upload.size or 0) > MAX_BYTES:
            self.add_error("upload", f"This file is larger than {MAX_BYTES // 1024} KB.")
            return None
        try:
            content: bytes = upload.read()
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("upload", "This file is not UTF-8 text. Export it as JSON.")
            return None

    def clean(self) -> JSON:
        data = super().clean() or {}
        upload, text = data.get("upload"), data.get("text") or ""
        if self.errors:
            return data
        if upload and text.strip():
            self.add_error("text", "Upload a file or paste the JSON, not both.")
            return data
        if not upload and not text.strip():
            self.add_error("text", "Upload a .json file or paste the JSON here.")
            return data
        field = "upload" if upload else "text"
        source = self._file_text(upload) if upload else text
        if source is None:
            return data
        try:
            data["resource"] = parse_resource(source)
        except ResourceError as error:
            for message in error.messages:
                self.add_error(field, message)
        return data


class ReviewForm(forms.Form):
    product = forms.ChoiceField(label="Medicine", choices=[("", "Choose…"), *Product.choices])
    strength_mcg_per_ml = whole_number("Strength (mcg per mL)", min_value=1)
    dose_mcg = whole_number("Dose per injection (mcg)", min_value=1)
    route = forms.ChoiceField(label="Route", choices=Route.choices, widget=forms.RadioSelect)
    start_date = date_field("Start date")
    cause = forms.ChoiceField(
        label="Cause of the deficiency", choices=Cause.choices, initial=Cause.UNKNOWN
    )
    lifelong = forms.TypedChoiceField(
        label="Lifelong treatment",
        choices=LIFELONG,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    @staticmethod
    def initial_for(values: DraftValues) -> JSON:
        """The read values; one the resource did not give stays empty for the clinician."""
        initial: JSON = {
            "product": values.product,
            "strength_mcg_per_ml": values.strength_mcg_per_ml,
            "dose_mcg": values.dose_mcg,
            "route": values.route,
            "start_date": values.start_date,
        }
        if values.lifelong is not None:
            initial["lifelong"] = "yes" if values.lifelong else "no"
        return {name: value for name, value in initial.items() if value is not None}
