"""`Authorization: Bearer b12_…`: a personal access token, the API's only way in (no
session, so no CSRF to think about, and a browser's cookies never act for a script)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.models import User

from .models import ApiToken
from .selectors import token_owner
from .services import token_used
from .throttles import count_refused


class TokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise _refused(request, "Send one token after “Bearer”.")
        try:
            presented = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise _refused(request, "That token is not valid.") from None
        row = token_owner(presented)
        if row is None:
            raise _refused(request, "That token is not valid, or was revoked.")
        token_used(row)
        return row.user, row

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="b12tracker"'


def _refused(request: Request, why: str) -> exceptions.AuthenticationFailed:
    count_refused(request)  # 429 instead, past the rate for calls without a valid token
    return exceptions.AuthenticationFailed(why)


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.authentication.TokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token made on the API tokens page (b12_…).",
        }
