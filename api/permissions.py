"""Who may call what: a role per endpoint group, and the token's scope per method.

A wrong role is 404, as on the pages: the API never says that something exists."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.models import Role

from .models import ApiToken
from .throttles import count_refused


class TokenScope(BasePermission):
    """Reads need any usable token; writes need a read-and-write one (403, with why)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            count_refused(request)
            raise exceptions.NotAuthenticated()
        if request.method not in SAFE_METHODS and not token.can_write:
            raise exceptions.PermissionDenied(
                "This token is read only. Make a read-and-write token to change things."
            )
        return True


class _Role(BasePermission):
    role = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiToken):
            count_refused(request)
            raise exceptions.NotAuthenticated()
        if getattr(request.user, "role", None) != self.role:
            raise Http404
        return True


class IsPatient(_Role):
    role = Role.PATIENT


class IsClinician(_Role):
    role = Role.CLINICIAN
