"""The forms of the monitoring plan on a patient's page: add a test or review, move one, mark
one done. The service checks the dates; these only parse them."""

from __future__ import annotations

from django import forms

from monitoring.models import PlanWhat

from .forms import DateInput


class PlanItemForm(forms.Form):
    what = forms.ChoiceField(label="Test or review", choices=PlanWhat.choices)
    due_on = forms.DateField(label="Planned for", widget=DateInput())
    note = forms.CharField(label="Note for the patient (optional)", max_length=200, required=False)


class PlanItemChangeForm(forms.Form):
    due_on = forms.DateField(label="Move to", widget=DateInput())
    note = forms.CharField(label="Note for the patient (optional)", max_length=200, required=False)


class PlanItemDoneForm(forms.Form):
    done_on = forms.DateField(label="Done on", widget=DateInput())
