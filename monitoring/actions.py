"""What a clinician does with a flag (acknowledge, resolve with a note, add a note) and notes
on a patient's record. Each is a guarded update or an append, and each lands in the audit log.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, TextField, Value, When
from django.db.models.functions import Concat
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import AuditEvent, Role, User

from .models import Flag

NOTE_MAX = 2000
PATIENT_NOTE = "patient.note"
ALREADY: dict[str, str] = {
    Flag.Status.ACKNOWLEDGED: "This flag was already acknowledged.",
    Flag.Status.RESOLVED: "This flag was already resolved.",
}


def _clean_note(note: str, *, required: bool, what: str = "note") -> str:
    text = (note or "").strip()
    if required and not text:
        raise ValidationError({"note": f"Write a {what}: say what was decided or done."})
    if len(text) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the {what} under {NOTE_MAX} characters."})
    return text


def _check_actor(actor: User) -> None:
    if actor.role != Role.CLINICIAN:
        raise ValidationError("Only a clinician can act on flags and notes.")


def _entry(actor: User, now: datetime, text: str) -> str:
    local = timezone.localtime(now)
    return f"{local.day} {local:%b %Y %H:%M} {actor.display_name}: {text}"


def appended_note(entry: str) -> Case:
    """The flag's note with one more line, computed by the database (no read-modify-write)."""
    return Case(
        When(note="", then=Value(entry)),
        default=Concat(F("note"), Value("\n" + entry), output_field=TextField()),
        output_field=TextField(),
    )


def _refused(flag: Flag, default: str) -> ValidationError:
    current = Flag.objects.filter(pk=flag.pk).values_list("status", flat=True).first()
    return ValidationError(ALREADY.get(current or "", default))


def _audit(
    flag: Flag, actor: User, action: str, request: HttpRequest | None, **detail: object
) -> None:
    """A clinician's action on a flag, in the audit log with the flag's kind."""
    log_action(
        actor=actor,
        action=action,
        patient=flag.patient,
        obj=flag,
        request=request,
        detail={"kind": flag.kind, **detail},
    )


def flag_acknowledge(
    *, flag: Flag, actor: User, note: str = "", request: HttpRequest | None = None
) -> Flag:
    """Open → acknowledged: seen and being dealt with. A second acknowledge changes nothing."""
    _check_actor(actor)
    text = _clean_note(note, required=False)
    now = timezone.now()
    values: dict[str, object] = {
        "status": Flag.Status.ACKNOWLEDGED,
        "acted_by": actor,
        "acted_at": now,
    }
    if text:
        values["note"] = appended_note(_entry(actor, now, text))
    with transaction.atomic():
        updated = Flag.objects.filter(pk=flag.pk, status=Flag.Status.OPEN).update(**values)
        if updated != 1:
            raise _refused(flag, "This flag can no longer be acknowledged.")
        _audit(flag, actor, "flag.acknowledged", request, with_note=bool(text))
    flag.refresh_from_db()
    return flag


def flag_resolve(*, flag: Flag, actor: User, note: str, request: HttpRequest | None = None) -> Flag:
    """Open or acknowledged → resolved, with a note saying what was done. Once only."""
    _check_actor(actor)
    text = _clean_note(note, required=True)
    now = timezone.now()
    with transaction.atomic():
        updated = Flag.objects.filter(
            pk=flag.pk, status__in=[Flag.Status.OPEN, Flag.Status.ACKNOWLEDGED]
        ).update(
            status=Flag.Status.RESOLVED,
            acted_by=actor,
            acted_at=now,
            note=appended_note(_entry(actor, now, text)),
        )
        if updated != 1:
            raise _refused(flag, "This flag can no longer be resolved.")
        _audit(flag, actor, "flag.resolved", request)
    flag.refresh_from_db()
    return flag


def flag_note_add(
    *, flag: Flag, actor: User, note: str, request: HttpRequest | None = None
) -> Flag:
    """One more line on the flag's note, whatever its status; the status does not change."""
    _check_actor(actor)
    text = _clean_note(note, required=True)
    now = timezone.now()
    with transaction.atomic():
        updated = Flag.objects.filter(pk=flag.pk).update(
            note=appended_note(_entry(actor, now, text))
        )
        if updated != 1:
            raise ValidationError("This flag no longer exists.")
        _audit(flag, actor, "flag.note_added", request)
    flag.refresh_from_db()
    return flag


def patient_note_add(
    *, patient: User, actor: User, note: str, request: HttpRequest | None = None
) -> AuditEvent:
    """A note on the patient's record. Notes are never edited, so the append-only audit log
    is where they live: who wrote what, when, from where."""
    _check_actor(actor)
    if patient.role != Role.PATIENT:
        raise ValidationError("Notes are written on a patient's record.")
    body = _clean_note(note, required=True)
    return log_action(
        actor=actor, action=PATIENT_NOTE, patient=patient, request=request, detail={"text": body}
    )
