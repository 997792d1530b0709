"""Forms of the stock page. They parse only; the stock services judge the values (a count
below zero, a past use-by date, another strength) and name the field at fault."""

from decimal import Decimal

from django import forms

NUMBER = {"inputmode": "numeric"}


def _count(label: str, help_text: str = "", minimum: int = 0) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        error_messages={
            "required": "Enter a number of ampoules, such as 5.",
            "invalid": "Enter a whole number of ampoules, such as 5.",
        },
        widget=forms.NumberInput(attrs={**NUMBER, "min": str(minimum)}),
    )


class BatchForm(forms.Form):
    count = _count("Ampoules received", "How many came in this box or prescription.", 1)
    strength_mcg_per_ml = forms.IntegerField(
        label="Strength (mcg per mL)",
        help_text="As printed on the box, such as 1000.",
        error_messages={
            "required": "Enter the strength printed on the box, such as 1000.",
            "invalid": "Enter the strength as a whole number of mcg per mL, such as 1000.",
        },
        widget=forms.NumberInput(attrs=NUMBER),
    )
    ampoule_ml = forms.DecimalField(
        label="Ampoule size (mL)",
        initial=Decimal("1.00"),
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "required": "Enter the size of one ampoule in mL, such as 1.",
            "invalid": "Enter the size of one ampoule in mL, such as 1.",
            "min_value": "An ampoule holds more than 0 mL.",
            "max_digits": "Enter the size of one ampoule in mL, such as 1.",
            "max_decimal_places": "Use at most two decimals, such as 0.5.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    expiry = forms.DateField(
        label="Use by",
        help_text="The expiry date printed on the box.",
        error_messages={
            "required": "Enter the use-by date printed on the box.",
            "invalid": "Enter a date, such as 2027-03-31.",
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    lot = forms.CharField(
        label="Lot or batch number", max_length=40, required=False, help_text="Optional."
    )


class AdjustForm(forms.Form):
    count = _count("Ampoules left now")
    note = forms.CharField(
        label="Why it changed",
        max_length=200,
        required=False,
        help_text="Such as 'counted again' or 'one broke'.",
    )


class DiscardForm(forms.Form):
    note = forms.CharField(
        label="Why you are throwing it away",
        max_length=200,
        required=False,
        help_text="Optional, such as 'expired' or 'recalled'.",
    )


class StockSettingsForm(forms.Form):
    refill_enabled = forms.BooleanField(
        label="Tell me when my ampoules are running low or will expire before I use them",
        required=False,
    )
    refill_doses_ahead = forms.IntegerField(
        label="Remind me when my ampoules cover this many injections or fewer",
        min_value=1,
        max_value=20,
        help_text="Between 1 and 20.",
        error_messages={
            "required": "Choose between 1 and 20 injections.",
            "invalid": "Enter a number of injections, such as 3.",
            "min_value": "Choose between 1 and 20 injections.",
            "max_value": "Choose between 1 and 20 injections.",
        },
        widget=forms.NumberInput(attrs=NUMBER),
    )
    nurse_uses_my_ampoules = forms.BooleanField(
        label="I bring my own ampoules when a nurse gives the injection",
        required=False,
        help_text="Then injections a nurse gives come out of your stock too.",
    )
