"""JSON bodies. No text field of ours takes the NUL character (a database text column cannot
hold one): DRF's CharField refuses it beside the field, and the schema says so on every text
field (api.schema). Anything else in the body that names no field, NUL or not, is ignored, as
any unknown key is."""

from __future__ import annotations

from rest_framework.parsers import JSONParser


class Json(JSONParser):
    """The one parser of the API (so a body of any other type is 415)."""
