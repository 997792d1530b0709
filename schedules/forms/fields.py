"""Widgets and field builders shared by the schedule forms: dates, times, whole numbers.

Owns the date format, the friendly error messages and the per-request choice field lookup.
"""

from __future__ import annotations

from typing import Any

from django import forms

DATE_FORMAT = "%Y-%m-%d"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATE_FORMAT)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def date_field(label: str, **kwargs: Any) -> forms.DateField:
    kwargs.setdefault("error_messages", {"invalid": "Enter a date, such as 2025-03-17."})
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


def whole_number(label: str, **kwargs: Any) -> forms.IntegerField:
    kwargs.setdefault(
        "error_messages",
        {
            "invalid": "Enter a whole number, without units or decimal points.",
            "min_value": "That is too small: enter at least %(limit_value)s.",
            "max_value": "That is too large: enter at most %(limit_value)s.",
        },
    )
    kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric"}))
    return forms.IntegerField(label=label, **kwargs)


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """A field whose choices are set per request (the class declares it a ChoiceField)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field
