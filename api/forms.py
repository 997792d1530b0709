from django import forms

from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What the token is for",
        max_length=80,
        help_text="A name you will recognise later, such as “home spreadsheet”.",
    )
    scope = forms.ChoiceField(
        label="What it may do",
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text="Read only is enough to look at your record. Choose read and write only for "
        "a program that logs injections or answers flags for you.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="It stops working after",
        choices=[("30", "30 days"), ("90", "90 days"), ("365", "A year"), ("", "Never")],
        coerce=int,
        empty_value=None,
        initial="90",
        required=False,
    )
