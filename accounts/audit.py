"""The one way to write the audit log: `log_action`.

Callers pass the request when there is one, so the event carries the client address.
"""

from django.db import models
from django.http import HttpRequest

from .models import AuditEvent, User


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_action(
    *,
    actor: User | None,
    action: str,
    patient: User | None = None,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        patient=patient,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        address=client_address(request),
    )
