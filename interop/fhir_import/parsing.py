"""The first step of an import: the text must be JSON, one MedicationRequest, and valid FHIR
R4 (checked with fhir.resources' R4B model, equal to R4 for this resource)."""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B.medicationrequest import MedicationRequest
from pydantic import ValidationError as ModelError

MAX_BYTES = 256 * 1024
MAX_MESSAGES = 8
JSON = dict[str, Any]


class ResourceError(ValueError):
    """The text is not a resource this import reads; `messages` say why, for the clinician."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _where(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "the resource"


def _model_messages(error: ModelError) -> list[str]:
    found = error.errors()
    messages = []
    for item in found[:MAX_MESSAGES]:
        reason = item["msg"]
        if item["type"] == "extra_forbidden":
            reason = "not an element FHIR R4 allows here"
        messages.append(f"{_where(tuple(item['loc']))}: {reason}.")
    if len(found) > MAX_MESSAGES:
        messages.append(f"… and {len(found) - MAX_MESSAGES} more problems.")
    return messages


def _kind_problem(data: object) -> str | None:
    if not isinstance(data, dict):
        return "The JSON must be one object: a FHIR MedicationRequest resource."
    kind = data.get("resourceType")
    if kind == "MedicationRequest":
        return None
    if kind == "Bundle":
        return (
            "This is a Bundle. Paste one MedicationRequest from it: the value of its entry's "
            '"resource".'
        )
    if isinstance(kind, str) and kind:
        return f"This is a {kind[:60]} resource. Only a MedicationRequest can be imported."
    return 'There is no "resourceType": this is not a FHIR resource.'


def parse_resource(text: str) -> JSON:
    """The resource as plain JSON data, once it is a valid MedicationRequest; ResourceError
    otherwise."""
    if len(text.encode()) > MAX_BYTES:
        raise ResourceError([f"This is larger than {MAX_BYTES // 1024} KB."])
    if not text.strip():
        raise ResourceError(["There is nothing here to import."])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ResourceError([f"This is not valid JSON ({error.msg} at {where})."]) from None
    if problem := _kind_problem(data):
        raise ResourceError([problem])
    assert isinstance(data, dict)  # _kind_problem refuses anything else
    try:
        MedicationRequest.model_validate(data)
    except ModelError as error:
        raise ResourceError(
            ["This is not a valid FHIR R4 MedicationRequest.", *_model_messages(error)]
        ) from None
    except ValueError as error:  # fhir.resources raises some checks as plain ValueErrors
        raise ResourceError([f"This is not a valid FHIR R4 MedicationRequest: {error}"]) from None
    return data
