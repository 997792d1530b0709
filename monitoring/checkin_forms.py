"""The check-in form (seven symptoms as rows of big buttons, three urgent yes/no questions, a
note) and the form for how often to be asked."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from .models import CHECKIN_NOTE_LENGTH, RED_FLAGS, SYMPTOMS, CheckIn, CheckInPlan, Score

YES_NO = (("no", "No"), ("yes", "Yes"))
# Radios drawn as Bootstrap toggle buttons (label.btn beside input.btn-check).
BUTTONS = {"class": "btn-check", "autocomplete": "off"}


class CheckInForm(forms.Form):
    on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, for example 2025-03-17."},
    )
    note = forms.CharField(
        label="Anything else (optional)",
        required=False,
        max_length=CHECKIN_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].widget.attrs["max"] = today.isoformat()
        for name, words in SYMPTOMS:
            self.fields[name] = forms.TypedChoiceField(
                label=words,
                choices=Score.choices,
                coerce=int,
                initial=Score.NONE,
                widget=forms.RadioSelect(attrs=BUTTONS),
                error_messages={"required": f"Choose how much: {words.lower()}."},
            )
        for name, words in RED_FLAGS:
            self.fields[name] = forms.TypedChoiceField(
                label=words,
                choices=YES_NO,
                coerce=lambda value: value == "yes",
                initial="no",
                widget=forms.RadioSelect(attrs=BUTTONS),
                error_messages={"required": "Choose yes or no."},
            )
        self.order_fields(["on", *(n for n, _ in SYMPTOMS), *(n for n, _ in RED_FLAGS), "note"])

    @property
    def symptom_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in SYMPTOMS]

    @property
    def red_flag_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in RED_FLAGS]

    def values(self) -> dict[str, object]:
        """The answers the service stores (everything but the date)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "on"}


def initial_from(checkin: CheckIn) -> dict[str, object]:
    values: dict[str, object] = {"on": checkin.on, "note": checkin.note}
    values.update({name: getattr(checkin, name) for name, _ in SYMPTOMS})
    values.update({name: "yes" if getattr(checkin, name) else "no" for name, _ in RED_FLAGS})
    return values


class CheckInPlanForm(forms.Form):
    every_days = forms.TypedChoiceField(
        label="Ask me to check in",
        choices=CheckInPlan.Every.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    closer_before_dose = forms.BooleanField(
        label="Ask every 3 days in the 2 weeks before a maintenance dose", required=False
    )
