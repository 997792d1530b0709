"""Every text a person can type has a server-side limit: each CharField of every form in
our apps has a max_length, and so has each model TextField a form writes (Django keeps a
TextField's max_length out of the database, so the form's limit is the one enforced)."""

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest
from django import forms
from django.apps import apps
from django.db import models

APPS = ("core", "accounts", "schedules", "reminders", "monitoring", "clinic", "demo", "b12tracker")

# Model text that no form writes whole, each with the reason.
NOT_FORM_WRITTEN = {
    # An append-only log of dated clinician notes; each note is limited by the flag forms
    # (monitoring.actions.NOTE_MAX) and the column holds them all.
    "monitoring.Flag.note",
}


def our_modules() -> Iterator[str]:
    for app in APPS:
        package = importlib.import_module(app)
        yield app
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            yield info.name


def our_forms() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for name in our_modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__.split(".")[0] in APPS:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


def fields_of(form_class: type[forms.BaseForm]) -> dict[str, forms.Field]:
    """The fields a bound form has: an instance's when the form builds without arguments
    (fields added in __init__ count), else the declared ones."""
    try:
        return dict(form_class().fields)
    except TypeError:
        return dict(form_class.base_fields)


def is_limited_text(field: forms.Field) -> bool:
    return not isinstance(field, forms.CharField) or bool(field.max_length)


def form_cases() -> list:
    cases = []
    for form_class in our_forms():
        for name, field in fields_of(form_class).items():
            if isinstance(field, forms.CharField):
                label = f"{form_class.__module__}.{form_class.__qualname__}.{name}"
                cases.append(pytest.param(field, id=label))
    return cases


def model_cases() -> list:
    cases = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField):
                label = f"{model._meta.label}.{field.name}"
                if label in NOT_FORM_WRITTEN:
                    continue
                cases.append(pytest.param(field, id=label))
    return cases


def test_the_walk_finds_the_forms_of_every_app_that_has_them():
    modules = {form_class.__module__.split(".")[0] for form_class in our_forms()}

    assert {"accounts", "schedules", "reminders", "clinic"} <= modules


@pytest.mark.parametrize("field", form_cases())
def test_every_form_text_field_has_a_max_length(field):
    assert field.max_length, "add max_length (and say the limit in the help text if it bites)"


@pytest.mark.parametrize("field", model_cases())
def test_every_model_text_field_a_form_writes_has_a_max_length(field):
    assert field.max_length, "add max_length to the model field and to the form that writes it"


def test_a_field_without_a_limit_is_caught():
    assert not is_limited_text(forms.CharField())
    assert is_limited_text(forms.CharField(max_length=10))
    assert is_limited_text(forms.IntegerField())
