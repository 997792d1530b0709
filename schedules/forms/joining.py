"""The wizard's questions for a patient who is not starting today: where they are in the
treatment, the past dates they had, and a no-nerve-symptoms schedule chosen with symptoms.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms

from schedules.models import JoinStage


class Stage:
    """The prescription's join stages, in the patient's words."""

    START, LOADING, MAINTENANCE = JoinStage.START, JoinStage.LOADING, JoinStage.MAINTENANCE
    CHOICES = [
        (START, "I am starting now, or started on a date I know"),
        (LOADING, "I am part-way through the loading injections"),
        (MAINTENANCE, "I have finished loading and am on maintenance"),
    ]


# Regimens meant for people without nerve symptoms: a "yes" needs the clinician's word.
NO_NEURO_REGIMENS = frozenset({"bnf-no-neuro"})
NEURO_CHECK_LABEL = "I have checked this schedule with my clinician"
NEURO_MISMATCH = (
    "This schedule is for people without nerve symptoms; with them, loading usually goes on "
    f"for longer. Check with your clinician, then tick “{NEURO_CHECK_LABEL}” to save it as it is."
)
MAX_PAST_DATES = 400  # more dates to tick than a ten-year-old start could give


def neuro_check(form: forms.Form, regimen: str) -> None:
    """The confirmation box, for a regimen that assumes no nerve symptoms."""
    if regimen in NO_NEURO_REGIMENS:
        form.fields["neuro_checked"] = forms.BooleanField(label=NEURO_CHECK_LABEL, required=False)


def clean_neuro(form: forms.Form, data: Mapping[str, Any]) -> None:
    if "neuro_checked" in form.fields and data.get("neuro") and not data.get("neuro_checked"):
        form.add_error("neuro", NEURO_MISMATCH)


def neuro_unchanged(form: forms.Form) -> bool:
    """An answer already saved (and so already confirmed) is not asked about again."""
    return form.initial.get("neuro") in ("yes", True) and "neuro" not in form.changed_data


class DateListField(forms.Field):
    """Ticked dates (ISO), from a list of checkboxes the page draws itself."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[date]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        if len(values) > MAX_PAST_DATES:
            raise forms.ValidationError(f"Tick at most {MAX_PAST_DATES} dates.")
        try:
            return sorted({date.fromisoformat(str(item)[:10]) for item in values})
        except ValueError:
            raise forms.ValidationError("Tick dates from the list.") from None
