"""Forms for reminder preferences and SMS verification. They parse and validate only;
reminders.services does the writing."""

from collections.abc import Mapping
from datetime import UTC, datetime

from django import forms
from django.utils import timezone

from accounts.forms import PHONE_HELP, PhoneField, phone_in_zone

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _time(label: str, help_text: str = "") -> forms.TimeField:
    return forms.TimeField(label=label, widget=TIME, help_text=help_text)


class PreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(label="Send reminders by email", required=False)
    sms_enabled = forms.BooleanField(
        label="Send reminders by text message",
        required=False,
        help_text="Needs a confirmed mobile number (see below).",
    )
    upcoming_enabled = forms.BooleanField(label="Remind me the day before", required=False)
    upcoming_time = _time("Day-before reminder time")
    due_enabled = forms.BooleanField(label="Remind me on the day", required=False)
    reminder_time = _time("Day-of reminder time")  # the profile's preferred reminder time
    nudge_enabled = forms.BooleanField(
        label="Nudge me in the evening if today's injection is not logged", required=False
    )
    nudge_time = _time("Evening nudge time")
    missed_enabled = forms.BooleanField(
        label="Tell me when a dose is recorded as missed", required=False
    )
    booking_enabled = forms.BooleanField(
        label="Remind me to book appointments for nurse-given injections", required=False
    )
    checkin_enabled = forms.BooleanField(
        label="Ask me to check in on my symptoms",
        required=False,
        help_text="How often is set on the Symptoms page.",
    )
    lab_due_enabled = forms.BooleanField(
        label="Remind me to book blood tests and reviews", required=False
    )
    booking_days_before = forms.IntegerField(
        label="Days before a nurse-given injection",
        min_value=1,
        max_value=60,
        help_text="Between 1 and 60 days.",
        error_messages={
            "min_value": "Choose between 1 and 60 days.",
            "max_value": "Choose between 1 and 60 days.",
            "invalid": "Enter a number of days, such as 14.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    quiet_start = _time(
        "No texts or phone notifications from",
        "Texts and phone notifications due in the quiet hours wait until they end.",
    )
    quiet_end = _time("No texts or phone notifications until")
    detailed_messages = forms.BooleanField(
        label="Name my medicine and dose in messages",
        required=False,
        help_text="Off by default: anyone who sees your phone or inbox could read it.",
    )

    def __init__(
        self,
        data: Mapping[str, object] | None = None,
        *,
        initial: dict[str, object] | None = None,
        sms_available: bool = False,
    ) -> None:
        super().__init__(data, initial=initial)
        self.sms_available = sms_available

    def clean_sms_enabled(self) -> bool:
        value: bool = self.cleaned_data["sms_enabled"]
        if value and not self.sms_available:
            raise forms.ValidationError("Confirm your mobile number below before turning texts on.")
        return value

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if start is not None and start == end:
            self.add_error(
                "quiet_end",
                "Choose an end time different from the start: quiet hours that start and end "
                "together would be no quiet hours, or all day.",
            )
        return data


class SmsNumberForm(forms.Form):
    mobile = PhoneField(
        label="Mobile number", help_text=f"{PHONE_HELP} We text you a 6-digit code."
    )

    def __init__(
        self,
        data: Mapping[str, object] | None = None,
        *,
        time_zone: str,
        initial: dict[str, object] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.time_zone = time_zone  # a national number is read in this zone's country

    def clean_mobile(self) -> str:
        number = phone_in_zone(self.cleaned_data["mobile"], self.time_zone)
        if not number:
            raise forms.ValidationError("Enter your mobile number.")
        return number


class SmsCodeForm(forms.Form):
    code = forms.RegexField(
        label="Code from the text message",
        regex=r"^\s*\d{6}\s*$",
        max_length=8,
        error_messages={"invalid": "Enter the 6 digits from the text message."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "8"}
        ),
    )


class IdsField(forms.Field):
    """The ticked rows of a list: a list of whole numbers, at least one."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": "Tick at least one failed reminder to retry.",
        "invalid": "Those rows are not reminders.",
    }

    def to_python(self, value: object) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(str(item)) for item in values]
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class RetrySelectedForm(forms.Form):
    ids = IdsField(label="Failed reminders")


class RetryAfterForm(forms.Form):
    failed_after = forms.DateTimeField(
        label="Failed after (UTC)",
        help_text="Every reminder whose last failure came after this time goes back in the queue.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Enter the time the failures started, such as 2026-06-11 09:30.",
            "invalid": "Enter a date and time, such as 2026-06-11 09:30.",
        },
    )

    def clean_failed_after(self) -> datetime:
        value: datetime = self.cleaned_data["failed_after"]
        # The page works in UTC whatever the server's zone: read the wall clock as UTC.
        value = timezone.make_naive(value).replace(tzinfo=UTC)
        if value > timezone.now():
            raise forms.ValidationError("That time is in the future: nothing has failed after it.")
        return value
