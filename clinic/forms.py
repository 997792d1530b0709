"""Forms for the clinician pages: list filters, the prescription amendment, ending a loading
phase, a new maintenance interval, and notes on flags and records. They parse; services decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms

from monitoring.actions import NOTE_MAX
from monitoring.models import Flag
from schedules.engine import Cadence
from schedules.models import Cause, GivenBy, PhaseKind, Prescription, Product, Route
from schedules.services import TREATMENT_FIELDS

from .selectors.metrics import Band
from .selectors.patients import Filters

DATE_FORMAT = "%Y-%m-%d"
WHOLE = {
    "invalid": "Enter a whole number, without units or decimal points.",
    "min_value": "That is too small: enter at least %(limit_value)s.",
    "max_value": "That is too large: enter at most %(limit_value)s.",
}

# The prescription's free texts: a few paragraphs at most.
TEXT_MAX = 2000
TOO_LONG = {
    "max_length": "Keep this under %(limit_value)d characters (it has %(show_value)d).",
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format=DATE_FORMAT)


class PatientFilterForm(forms.Form):
    q = forms.CharField(label="Name or email starts with", max_length=80, required=False)
    phase = forms.ChoiceField(
        label="Current phase", choices=[("", "Any phase"), *PhaseKind.choices], required=False
    )
    flag = forms.ChoiceField(
        label="Open flag", choices=[("", "Any or none"), *Flag.Kind.choices], required=False
    )
    band = forms.ChoiceField(
        label="Adherence, last 90 days", choices=[("", "Any"), *Band.choices], required=False
    )

    def filters(self) -> Filters:
        """The valid filters; a value that is not one of the choices is ignored (and shown)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return Filters(
            q=(data.get("q") or "").strip(),
            phase=data.get("phase") or "",
            flag=data.get("flag") or "",
            band=data.get("band") or "",
        )


class FlagFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Not yet resolved"), *Flag.Status.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "Any"), *Flag.Kind.choices], required=False
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the note before saving it."},
    )


class FlagAcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FlagResolveForm(forms.Form):
    note = forms.CharField(
        label="What was done (needed to resolve)",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what was done before resolving the flag."},
    )


class PhaseCloseForm(forms.Form):
    closed_on = forms.DateField(
        label="Last day of loading",
        widget=DateInput(),
        help_text="Loading doses after this date are cancelled; maintenance starts one interval "
        "after the last loading dose.",
        error_messages={
            "required": "Enter the last day of loading.",
            "invalid": "Enter a date, such as 2025-03-17.",
        },
    )


class IntervalForm(forms.Form):
    every = forms.IntegerField(
        label="Every",
        min_value=1,
        max_value=24,
        error_messages={
            **WHOLE,
            "required": "Enter the interval.",
            "min_value": "The interval must be at least 1: zero would mean no gap between doses.",
        },
    )
    every_max = forms.IntegerField(
        label="Up to (optional, for a range such as every 2–3 months)",
        min_value=2,
        max_value=24,
        required=False,
        error_messages=WHOLE,
    )
    unit = forms.ChoiceField(
        label="Unit", choices=[("month", "months"), ("week", "weeks"), ("day", "days")]
    )
    reason = forms.CharField(label="Reason (optional)", max_length=200, required=False)
    # Shown only after an interval outside the built-in regimens' range was refused: the box
    # confirms the interval named in `confirmed_for`, the one whose consequence was shown.
    confirm = forms.BooleanField(label="Yes, I mean this interval", required=False)
    confirmed_for = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)

    asks_confirmation = False

    def clean(self) -> dict[str, object]:
        super().clean()
        every, every_max = self.cleaned_data.get("every"), self.cleaned_data.get("every_max")
        if every and every_max is not None and every_max <= every:
            self.add_error("every_max", "The end of a range must be more than its start.")
        return self.cleaned_data

    def cadence(self) -> Cadence:
        data = self.cleaned_data
        return Cadence(data["unit"], data["every"], data["every_max"])

    def confirms(self, key: str) -> bool:
        return bool(self.cleaned_data["confirm"]) and self.cleaned_data["confirmed_for"] == key

    def ask_to_confirm(self, key: str, consequence: str) -> None:
        """Refuse with the consequence beside the interval and show the box, unticked, bound to
        this interval (a different one asks again)."""
        self.asks_confirmation = True
        self.add_error("every", consequence)
        data = {name: value for name, value in self.data.items() if name != "confirm"}
        self.data = {**data, "confirmed_for": key}


class PrescriptionAmendForm(forms.Form):
    product = forms.ChoiceField(label="Medicine", choices=Product.choices)
    brand = forms.CharField(label="Brand (optional)", max_length=80, required=False)
    strength_mcg_per_ml = forms.IntegerField(
        label="Strength (mcg per mL)", min_value=1, error_messages=WHOLE
    )
    dose_mcg = forms.IntegerField(
        label="Dose per injection (mcg)", min_value=1, error_messages=WHOLE
    )
    route = forms.ChoiceField(label="Route", choices=Route.choices, widget=forms.RadioSelect)
    cause = forms.ChoiceField(label="Cause of the deficiency", choices=Cause.choices)
    neuro = forms.BooleanField(label="Neurological involvement", required=False)
    lifelong = forms.BooleanField(label="Lifelong treatment", required=False)
    given_by = forms.ChoiceField(
        label="Who gives the injection", choices=GivenBy.choices, widget=forms.RadioSelect
    )
    monitoring_plan = forms.CharField(
        label="Monitoring plan",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=TOO_LONG,
    )
    adjustment_triggers = forms.CharField(
        label="Adjustment triggers",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=TOO_LONG,
    )
    notes = forms.CharField(
        label="Notes the patient sees",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=TOO_LONG,
    )
    reason = forms.CharField(
        label="Reason for the change",
        max_length=200,
        required=False,
        help_text="Kept with the previous version of the prescription.",
    )

    FIELDS = TREATMENT_FIELDS  # every detail but the start date

    @classmethod
    def initial_for(cls, prescription: Prescription) -> dict[str, object]:
        return {name: getattr(prescription, name) for name in cls.FIELDS}

    def changes(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


@dataclass
class FlagItem:
    """A flag with its three small forms, their ids prefixed so that many fit on one page;
    `failed` names the form whose action was refused (its panel opens on its error)."""

    flag: Flag
    acknowledge: forms.Form
    resolve: forms.Form
    note: forms.Form
    failed: str = ""


# A flag whose action was refused: the flag, which of its forms, and that form with its errors.
FailedFlag = tuple[Flag, str, forms.Form]


def flag_items(flags: Iterable[Flag], failed: FailedFlag | None = None) -> list[FlagItem]:
    items = []
    for flag in flags:
        by_name: dict[str, forms.Form] = {
            "acknowledge": FlagAcknowledgeForm(auto_id=f"flag{flag.pk}_ack_%s"),
            "resolve": FlagResolveForm(auto_id=f"flag{flag.pk}_resolve_%s"),
            "note": NoteForm(auto_id=f"flag{flag.pk}_note_%s"),
        }
        refused = ""
        if failed is not None and failed[0].pk == flag.pk:
            refused, form = failed[1], failed[2]
            # The page opens on the refused note, which its error message describes.
            form.fields["note"].widget.attrs["autofocus"] = True
            by_name[refused] = form
        items.append(FlagItem(flag, **by_name, failed=refused))
    return items
