"""Forms for carers and dependents: inviting a carer and what they may do, adding a
dependent."""

from __future__ import annotations

from django import forms

from accounts.forms import TimeZoneField

from .models import ALERT_HOURS_MAX, ALERT_HOURS_MIN


class CarerPermissionsForm(forms.Form):
    can_log = forms.BooleanField(
        label="Log injections for me",
        required=False,
        help_text="They can record an injection they gave you (or saw you take).",
    )
    gets_alerts = forms.BooleanField(
        label="Alert them when a dose is not logged in time", required=False
    )
    alert_after_hours = forms.IntegerField(
        label="How many hours into a dose's day to wait before alerting them",
        min_value=ALERT_HOURS_MIN,
        max_value=ALERT_HOURS_MAX,
        initial=12,
        help_text=f"From midnight at the start of the dose's day, {ALERT_HOURS_MIN} to "
        f"{ALERT_HOURS_MAX} hours (12 is midday; 36 is midday the day after).",
        error_messages={
            "invalid": "Enter a whole number of hours.",
            "min_value": f"Enter at least {ALERT_HOURS_MIN} hour.",
            "max_value": f"Enter at most {ALERT_HOURS_MAX} hours (three days).",
        },
    )


class CarerInviteForm(CarerPermissionsForm):
    email = forms.EmailField(
        label="Their email address",
        help_text="They will see your schedule and injections once they accept.",
    )

    field_order = ["email", "can_log", "gets_alerts", "alert_after_hours"]


class DependentForm(forms.Form):
    display_name = forms.CharField(label="Their name", max_length=80)
    time_zone = TimeZoneField(label="Their home time zone", initial="Europe/London")
    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, such as 2015-03-17."},
    )
