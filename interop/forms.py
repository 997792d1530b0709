"""The calendar feed's settings form. It parses only; interop.services writes."""

from django import forms

from .models import CalendarFeed


class CalendarSettingsForm(forms.Form):
    detail_level = forms.ChoiceField(
        label="What each event says",
        choices=CalendarFeed.Detail.choices,
        initial=CalendarFeed.Detail.PLAIN,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what each event says.",
            "invalid_choice": "Choose one of the two.",
        },
    )
    alarm = forms.BooleanField(
        label="Alert me on the day, at my reminder time",
        required=False,
        help_text="Your phone shows the alert; it works even when our reminders are off.",
    )
