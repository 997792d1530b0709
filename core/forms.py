"""Form helpers every app's views share."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError

T = TypeVar("T")


def attach_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors next to the fields they name; the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        for item in errors:
            form.add_error(name if name in form.fields else None, item)


def submitted(form: forms.Form, write: Callable[[], T]) -> T | None:
    """Run a service for a valid form and hand back what it returns; a ValidationError goes
    onto the form (placed as attach_errors places it) and None comes back instead. Any other
    exception propagates.

    The services called this way return a value when they succeed, so None means refused."""
    try:
        return write()
    except ValidationError as error:
        attach_errors(form, error)
        return None
