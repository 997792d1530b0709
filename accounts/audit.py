"""The one way to write the audit log: `log_action`.

Callers pass the request when there is one, so the event carries the client address.
"""

from axes.helpers import get_client_ip_address
from django.db import models
from django.http import HttpRequest

from .models import AuditEvent, User


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as log-in throttling reads it: behind the HTTPS proxy, the one it
    forwarded (PROXY_COUNT); otherwise the connection's."""
    if request is None:
        return None
    return get_client_ip_address(request) or None


def log_action(
    *,
    actor: User | None,
    action: str,
    patient: User | None = None,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    # A guardian acting in a dependent's record: the request's user is the dependent, but the
    # person who did it is the guardian, whom the event names (the dependent stays the patient).
    guardian = getattr(request, "acting_guardian", None)
    if (
        request is not None
        and guardian is not None
        and actor is not None
        and actor.pk == request.user.pk
    ):
        detail = {**(detail or {}), "on_behalf_of": actor.pk}
        actor = guardian
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        patient=patient,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        address=client_address(request),
    )
