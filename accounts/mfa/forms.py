"""Forms for two-factor sign-in. They parse only; the services check codes and write."""

from django import forms

CODE_HELP = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text=CODE_HELP,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the code from your authenticator app."},
    )


class TotpConfirmForm(forms.Form):
    code = forms.RegexField(
        label="Code from the app",
        regex=r"^\s*\d{6}\s*$",
        max_length=16,
        help_text="Six digits, as the app shows them now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the 6-digit code the app shows.",
            "invalid": "Enter the 6 digits the app shows, without letters.",
        },
    )
