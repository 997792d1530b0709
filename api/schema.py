"""The OpenAPI schema's shared parts: the problem-details body, declared on every operation
for each error it can give, and the one rule every text field of a request body keeps beyond
its type (no NUL character: DRF's CharField refuses it), so that clients (and the fuzzing
test) know every answer and every refusal."""

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


# Any text without U+0000, which every CharField refuses.
NO_NUL = "^[^\\u0000]*$"


def _forbid_nul(node: Any) -> None:
    """Adds NO_NUL to each plain text field (not an enum, not a formatted value) inside a
    request body's schema."""
    if isinstance(node, list):
        for inner in node:
            _forbid_nul(inner)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not ({"enum", "format", "pattern"} & set(node)):
        node["pattern"] = NO_NUL
    for key in ("properties", "items", "additionalProperties", "allOf", "oneOf", "anyOf"):
        inner = node.get(key)
        if key == "properties" and isinstance(inner, dict):
            _forbid_nul(list(inner.values()))
        elif inner is not None:
            _forbid_nul(inner)


def add_problem_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: problem responses everywhere, and the NUL rule
    on request bodies (their components are the ones named …Request)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in components.items():
        if name.endswith("Request"):
            _forbid_nul(component)
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
