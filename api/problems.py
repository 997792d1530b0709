"""Errors as RFC 9457 problem details (`application/problem+json`).

Every error the API gives has `type`, `title`, `status` and `detail`; a field error also
has `errors`, a map from each field to its messages, as the pages show them beside the field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

PROBLEM = "application/problem+json"

TITLES = {
    400: "The request has a mistake",
    401: "A token is needed",
    403: "Not allowed with this token",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "In conflict with the record",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Something went wrong on our side",
}


def problem_type(status_code: int) -> str:
    """A stable URI per kind of problem: its row in the table on the API's docs page."""
    return f"/api/docs/#problem-{status_code}"


def problem(status_code: int, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": problem_type(status_code),
        "title": TITLES.get(status_code, "Problem"),
        "status": status_code,
        "detail": detail,
        **extra,
    }


def _flatten(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail as one level: {"field": ["message"], "phases.0.days": [...]}."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), inner)
        else:
            messages = value if isinstance(value, list) else [value]
            out.setdefault(prefix or "non_field_errors", []).extend(str(m) for m in messages)

    walk("", detail)
    return out


def _from_django(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        detail: Any = {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {"non_field_errors": error.messages}
    return exceptions.ValidationError(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        extra["errors"] = _flatten(exc.detail)
        detail = "Some fields need changing; `errors` says which and why."
        if set(extra["errors"]) == {"non_field_errors"}:
            detail = " ".join(extra["errors"]["non_field_errors"])
    elif isinstance(exc, exceptions.APIException):
        detail = str(exc.detail)
    else:
        detail = TITLES.get(code, "Problem")
    response.data = problem(code, detail, **extra)
    response.content_type = PROBLEM
    return response


@csrf_exempt
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Any address under /api/ that names no endpoint, whatever the method (so no CSRF page
    for a POST: the API never uses the session)."""
    return JsonResponse(
        problem(status.HTTP_404_NOT_FOUND, "No endpoint has that address."),
        status=404,
        content_type=PROBLEM,
    )
