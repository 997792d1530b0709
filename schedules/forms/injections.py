"""Injection forms: logging an injection, correcting one and voiding one.

Owns the site choices by route, the future-date limit and the values passed to the services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from schedules import units
from schedules.choices import IM_SITES, SC_SITES, GivenBy, Route

from .fields import DATE_FORMAT, TimeInput, choice_field, date_field, whole_number


class InjectionForm(forms.Form):
    given_on = date_field("Date given")
    given_at = forms.TimeField(
        label="Time (optional)",
        required=False,
        widget=TimeInput(),
        error_messages={"invalid": "Enter a time such as 09:30, or leave it empty."},
    )
    site = forms.ChoiceField(
        label="Where did you inject?",
        widget=forms.RadioSelect,
        error_messages={"required": "Pick the place you injected, on the map or in the list."},
    )
    given_by = forms.ChoiceField(
        label="Who gave it?", choices=GivenBy.choices, widget=forms.RadioSelect
    )
    dose_mcg = whole_number(
        "Dose, in micrograms (mcg)",
        min_value=1,
        help_text="As prescribed unless you were told otherwise. 1 mg is 1000 mcg.",
    )
    lot = forms.CharField(label="Batch (lot) number (optional)", max_length=40, required=False)
    expiry = date_field("Expiry date on the ampoule (optional)", required=False)
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(
        label="Yes, I really had this injection: record it as an extra one", required=False
    )
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, route: str, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = IM_SITES if route == Route.IM else SC_SITES
        choice_field(self, "site").choices = [(site.value, site.label) for site in sites]
        self.fields["given_on"].widget.attrs["max"] = today.strftime(DATE_FORMAT)
        self.too_soon = ""  # the explanation, once a save was refused as too soon

    def clean_dose_mcg(self) -> int:
        dose: int = self.cleaned_data["dose_mcg"]
        problems = units.dose_problems(dose)
        if problems:
            raise forms.ValidationError(problems)
        return dose

    def values(self) -> dict[str, Any]:
        """Arguments for injection_log / injection_correct."""
        data = self.cleaned_data
        names = ("given_on", "given_at", "site", "given_by", "dose_mcg", "lot", "expiry", "notes")
        return {name: data[name] for name in names}


class CorrectionForm(InjectionForm):
    reason = forms.CharField(
        label="What was wrong with the original entry?",
        max_length=200,
        error_messages={"required": "Say what was wrong, so the record explains the change."},
        help_text="For example: wrong date, or I picked the wrong arm.",
    )
    field_order = ["reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["client_token"]


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Why should this entry be voided?",
        max_length=200,
        error_messages={"required": "Say why, so the record explains what happened."},
        help_text="For example: logged twice by mistake, or I did not have this injection.",
    )
