"""Leaving: the patient's whole record as one ZIP (FHIR bundle, CSV and JSON files), and
closing the account, which deletes the record and keeps an emptied audit trail."""

from __future__ import annotations

import csv
import io
import json
import operator
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from functools import reduce
from typing import Any

from axes.models import AccessLog
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.deletion import ProtectedError
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import AuditEvent, CareLink, PendingSignup, Role, User
from core.clock import local_today
from monitoring.models import CheckIn, CheckInPlan, LabResult
from reminders.models import Notification, ReminderPreference, StockBatch, StockMovement
from schedules.models import Dose, Injection, Prescription

from .fhir_bundle import record_bundle
from .selectors import fhir_record

# A cell a spreadsheet would read as a formula is written as text instead.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Fields never written into a download, whatever the model: secrets and one-time codes.
SECRET = re.compile(r"token|hash|secret|password|key|auth|code|nonce|endpoint")
PRESCRIPTION_FIELDS = (
    "id", "regimen_name", "product", "brand", "strength_mcg_per_ml", "dose_mcg", "route", "cause",
    "neuro", "lifelong", "start_date", "status", "given_by", "monitoring_plan",
    "adjustment_triggers", "notes", "created_at",
)  # fmt: skip
INJECTION_FIELDS = (
    "id", "prescription_id", "given_on", "given_at", "dose_mcg", "volume_ml", "site", "route",
    "given_by", "lot", "expiry", "notes", "extra", "status", "replaces_id", "reason", "logged_at",
    "changed_at",
)  # fmt: skip
CHECKIN_FIELDS = (
    "on", "tiredness", "tingling", "balance", "memory", "mood", "mouth", "breathless", "weakness",
    "walking", "vision", "note", "created_at", "updated_at",
)  # fmt: skip
LAB_FIELDS = (
    "id", "test", "loinc", "value", "unit", "ref_low", "ref_high", "canonical_value",
    "canonical_unit", "taken_on", "note", "created_at", "changed_at",
)  # fmt: skip
STOCK_FIELDS = (
    "id", "strength_mcg_per_ml", "ampoule_ml", "received", "on_hand", "expiry", "lot",
    "discarded_at", "created_at",
)  # fmt: skip
MOVEMENT_FIELDS = ("batch_id", "change", "reason", "injection_id", "note", "created_at")
REMINDER_FIELDS = ("kind", "channel", "scheduled_for", "sent_at", "status")
PROFILE_FIELDS = ("display_name", "time_zone", "mobile", "reminder_time", "date_of_birth")
OPEN_LINKS = (CareLink.Status.ACTIVE, CareLink.Status.PENDING, CareLink.Status.REQUESTED)
# A reference with one of these rules names the user as the one who did something (logged an
# injection, entered a lab result) on a row that is not theirs: deleting the user would not
# delete the row, so closing does not either (it then names the emptied account).
ACTOR_RULES = (models.SET_NULL, models.SET_DEFAULT, models.DO_NOTHING)
# Protected rows inside one record (a correction of an injection, a dose taken by it) are
# deleted first; a chain longer than this is not a record's.
MAX_DEPTH = 100
HOLDS_RECORDS = "You hold the records of people in your care: hand them over or end them first."
WRONG_EMAIL = "This is not the email address of your account."
WRONG_PASSWORD = "This is not your password."  # noqa: S105 (a message, not a secret)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, date | time):  # datetimes too
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def _table(queryset: models.QuerySet[Any], fields: Sequence[str]) -> str:
    return _csv(fields, queryset.values_list(*fields))


def _plain(value: object) -> object:
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: models.Model, skip: Iterable[str] = ()) -> dict[str, object]:
    """A row's own fields as JSON values (foreign keys as ids), secrets left out."""
    return {
        field.attname: _plain(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if field.name not in skip and not SECRET.search(field.name)
    }


def _who(actor: User | None, patient: User) -> str:
    if actor is None:
        return "the system"
    if actor.pk == patient.pk:
        return "you"
    return f"{actor.display_name} ({actor.role})"


def _audit(patient: User) -> str:
    events = (
        AuditEvent.objects.filter(Q(patient=patient) | Q(actor=patient))
        .select_related("actor__patient_profile", "actor__clinician_profile")
        .order_by("at", "id")
    )
    header = ("at", "who", "action", "object_type", "object_id", "address", "detail")
    rows = (
        (e.at, _who(e.actor, patient), e.action, e.object_type, e.object_id, e.address,
         json.dumps(e.detail, sort_keys=True))
        for e in events
    )  # fmt: skip
    return _csv(header, rows)


def _doses(patient: User, today: date) -> str:
    doses = Dose.objects.filter(prescription__patient=patient).order_by("due", "id")
    header = ("id", "prescription_id", "sequence", "due", "earliest", "latest", "dose_mcg",
              "status", "injection_id")  # fmt: skip
    rows = (
        (d.pk, d.prescription_id, d.sequence, d.due, d.earliest, d.latest, d.dose_mcg,
         d.status_on(today), d.injection_id)
        for d in doses
    )  # fmt: skip
    return _csv(header, rows)


def _care_links(patient: User) -> str:
    links = (
        CareLink.objects.filter(patient=patient)
        .select_related("clinician__clinician_profile")
        .order_by("created_at", "id")
    )
    header = ("clinician", "practice", "status", "initiated_by", "created_at", "responded_at",
              "ended_at")  # fmt: skip
    rows = (
        (link.clinician.display_name, getattr(link.clinician.clinician_profile, "practice", ""),
         link.status, link.initiated_by, link.created_at, link.responded_at, link.ended_at)
        for link in links
    )  # fmt: skip
    return _csv(header, rows)


def _rule(field: models.Field[Any, Any]) -> object:
    """What deleting the row a reference points at does to the referencing row."""
    return getattr(field.remote_field, "on_delete", None)


def _user_references(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User and _rule(field) not in ACTOR_RULES
    ]


def _carers(patient: User) -> list[dict[str, object]]:
    """Rows of the carers app that name the patient (as the one cared for, or as the carer),
    read by name so that this app does not import a neighbour."""
    if not apps.is_installed("carers"):
        return []
    rows: list[dict[str, object]] = []
    for model in apps.get_app_config("carers").get_models():
        for name in _user_references(model):
            for obj in model._base_manager.filter(**{name: patient}).order_by("pk"):
                rows.append({"kind": model._meta.model_name, "you_are": name, **_row(obj)})
    return rows


def _profile(patient: User) -> dict[str, object]:
    profile = patient.patient_profile
    preference = ReminderPreference.objects.filter(patient=patient).first()
    plan = CheckInPlan.objects.filter(patient=patient).first()
    return {
        "email": patient.email,
        "date_joined": patient.date_joined.isoformat(),
        "profile": {name: _plain(getattr(profile, name)) for name in PROFILE_FIELDS},
        "reminder_preferences": _row(preference, skip={"id", "patient"}) if preference else None,
        "checkin_plan": _row(plan, skip={"id", "patient"}) if plan else None,
    }


def everything(*, patient: User, now: datetime) -> dict[str, str]:
    """Every file of the download by name: the record as FHIR, each kind of row as a table."""
    today = local_today(patient, now=now)
    bundle = record_bundle(fhir_record(patient=patient, now=now, today=today))
    mine = {"patient": patient}
    return {
        "fhir-bundle.json": bundle.model_dump_json(indent=2),
        "profile.json": json.dumps(_profile(patient), indent=2),
        "prescriptions.csv": _table(
            Prescription.objects.filter(**mine).order_by("id"), PRESCRIPTION_FIELDS
        ),
        "injections.csv": _table(
            Injection.objects.filter(**mine).order_by("given_on", "id"), INJECTION_FIELDS
        ),
        "doses.csv": _doses(patient, today),
        "checkins.csv": _table(CheckIn.objects.filter(**mine).order_by("on"), CHECKIN_FIELDS),
        "labs.csv": _table(LabResult.objects.filter(**mine).order_by("taken_on", "id"), LAB_FIELDS),
        "reminders-sent.csv": _table(
            Notification.objects.filter(recipient=patient).order_by("scheduled_for", "id"),
            REMINDER_FIELDS,
        ),
        "stock.csv": _table(StockBatch.objects.filter(**mine).order_by("id"), STOCK_FIELDS),
        "stock-movements.csv": _table(
            StockMovement.objects.filter(batch__patient=patient).order_by("created_at", "id"),
            MOVEMENT_FIELDS,
        ),
        "care-links.csv": _care_links(patient),
        "carers.json": json.dumps(_carers(patient), indent=2),
        "audit-events.csv": _audit(patient),
    }


def zipped(files: dict[str, str], *, now: datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = timezone.localtime(now).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), text.encode("utf-8"))
    return buffer.getvalue()


@transaction.atomic
def record_download(
    *,
    patient: User,
    actor: User | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> tuple[str, bytes]:
    """The patient's whole record as a ZIP (name, bytes); the download is audited under the
    actor (the patient, or the guardian who holds the record)."""
    now = now or timezone.now()
    files = everything(patient=patient, now=now)
    body = zipped(files, now=now)
    log_action(
        actor=actor or patient,
        action="record.downloaded",
        patient=patient,
        request=request,
        detail={"files": sorted(files)},
    )
    return f"b12-everything-{now:%Y-%m-%d}.zip", body


def owned_relations() -> list[models.ForeignObjectRel]:
    """Every reference by which a row belongs to a user: those deleting the user would
    delete (CASCADE, or PROTECT, which only wants them gone first), hidden ones included
    (related_name="+"). The audit log and care links are kept, so they are left out."""
    return [
        rel
        for rel in User._meta.get_fields(include_hidden=True)
        if isinstance(rel, models.ForeignObjectRel)
        and not rel.many_to_many
        and rel.related_model not in (AuditEvent, CareLink)
        and rel.on_delete not in ACTOR_RULES
    ]


def _owner_paths(model: type[models.Model], depth: int = 3) -> list[str]:
    """Lookups from `model` to the user whose deletion would cascade to its rows."""
    paths: list[str] = []
    for field in model._meta.concrete_fields:
        if not field.is_relation or _rule(field) is not models.CASCADE:
            continue
        target = field.related_model
        if target is User:
            paths.append(field.name)
        elif depth > 1 and isinstance(target, type) and target is not model:
            paths += [f"{field.name}__{rest}" for rest in _owner_paths(target, depth - 1)]
    return paths


def _ensure_theirs(blockers: models.QuerySet[Any], patient: User, error: ProtectedError) -> None:
    """A row protecting one of the patient's rows is deleted first only if it is part of the
    patient's record too; anyone else's row stops the closing."""
    paths = _owner_paths(blockers.model)
    if not paths:
        raise error
    theirs = reduce(operator.or_, (Q(**{path: patient}) for path in paths))
    if blockers.exclude(theirs).exists():
        raise error


def _delete_rows(rows: models.QuerySet[Any], patient: User, depth: int = 0) -> None:
    try:
        rows.delete()
    except ProtectedError as error:  # raised while collecting, before anything is deleted
        if depth >= MAX_DEPTH:
            raise
        blocking: dict[type[models.Model], set[object]] = defaultdict(set)
        for obj in error.protected_objects:
            blocking[obj._meta.model].add(obj.pk)
        for model, pks in blocking.items():
            blockers = model._base_manager.filter(pk__in=pks)
            _ensure_theirs(blockers, patient, error)
            _delete_rows(blockers, patient, depth + 1)
        _delete_rows(rows, patient, depth + 1)


def _delete_record(patient: User, email: str) -> None:
    for rel in owned_relations():
        model = rel.related_model
        assert isinstance(model, type)
        _delete_rows(model._base_manager.filter(**{rel.field.name: patient}), patient)
    # Rows that hold the address without naming the account: sign-ups not yet confirmed and
    # messages sent before the account existed (an invitation, the sign-up link).
    PendingSignup.objects.filter(email__iexact=email).delete()
    Notification.objects.filter(recipient__isnull=True, address__iexact=email).delete()
    # The log-in throttle's log of successful sign-ins (address, browser, times) is history of
    # the person, not a defence: it goes. Its records of failed attempts stay (docs/security.md).
    AccessLog.objects.filter(username__iexact=email).delete()


def _tombstone(user: User, now: datetime) -> None:
    user.email = f"closed-{user.pk}@closed.invalid"
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.closed_at = now
    user.session_epoch += 1
    user.full_clean()
    user.save()


def _close_links(patient: User, now: datetime, request: HttpRequest | None) -> None:
    links = list(
        CareLink.objects.select_for_update().filter(patient=patient, status__in=OPEN_LINKS)
    )
    CareLink.objects.filter(pk__in=[link.pk for link in links]).update(
        status=CareLink.Status.CLOSED, ended_at=now
    )
    for link in links:
        log_action(
            actor=patient, action="carelink.closed", patient=patient, obj=link, request=request
        )


def _empty_audit_details(patient: User) -> None:
    # The only sanctioned rewrite of the append-only log: the details of the events about a
    # closed record (phone numbers, dates of birth, doses) are personal data the record's
    # owner asked us to delete, while who did what, to which row, when and from where stays.
    # AuditEventQuerySet refuses update() so that nothing else does this by accident, and on
    # PostgreSQL the table's trigger lets an update through only while this switch is on (and
    # only one that empties `detail`): interop/migrations/0004_audit_detail_emptied_on_close.
    about_them = AuditEvent.objects.filter(
        Q(patient=patient) | Q(actor=patient, patient__isnull=True)
    )
    with _redaction_allowed():
        models.QuerySet.update(about_them, detail={})


@contextmanager
def _redaction_allowed() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('b12.audit_redaction', 'on', true)")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('b12.audit_redaction', 'off', true)")


def _holds_records(user: User) -> bool:
    """Whether the user is the guardian of someone's record: a dependent has no password of
    their own, so closing the guardian's account would strand the record."""
    try:
        held = apps.get_model("carers", "Guardianship")._base_manager
    except LookupError:
        return False
    return held.filter(guardian=user, ended_at__isnull=True).exists()


def _confirm(user: User, *, email: str, password: str) -> None:
    if _holds_records(user):
        raise ValidationError(HOLDS_RECORDS)
    errors: dict[str, str] = {}
    if email.strip().lower() != user.email.lower():
        errors["email"] = WRONG_EMAIL
    if not user.check_password(password):
        errors["password"] = WRONG_PASSWORD
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def account_close(
    *,
    patient: User,
    email: str,
    password: str,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> User:
    """Close a patient's account, confirmed by its email address and password: delete the
    record and settings, close the care links, empty the audit details and leave the user
    row as a tombstone no one can sign in to. The address is free to sign up again."""
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=patient.pk)
    if user.role != Role.PATIENT or user.closed_at is not None:
        raise ValidationError("This account cannot be closed here.")
    _confirm(user, email=email, password=password)
    address = user.email
    _close_links(user, now, request)
    # The account is emptied before the record goes: receivers of its save (the clinicians'
    # summary rows) may write rows about it, and the deletion that follows takes those too.
    _tombstone(user, now)
    _delete_record(user, address)
    _empty_audit_details(user)
    log_action(actor=user, action="account.closed", patient=user, obj=user, request=request)
    return user
