"""submitted: a service's value comes back; its ValidationError goes onto the form, by the field
it names or above the form, and None comes back; any other exception is not caught."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core.forms import submitted


class NoteForm(forms.Form):
    note = forms.CharField()


def valid_form() -> NoteForm:
    form = NoteForm({"note": "Felt fine."})
    assert form.is_valid()
    return form


def refuse(error: Exception):
    def write():
        raise error

    return write


def test_the_service_value_comes_back_and_the_form_keeps_no_errors():
    form = valid_form()

    assert submitted(form, lambda: {"saved": form.cleaned_data["note"]}) == {"saved": "Felt fine."}
    assert form.errors == {}


def test_an_error_naming_a_field_goes_beside_that_field():
    form = valid_form()

    assert submitted(form, refuse(ValidationError({"note": "Too long for the record."}))) is None
    assert form.errors == {"note": ["Too long for the record."]}
    assert form.non_field_errors() == []


def test_an_error_naming_no_field_goes_above_the_form():
    form = valid_form()

    assert submitted(form, refuse(ValidationError("That entry had already changed."))) is None
    assert form.non_field_errors() == ["That entry had already changed."]
    assert "note" not in form.errors


def test_an_error_naming_a_field_the_form_lacks_goes_above_the_form():
    form = valid_form()

    assert submitted(form, refuse(ValidationError({"dose_mcg": "Dose out of range."}))) is None
    assert form.non_field_errors() == ["Dose out of range."]
    assert "note" not in form.errors


@pytest.mark.parametrize("error", [ValueError("bug"), PermissionError("nope"), KeyError("x")])
def test_any_other_exception_propagates_and_leaves_the_form_alone(error):
    form = valid_form()

    with pytest.raises(type(error)):
        submitted(form, refuse(error))
    assert form.errors == {}
