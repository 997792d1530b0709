"""The one-tap answer form: the date given (today by default) and the site (the suggestion by
default). Both are checked again by the service, which has the final word."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from schedules.forms.fields import DATE_FORMAT, date_field
from schedules.models import Dose
from schedules.selectors import SiteUse


class TakenForm(forms.Form):
    given_on = date_field("Given on")
    site = forms.ChoiceField(
        label="Where did you inject?",
        error_messages={"required": "Pick the place you injected."},
    )

    def __init__(
        self, *args: Any, dose: Dose, today: date, sites: list[SiteUse], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(use.site, _label(use)) for use in sites]
        attrs = self.fields["given_on"].widget.attrs
        attrs["min"] = dose.earliest.strftime(DATE_FORMAT)
        attrs["max"] = min(dose.latest, today).strftime(DATE_FORMAT)


def _label(use: SiteUse) -> str:
    if use.suggested:
        return f"{use.label} (suggested)"
    return use.label
