"""Writes for personal access tokens: made (returned once, stored hashed), revoked, and
marked as used. Each make and revoke is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User

from .models import ApiToken
from .tokens import new_token, token_digest, visible_prefix

MOST_TOKENS = 10
# `last_used_at` is written at most this often per token, not on every request.
USE_RESOLUTION = timedelta(minutes=1)


def token_create(
    *,
    user: User,
    name: str,
    scope: str,
    expires_in_days: int | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token itself, which is never stored."""
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Say what the token is for, such as “my spreadsheet”."]})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": ["Choose read only, or read and write."]})
    token = new_token()
    with transaction.atomic():
        # Locks the user's row so that two racing requests cannot both pass the cap.
        User.objects.select_for_update().filter(pk=user.pk).first()
        live = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if live >= MOST_TOKENS:
            raise ValidationError(
                f"You have {MOST_TOKENS} tokens already. Revoke one you no longer use first."
            )
        row = ApiToken.objects.create(
            user=user,
            name=name,
            scope=scope,
            prefix=visible_prefix(token),
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        log_action(
            actor=user,
            action="api_token.create",
            obj=row,
            request=request,
            detail={"scope": scope, "prefix": row.prefix},
        )
    return row, token


def token_revoke(
    *, user: User, token_id: int, request: HttpRequest | None = None, now: datetime | None = None
) -> ApiToken:
    now = now or timezone.now()
    with transaction.atomic():
        row = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if row is None:
            raise ApiToken.DoesNotExist
        if row.revoked_at is None:
            row.revoked_at = now
            row.save(update_fields=["revoked_at"])
            log_action(
                actor=user,
                action="api_token.revoke",
                obj=row,
                request=request,
                detail={"prefix": row.prefix},
            )
    return row


def token_used(row: ApiToken, *, now: datetime | None = None) -> None:
    """Notes the time of use, at most once a minute (one UPDATE, no read)."""
    now = now or timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= USE_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
