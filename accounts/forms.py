"""Forms for sign-up, log-in, profiles and invitations. They parse and validate only;
services do the writing."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from . import outgoing
from .models import User
from .phones import place_zones, to_e164
from .validators import KNOWN_TIME_ZONES, looks_like_token

# Longer than any passphrase a person or a password manager makes; hashing megabytes is not.
PASSWORD_MAX_LENGTH = 256

UNKNOWN_ZONE = "Pick a time zone from the list, such as Europe/London or America/New_York."
# Offered first, in this order: where most patients live.
COMMON_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "Australia/Sydney",
    "Australia/Perth",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Asia/Singapore",
    "Africa/Johannesburg",
    "UTC",
)


def zone_label(zone: str) -> str:
    """The place first, as in "London (Europe/London)", so typing a city's first letters
    finds it."""
    place = zone.rsplit("/", 1)[-1].replace("_", " ")
    return place if place == zone else f"{place} ({zone})"


def _listed_zones() -> list[str]:
    """Every zone a place has (zone.tab) and UTC; aliases such as US/Eastern or GB stay
    accepted but are not offered."""
    return sorted({*place_zones(), "UTC"} & KNOWN_TIME_ZONES)


def zone_choices(extra: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Common zones first, then each region's, by place name; `extra` (a saved zone that is
    not offered, such as US/Eastern) is listed too, so that saving keeps it."""
    groups: dict[str, list[str]] = {}
    for zone in _listed_zones():
        if zone not in COMMON_ZONES:
            groups.setdefault(zone.split("/", 1)[0], []).append(zone)
    listed = {*COMMON_ZONES, *(zone for zones in groups.values() for zone in zones)}
    if extra and extra in KNOWN_TIME_ZONES and extra not in listed:
        groups["Other"] = [extra]
    labelled = [("Common time zones", [(zone, zone_label(zone)) for zone in COMMON_ZONES])]
    for region in sorted(groups):
        zones = sorted(groups[region], key=zone_label)
        labelled.append((region, [(zone, zone_label(zone)) for zone in zones]))
    return labelled


class TimeZoneField(forms.ChoiceField):
    """A select of readable zones ("London (Europe/London)"), common ones first; any known
    zone is accepted. With `browser_zone`, static/js/timezone.js picks the browser's zone
    while the field is untouched."""

    def __init__(
        self, *, label: str, initial: str | None = None, browser_zone: bool = False
    ) -> None:
        attrs = {"data-browser-zone": "true"} if browser_zone else {}
        super().__init__(
            label=label,
            initial=initial,
            choices=zone_choices(),
            error_messages={"invalid_choice": UNKNOWN_ZONE},
            help_text="Doses and reminders follow the calendar of this zone. Type a city to jump "
            "to it.",
            widget=forms.Select(attrs=attrs),
        )

    def valid_value(self, value: str) -> bool:
        return value in KNOWN_TIME_ZONES

    def offer(self, zone: object) -> None:
        """List a saved zone that the list does not offer, so the page shows it selected."""
        if isinstance(zone, str):
            self.choices = zone_choices(extra=zone)


class TelInput(forms.TextInput):
    input_type = "tel"


class PhoneField(forms.CharField):
    """A phone number as typed (national or international); the form reads it in the country
    of the home time zone with `phone_in_zone` and keeps it in E.164."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("widget", TelInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)  # type: ignore[arg-type]


def phone_in_zone(typed: str, time_zone: object) -> str:
    return to_e164(typed, time_zone=time_zone if isinstance(time_zone, str) else None)


PHONE_HELP = "As you dial it at home (07700 900123), or in international form (+447700900123)."


class InviteTokenField(forms.CharField):
    """A mangled invitation token (a NUL byte, an overlong string) is no invitation: the
    sign-up goes on without it rather than failing on a field nobody can see."""

    def to_python(self, value: str | None) -> str:
        token = super().to_python(value) or ""
        return token if looks_like_token(token) else ""


class SignupForm(forms.Form):
    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    display_name = forms.CharField(
        label="Your name",
        max_length=80,
        help_text="How the app and your care team address you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    time_zone = TimeZoneField(label="Home time zone", initial="Europe/London", browser_zone=True)
    mobile = PhoneField(
        label="Mobile number (optional)",
        required=False,
        help_text=f"For text reminders. {PHONE_HELP}",
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password or only numbers.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    invite = InviteTokenField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # The zone the patient sent back stays as sent: no browser guess over it.
            self.fields["time_zone"].widget.attrs.pop("data-browser-zone", None)

    def clean_email(self) -> str:
        typed: str = self.cleaned_data["email"]
        return typed.strip().lower()

    def clean_mobile(self) -> str:
        return phone_in_zone(self.cleaned_data["mobile"], self.cleaned_data.get("time_zone"))

    def clean(self) -> dict[str, object]:
        super().clean()
        data = self.cleaned_data
        first, second = data.get("password1"), data.get("password2")
        if first:
            candidate = User(email=data.get("email", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        if first and second and first != second:
            self.add_error("password2", "The two passwords are not the same.")
        return data


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": (
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": "This account is switched off. Ask the practice to switch it back on.",
    }

    def clean_username(self) -> str:
        # Accounts are stored under the lower-case email; people type it in any case.
        typed: str = self.cleaned_data["username"]
        return typed.strip().lower()


class PatientProfileForm(forms.Form):
    display_name = forms.CharField(label="Your name", max_length=80)
    time_zone = TimeZoneField(label="Home time zone")
    mobile = PhoneField(label="Mobile number (optional)", required=False, help_text=PHONE_HELP)
    reminder_time = forms.TimeField(
        label="Preferred reminder time",
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Local time in your home time zone.",
    )
    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Lab results dated before it are refused as typing slips.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone_field = self.fields["time_zone"]
        assert isinstance(zone_field, TimeZoneField)
        zone_field.offer(self.initial.get("time_zone"))

    def clean_mobile(self) -> str:
        return phone_in_zone(self.cleaned_data["mobile"], self.cleaned_data.get("time_zone"))


class ClinicianProfileForm(forms.Form):
    display_name = forms.CharField(label="Your name as patients see it", max_length=80)
    practice = forms.CharField(label="Practice or clinic", max_length=120, required=False)


class InviteForm(forms.Form):
    email = forms.EmailField(label="Patient's email address")


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset through the outbox: the request writes a row naming the account, and the
    link (uid and token) is made when the row is sent, so no token is stored or queued."""

    def save(
        self,
        domain_override: str | None = None,
        subject_template_name: str = "",
        email_template_name: str = "",
        use_https: bool = False,
        token_generator: PasswordResetTokenGenerator = default_token_generator,
        from_email: str | None = None,
        request: HttpRequest | None = None,
        html_email_template_name: str | None = None,
        extra_email_context: dict[str, str] | None = None,
    ) -> None:
        """Django's view calls this with its template names and generator; the outbox renders
        `emails/password_reset.*` itself, so they are not used."""
        email = self.cleaned_data["email"]
        now = timezone.now()
        with transaction.atomic():
            for user in self.get_users(email):
                outgoing.message_request(
                    kind=outgoing.PASSWORD_RESET,
                    recipient=user,
                    key=f"password_reset:{user.pk}:{now.isoformat()}",
                    payload={},
                )
