"""The read audit: every successful read of a patient's data by someone other than the patient
becomes one `record.viewed` audit event, written after the response is ready.

Views (or the access helpers they call) say what they read with `mark_read`; the middleware
writes the row only for a GET or HEAD answered 200, so a refused or failed read leaves none.
Clinician areas are audited even when no view marked the request: a list page there reads many
patients at once and is recorded as one row with no patient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from .audit import log_action
from .models import Role, User

ACTION = "record.viewed"
KINDS = ("page", "export", "api", "feed")

# Every page under these paths shows patients' data to clinicians only (anyone else gets 404),
# so a read there is recorded even if its view named no patient.
AUDITED_AREAS = (("/api/v1/clinic/", "api"), ("/clinic/", "page"))

# What the patient sees for each kind of read on their care team page.
KIND_LABELS = {
    "page": "Viewed your record",
    "export": "Downloaded your record",
    "api": "Read your record through the API",
    "feed": "Read your calendar feed",
}

_MARK = "_b12_read"


@dataclass(frozen=True)
class Read:
    patient: User | None
    kind: str
    actor: User | None
    rows: int | None


def mark_read(
    request: object,
    patient: User | None,
    kind: str,
    *,
    actor: User | None = None,
    rows: int | None = None,
) -> None:
    """Say that this request reads `patient`'s data (None: a list of several patients, with
    `rows` their count when known). `actor` is for requests whose user is not the reader when
    the response is ready: set inside the view (API tokens) or standing for someone else (a
    guardian acting for a dependent); by default the reader is the request's user.

    A later mark replaces an earlier one, except that a list mark never hides a patient's."""
    if kind not in KINDS:
        raise ValueError(f"Unknown read kind {kind!r}; one of {', '.join(KINDS)}.")
    # A DRF Request wraps the Django one, which is the object the middleware sees.
    target = getattr(request, "_request", request)
    if not isinstance(target, HttpRequest):
        raise TypeError(f"mark_read needs a request, not {type(request).__name__}.")
    earlier: Read | None = getattr(target, _MARK, None)
    if patient is None and earlier is not None and earlier.patient is not None:
        return
    setattr(target, _MARK, Read(patient=patient, kind=kind, actor=actor, rows=rows))


def read_of(request: HttpRequest) -> Read | None:
    """What the request read, as marked or as its area implies; None when nothing is recorded."""
    marked: Read | None = getattr(request, _MARK, None)
    if marked is not None:
        return marked
    for prefix, kind in AUDITED_AREAS:
        if request.path.startswith(prefix):
            return Read(patient=None, kind=kind, actor=None, rows=None)
    return None


def record_read(request: HttpRequest, read: Read) -> None:
    """One audit row for the request; none for the patient's own reads or an unknown reader."""
    actor = read.actor or request.user
    if not isinstance(actor, User) or not actor.is_authenticated:
        return
    if read.patient is not None and read.patient.pk == actor.pk:
        return
    if read.patient is None and actor.role != Role.CLINICIAN and read.actor is None:
        return  # an unmarked request outside a clinician's reach reads nobody's record
    match = getattr(request, "resolver_match", None)
    detail: dict[str, object] = {
        "kind": read.kind,
        "url_name": match.view_name if match is not None else "",
        "path": request.path,
    }
    if read.rows is not None:
        detail["rows"] = read.rows
    log_action(actor=actor, action=ACTION, patient=read.patient, request=request, detail=detail)


class ReadAuditMiddleware:
    """Writes the read's audit row once the view has answered with the data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            read = read_of(request)
            if read is not None:
                record_read(request, read)
        return response
