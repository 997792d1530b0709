"""The lab result form: which test, the value and unit as printed, the sample date, the lab's
own range and a note. Field checks only; the service judges the result as a whole."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from monitoring.labs.catalogue import printed, unit_label, units_for
from monitoring.labs.services import LabEntry
from monitoring.models import LabResult, LabTest, LabUnit

NOTE_LENGTH = LabResult._meta.get_field("note").max_length


def _number(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    """A number as a lab prints it: up to 7 digits before the point and 3 after."""
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=10,
        decimal_places=3,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"max_digits": "That number is too long for a lab result."},
    )


class LabResultForm(forms.Form):
    test = forms.ChoiceField(label="Test", choices=[("", "Choose a test"), *LabTest.choices])
    value = _number("Result, as printed on the report")
    unit = forms.ChoiceField(label="Unit", choices=LabUnit.choices)
    taken_on = forms.DateField(
        label="Date the blood sample was taken",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ref_low = _number("Lab's range: low (optional)", required=False)
    ref_high = _number(
        "Lab's range: high (optional)",
        required=False,
        help_text="In the same unit as the result, as the report prints it.",
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ChoiceField)
        test = self.data.get("test") if self.is_bound else self.initial.get("test")
        if test in LabTest.values:
            # Only the chosen test's units are offered; a script swaps them when the test
            # changes, and the service refuses any other unit by name.
            unit.widget.choices = [(code, unit_label(code)) for code in units_for(test)]

    def entry(self) -> LabEntry:
        data = self.cleaned_data
        return LabEntry(
            test=data["test"],
            value=data["value"],
            unit=data["unit"],
            taken_on=data["taken_on"],
            ref_low=data["ref_low"],
            ref_high=data["ref_high"],
            note=data["note"],
        )


def units_by_test() -> dict[str, list[list[str]]]:
    """For the page's script: each test's units as [code, label] pairs."""
    return {test: [[code, unit_label(code)] for code in units_for(test)] for test in LabTest.values}


def initial_from(result: LabResult) -> dict[str, object]:
    """The form filled in from a stored result, its numbers as the lab printed them."""
    names = ("test", "value", "unit", "taken_on", "ref_low", "ref_high", "note")
    values = {name: getattr(result, name) for name in names}
    return {k: printed(v) if isinstance(v, Decimal) else v for k, v in values.items()}
