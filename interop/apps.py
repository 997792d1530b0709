"""App config for interop: the record in other systems' words (calendar feed, FHIR), built over
the other apps' selectors and services; it owns no clinical rules."""

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "Interoperability"
