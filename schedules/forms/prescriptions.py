"""Prescription forms: the wizard's regimen and label steps, custom phases, edit and stop.

Owns the mg-for-mcg checks on a label and turning custom phase fields into engine phases.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms

from schedules import engine, units
from schedules.choices import Cause, GivenBy, Product, Route
from schedules.services.joining import Joining

from .fields import choice_field, date_field, whole_number
from .joining import DateListField, Stage, clean_neuro, neuro_check, neuro_unchanged

CUSTOM = "custom"
MAX_COUNT = 60
TEXT_MAX = 2000  # the monitoring plan, the triggers and the notes (as the model says)


class RegimenForm(forms.Form):
    """Step 1 of the wizard: which schedule the clinician gave."""

    regimen = forms.ChoiceField(
        label="Which schedule did your clinician give you?",
        widget=forms.RadioSelect,
        error_messages={"required": "Pick the schedule you were given, or “Something else”."},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "regimen").choices = [*choices, (CUSTOM, "Something else")]


def _check_units(form: forms.Form, data: Mapping[str, Any]) -> None:
    """Catch mg-for-mcg and similar slips next to the field, before any service runs."""
    dose, strength = data.get("dose_mcg"), data.get("strength_mcg_per_ml")
    if dose is not None:
        for problem in units.dose_problems(dose):
            form.add_error("dose_mcg", problem)
    if strength is not None:
        for problem in units.strength_problems(strength):
            form.add_error("strength_mcg_per_ml", problem)
    if dose and strength and "dose_mcg" not in form.errors:
        for problem in units.volume_problems(dose, strength):
            form.add_error("dose_mcg", problem)


class MedicineForm(forms.Form):
    """What is on the prescription label; shared by adding and changing a prescription."""

    product = forms.ChoiceField(label="Medicine", choices=Product.choices)
    brand = forms.CharField(label="Brand (optional)", max_length=80, required=False)
    strength_mcg_per_ml = whole_number(
        "Strength, in micrograms (mcg) per mL",
        min_value=1,
        help_text="On the ampoule or box. Most say 1 mg in 1 mL, which is 1000 mcg per mL.",
    )
    dose_mcg = whole_number(
        "Dose per injection, in micrograms (mcg)",
        min_value=1,
        help_text="1 mg is 1000 mcg. Most people have 1000 mcg each time.",
    )
    route = forms.ChoiceField(
        label="How it is injected", choices=Route.choices, widget=forms.RadioSelect
    )
    cause = forms.ChoiceField(label="Cause of the deficiency", choices=Cause.choices)
    neuro = forms.TypedChoiceField(
        label="Did you have nerve symptoms (tingling, numbness, unsteadiness, memory problems)?",
        choices=[("no", "No"), ("yes", "Yes")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    lifelong = forms.BooleanField(
        label="My clinician said this is for life", required=False, initial=False
    )
    given_by = forms.ChoiceField(
        label="Who usually gives the injection?", choices=GivenBy.choices, widget=forms.RadioSelect
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        _check_units(self, self.cleaned_data)
        return self.cleaned_data


class PhaseFields:
    """A custom phase as three small fields: every N units, for a number of doses."""

    UNITS = [
        ("day", "days"),
        ("week", "weeks"),
        ("month", "months"),
        ("mwf", "Mondays, Wednesdays and Fridays"),
    ]


class PrescriptionForm(MedicineForm):
    """Step 2 of the wizard: the label details, where the patient is in the course, the start
    date and (custom) the phases."""

    regimen = forms.CharField(widget=forms.HiddenInput, max_length=40)
    stage = forms.ChoiceField(
        label="Which is true for you?",
        choices=Stage.CHOICES,
        initial=Stage.START,
        required=False,  # left out, as by an older page: starting on the start date
        widget=forms.RadioSelect,
    )
    start_date = date_field(
        "Start date",
        required=False,
        help_text="Usually the day of your first injection. For a Monday, Wednesday and Friday "
        "schedule, the first dose is the first of those days from this date.",
    )
    loading_had = whole_number(
        "How many loading injections have you had?",
        min_value=1,
        max_value=MAX_COUNT,
        required=False,
    )
    last_given = date_field(
        "Date of your last injection",
        required=False,
        help_text="Your next dates are worked out from it.",
    )
    joined_every = whole_number(
        "Months between your maintenance injections (optional)",
        min_value=1,
        max_value=12,
        required=False,
        help_text="Leave it empty to keep your schedule's maintenance interval.",
    )
    taken = DateListField(required=False, label="Past dates you had")
    past_reviewed = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4400)
    loading_every = whole_number(
        "Loading: one injection every", min_value=1, max_value=31, required=False
    )
    loading_unit = forms.ChoiceField(
        label="Loading: unit", choices=PhaseFields.UNITS, required=False, initial="day"
    )
    loading_count = whole_number(
        "Loading: number of injections",
        min_value=1,
        max_value=MAX_COUNT,
        required=False,
        help_text="Leave the loading fields empty if you start straight on maintenance.",
    )
    maintenance_every = whole_number(
        "Maintenance: one injection every", min_value=1, max_value=12, required=False
    )
    maintenance_every_max = whole_number(
        "Maintenance: or up to (optional)",
        min_value=2,
        max_value=12,
        required=False,
        help_text="For a range such as “every 2 to 3 months”, enter 3 here.",
    )
    maintenance_unit = forms.ChoiceField(
        label="Maintenance: unit", choices=PhaseFields.UNITS[:3], required=False, initial="month"
    )

    CUSTOM_FIELDS = (
        "loading_every",
        "loading_unit",
        "loading_count",
        "maintenance_every",
        "maintenance_every_max",
        "maintenance_unit",
    )

    def __init__(self, *args: Any, regimen: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regimen"].initial = regimen
        self.is_custom = regimen == CUSTOM
        if not self.is_custom:
            for name in self.CUSTOM_FIELDS:
                del self.fields[name]
        neuro_check(self, regimen)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        clean_neuro(self, data)
        self._clean_stage(data)
        if self.is_custom:
            self._clean_custom(data)
        return data

    NEEDS: dict[str, tuple[str, ...]] = {
        Stage.START: ("start_date",),
        Stage.LOADING: ("loading_had", "last_given"),
        Stage.MAINTENANCE: ("last_given",),
    }

    def _clean_stage(self, data: dict[str, Any]) -> None:
        data["stage"] = data.get("stage") or Stage.START
        for name in self.NEEDS.get(data.get("stage") or "", ()):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, "Fill this in for where you are in the treatment.")

    def _typed(self, name: str) -> bool:
        """Whether anything was typed into a field (valid or not)."""
        return bool(str(self.data.get(self.add_prefix(name), "")).strip())

    def _clean_custom(self, data: dict[str, Any]) -> None:
        if not self._typed("maintenance_every"):
            self.add_error("maintenance_every", "Say how often the maintenance injections are.")
        for name, other in (("loading_every", "loading_count"), ("loading_count", "loading_every")):
            if self._typed(other) and not self._typed(name):
                self.add_error(name, "Fill in both loading fields, or leave both empty.")
        high, low = data.get("maintenance_every_max"), data.get("maintenance_every")
        if high and low and high <= low:
            self.add_error(
                "maintenance_every_max", f"Enter a number above {low}, or leave it empty."
            )
        if not any(name in self.errors for name in self.CUSTOM_FIELDS):
            self._check_phases(data)

    def _check_phases(self, data: dict[str, Any]) -> None:
        """Refuse what the engine would refuse (such as every 2 for set weekdays), by its field."""
        # The dose is checked on its own field; a stand-in keeps it out of these messages.
        specs = _custom_specs(data, dose=1000)
        fields = [f"{kind}_every" for kind in ("loading", "maintenance")][-len(specs) :]
        for problem in engine.validate_phases(specs):
            number, _, text = problem.removeprefix("Phase ").partition(": ")
            if not number.isdigit() or not text:
                self.add_error(None, problem)
                continue
            name = fields[int(number) - 1]
            message = text[0].upper() + text[1:]
            if data.get(name.replace("every", "unit")) == "mwf":
                message += " For Mondays, Wednesdays and Fridays, enter 1."
            self.add_error(name, message)

    WIZARD_FIELDS = (
        "regimen",
        "stage",
        "loading_had",
        "last_given",
        "joined_every",
        "taken",
        "past_reviewed",
        "neuro_checked",
    )

    def joining(self) -> Joining | None:
        """Where a patient joining part-way is; None for one starting on the start date."""
        data = self.cleaned_data
        if data["stage"] == Stage.START:
            return None
        return Joining(
            stage=data["stage"],
            last_given=data["last_given"],
            loading_had=data.get("loading_had") or 0,
            every_months=data.get("joined_every") if data["stage"] == Stage.MAINTENANCE else None,
        )

    def create_args(self) -> dict[str, Any]:
        """Arguments for prescription_create."""
        data = dict(self.cleaned_data)
        for name in (*self.CUSTOM_FIELDS, *self.WIZARD_FIELDS):
            data.pop(name, None)
        data |= {"joining": self.joining(), "past_taken": self.cleaned_data["taken"]}
        if self.is_custom:
            return data | {"phases": self.phase_specs()}
        return data | {"regimen_slug": self.cleaned_data["regimen"]}

    def plan_args(self) -> dict[str, Any]:
        """Arguments for prescription_plan_input: what the preview and saving plan from."""
        data = self.cleaned_data
        return {
            "regimen_slug": None if self.is_custom else data["regimen"],
            "phases": self.phase_specs(),
            "dose_mcg": data["dose_mcg"],
            "start_date": data.get("start_date"),
            "joining": self.joining(),
            "past_taken": data["taken"],
        }

    def reviewed(self) -> set[date]:
        """The past dates the patient was last shown (and so answered about)."""
        text = self.cleaned_data.get("past_reviewed") or ""
        days = set()
        for item in text.split(","):
            try:
                days.add(date.fromisoformat(item.strip()))
            except ValueError:
                continue
        return days

    def phase_specs(self) -> list[engine.PhaseSpec] | None:
        """Custom phases from the cleaned data; None for a built-in regimen."""
        if not self.is_custom:
            return None
        return _custom_specs(self.cleaned_data, dose=self.cleaned_data["dose_mcg"])


def _custom_specs(data: dict[str, Any], *, dose: int) -> list[engine.PhaseSpec]:
    specs = []
    if data.get("loading_every"):
        cadence = _cadence(data["loading_unit"] or "day", data["loading_every"], None)
        specs.append(
            engine.PhaseSpec("repletion", cadence, dose, "count", count=data["loading_count"])
        )
    cadence = _cadence(
        data["maintenance_unit"] or "month",
        data["maintenance_every"],
        data.get("maintenance_every_max"),
    )
    specs.append(engine.PhaseSpec("maintenance", cadence, dose, "ongoing"))
    return specs


def _cadence(unit: str, every: int, every_max: int | None) -> engine.Cadence:
    if unit == "mwf":
        # The interval is passed on so that "every 2" is refused, not silently dropped.
        return engine.Cadence("weekday", every, every_max, weekdays=(0, 2, 4))
    if not engine.is_unit(unit):
        # The unit fields' choices are the engine's units and "mwf", so this cannot happen.
        raise ValueError(f"Unknown cadence unit {unit!r}.")
    return engine.Cadence(unit, every, every_max)


class PrescriptionEditForm(MedicineForm):
    def __init__(self, *args: Any, regimen: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        neuro_check(self, regimen)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not neuro_unchanged(self):
            clean_neuro(self, data)
        return data

    # Plain names for "You changed: …" (the labels carry units and "(optional)").
    SHORT_NAMES = {
        "product": "medicine",
        "brand": "brand",
        "strength_mcg_per_ml": "strength",
        "dose_mcg": "dose",
        "route": "how it is injected",
        "cause": "cause",
        "neuro": "nerve symptoms",
        "lifelong": "for life",
        "given_by": "who gives it",
        "monitoring_plan": "monitoring plan",
        "adjustment_triggers": "when to get in touch sooner",
        "notes": "notes",
        "start_date": "start date",
    }

    start_date = date_field(
        "Start date", help_text="It can change only until your first injection is logged."
    )
    monitoring_plan = forms.CharField(
        label="Monitoring plan (optional)",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Which blood tests, and when. For example: B12 and blood count at 3 months.",
    )
    adjustment_triggers = forms.CharField(
        label="When to get in touch sooner (optional)",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: tingling or tiredness coming back before the next dose.",
    )
    notes = forms.CharField(
        label="Notes (optional)",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label="What changed, and why? (optional)",
        max_length=200,
        required=False,
        help_text="For example: new ampoules from the pharmacy.",
    )

    def changes(self) -> dict[str, Any]:
        skip = ("reason", "neuro_checked")
        return {name: value for name, value in self.cleaned_data.items() if name not in skip}


class StopForm(forms.Form):
    reason = forms.CharField(
        label="Why are you stopping this prescription?",
        max_length=200,
        error_messages={"required": "Say why, so the record explains the change."},
        help_text="For example: I picked the wrong schedule, or my clinician changed it.",
    )
