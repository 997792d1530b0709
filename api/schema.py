"""The OpenAPI schema's shared parts: the problem-details body, declared on every operation
for each error it can give, so that clients (and the fuzzing test) know every answer."""

from __future__ import annotations

from typing import Any

from .problems import PROBLEM, TITLES

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "For 400: each field's messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}


def _codes(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    if not operation.get("security") and path.endswith("/schema/"):
        return []
    codes = [401, 404, 406, 429]
    if method in {"post", "put", "patch"}:
        codes += [400, 403, 415]
    elif method == "delete":
        codes += [403]
    else:
        codes += [400]  # a bad query parameter
    if method != "get":
        codes.append(409)
    return codes


def add_problem_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _codes(path, method, operation):
                responses.setdefault(
                    str(code),
                    {"description": TITLES[code], "content": {PROBLEM: {"schema": ref}}},
                )
    return result
