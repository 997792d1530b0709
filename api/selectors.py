"""Reads for personal access tokens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User

from .models import ApiToken
from .tokens import PREFIX, token_digest


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_owner(token: str) -> ApiToken | None:
    """The usable token row for a presented token, with its user, or None."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_digest(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.usable(timezone.now()) or not row.user.is_active:
        return None
    return row
