"""The nurse appointment form: the date booked, with an optional time and place.

It parses what was typed; appointment_book judges the date against the dose's window.
"""

from __future__ import annotations

from datetime import date, time
from typing import TypedDict

from django import forms

from .fields import TimeInput, date_field


class AppointmentValues(TypedDict):
    on: date
    at: time | None
    place: str


class AppointmentForm(forms.Form):
    on = date_field("Date of the appointment")
    at = forms.TimeField(
        label="Time (optional)",
        required=False,
        widget=TimeInput(),
        error_messages={"invalid": "Enter a time such as 10:30, or leave it empty."},
    )
    place = forms.CharField(
        label="Where (optional)",
        max_length=120,
        required=False,
        help_text="The surgery or clinic, as you would tell a friend.",
    )

    def values(self) -> AppointmentValues:
        data = self.cleaned_data
        return {"on": data["on"], "at": data["at"], "place": data["place"]}
