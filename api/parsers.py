"""JSON bodies, with one more rule than JSON's: no NUL character in any text (a database text
column cannot hold one, and no field of ours needs one). The schema says so on every text
field (api.schema). A key with a NUL names no field, so, like any other unknown key, it is
left out rather than refused."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NUL = "\x00"


def _checked(value: Any) -> Any:
    """`value` without the keys that hold a NUL; ParseError for a text value that holds one."""
    if isinstance(value, str):
        if NUL in value:
            raise ParseError("Text may not contain the NUL character (\\u0000).")
        return value
    if isinstance(value, dict):
        return {key: _checked(inner) for key, inner in value.items() if NUL not in key}
    if isinstance(value, list):
        return [_checked(inner) for inner in value]
    return value


class Json(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return _checked(super().parse(stream, media_type, parser_context))
