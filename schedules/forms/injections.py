"""Injection forms: logging an injection, correcting one and voiding one.

Owns the site choices by route, the future-date limit, the values passed to the services and
the warning for an expired ampoule; the service's own check runs beside the fields' checks, so
every problem comes back in one round.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django import forms

from schedules import units
from schedules.choices import IM_SITES, SC_SITES, GivenBy, Route

from .fields import DATE_FORMAT, TimeInput, choice_field, date_field, whole_number

# Answers, for the values it is given, what is wrong with them, by field name.
Check = Callable[[Mapping[str, Any]], dict[str, list[str]]]
CHECKED = ("given_on", "given_at", "site", "dose_mcg", "expiry")
TOO_SOON_NOTE = (
    "This is too close to another injection. Change the date, or tick the box above to "
    "confirm you had it."
)


def expired_on(given_on: date, expiry: date | None) -> date | None:
    """The expiry date of an ampoule used after it, None when it was in date (or not given).
    Such an injection is recorded as it happened, never refused."""
    return expiry if expiry is not None and expiry < given_on else None


def expired_note(expiry: date, given_on: date) -> str:
    """The warning shown beside the expiry date of an ampoule used after it."""
    return (
        f"That ampoule had expired on {_day(expiry, given_on)}. The injection is still recorded "
        "when you save; your care team can advise."
    )


def expired_message(expiry: date, given_on: date) -> str:
    """The message after saving an injection from an expired ampoule."""
    day = _day(expiry, given_on)
    return f"Saved. That ampoule had expired on {day}; your care team can advise."


def _day(day: date, near: date) -> str:
    return f"{day:%-d %b}" if day.year == near.year else f"{day:%-d %b %Y}"


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
        label="Notes (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label="Yes, I really had this injection: record it as an extra one", required=False
    )
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(
        self,
        *args: Any,
        route: str,
        today: date,
        check: Check | None = None,
        too_soon: Callable[[date], str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        sites = IM_SITES if route == Route.IM else SC_SITES
        choice_field(self, "site").choices = [(site.value, site.label) for site in sites]
        self.fields["given_on"].widget.attrs["max"] = today.strftime(DATE_FORMAT)
        self.too_soon = ""  # the explanation, once a save was refused as too soon
        self.check = check
        self.too_soon_question = too_soon
        self.expiry_warning = ""

    def ask_to_confirm(self, explanation: str) -> None:
        """The full explanation goes above the form with the confirm box; a short note by the
        date."""
        self.too_soon = explanation
        self.add_error("given_on", TOO_SOON_NOTE)

    def clean(self) -> dict[str, Any]:
        """Also ask the service's check about the fields that could be read, so every problem
        is shown in one round rather than the service's only once the fields are right."""
        data = super().clean() or {}
        readable = {name: data[name] for name in CHECKED if name in data}
        if self.check is not None:
            for name, problems in self.check(readable).items():
                for problem in problems:
                    self.add_error(name if name in self.fields else None, problem)
        self._ask_too_soon(data)
        given_on = data.get("given_on")
        if given_on and (expired := expired_on(given_on, data.get("expiry"))):
            self.expiry_warning = expired_note(expired, given_on)
            self.fields["expiry"].widget.attrs["aria-describedby"] = "id_expiry_warning"
        return data

    def _ask_too_soon(self, data: dict[str, Any]) -> None:
        """When the form comes back anyway, the too-soon question comes with it rather than
        in a round of its own (the service asks again when it writes)."""
        given_on, ask = data.get("given_on"), self.too_soon_question
        if not (self.errors and given_on and ask) or data.get("confirm"):
            return
        if explanation := ask(given_on):
            self.ask_to_confirm(explanation)

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
