"""Probes for the process manager or load balancer: no login, no sensitive data, cheap.

`/healthz` says the process serves requests (no database); `/readyz` says it can also reach
the database. The outbox and worker checks are staff's, at `/ops/health`.
"""

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health

log = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    try:
        health.database_answers()
    except DatabaseError:
        log.warning("Readiness check: the database does not answer", exc_info=True)
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
