"""Clinician endpoints under /api/v1/clinic/: the linked patients sorted by need with the
figures of the patients page, one patient's summary, and the flags inbox with acknowledge
and resolve. They read through the clinic selectors and act through monitoring.actions, so
the rules (who is linked, what a note needs, what a flag may become) are the pages' own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.read_audit import mark_read
from accounts.selectors import patient_for_clinician
from api.permissions import IsClinician, TokenScope
from clinic.selectors.flags import flags_for_clinician
from clinic.selectors.metrics import Band
from clinic.selectors.overview import phase_label
from clinic.selectors.patients import Filters, linked_patients, patients_queryset
from clinic.selectors.rows import PatientRow, rows_for
from monitoring import actions
from monitoring.models import Flag
from schedules.models import PhaseKind

CLINICIAN = [TokenScope, IsClinician]


# --- patients ---------------------------------------------------------------------------------


class CountsOut(serializers.Serializer[Any]):
    on_time = serializers.IntegerField(read_only=True)
    late = serializers.IntegerField(read_only=True)
    missed = serializers.IntegerField(read_only=True)


class RecentCountsOut(CountsOut):
    percent_taken = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Taken of taken or missed; null before any."
    )
    band = serializers.ChoiceField(choices=Band.choices, read_only=True)


class PatientSummaryOut(serializers.Serializer[Any]):
    """One row of the clinician's patients list."""

    id = serializers.IntegerField(source="patient.pk", read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(source="patient.email", read_only=True)
    regimen = serializers.CharField(read_only=True, help_text="Empty without a prescription.")
    phase = serializers.SerializerMethodField(help_text="The current phase, in words.")
    phase_kind = serializers.ChoiceField(
        source="phase.kind", choices=PhaseKind.choices, read_only=True, allow_null=True
    )
    next_due = serializers.DateField(read_only=True, allow_null=True)
    days_overdue = serializers.IntegerField(read_only=True)
    last_injection = serializers.DateField(read_only=True, allow_null=True)
    open_flags = serializers.IntegerField(read_only=True)
    open_flag_kinds = serializers.ListField(
        source="flag_kinds",
        child=serializers.ChoiceField(choices=Flag.Kind.choices),
        read_only=True,
    )
    adherence_90_days = RecentCountsOut(source="recent", read_only=True)
    adherence_since_start = CountsOut(source="overall", read_only=True)
    median_maintenance_interval_days = serializers.FloatField(
        source="median_interval", read_only=True, allow_null=True
    )
    prescribed_maintenance_interval = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phase(self, row: PatientRow) -> str | None:
        return phase_label(row.phase) if row.phase else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_prescribed_maintenance_interval(self, row: PatientRow) -> str | None:
        return row.prescribed.cadence().describe() if row.prescribed else None


def _clinician(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    # The token's user is known only here, inside the view: the read audit is told who reads.
    mark_read(request, None, "api", actor=user)
    return user


class PatientList(generics.ListAPIView[Any]):
    """Your linked patients, those most in need first (open flags, then the most overdue)."""

    permission_classes = CLINICIAN
    serializer_class = PatientSummaryOut

    def get_queryset(self) -> QuerySet[Any]:
        return patients_queryset(
            clinician=_clinician(self.request), filters=Filters(), now=self.now
        )

    @property
    def now(self) -> datetime:
        if not hasattr(self, "_now"):
            self._now = timezone.now()
        return self._now

    @extend_schema(
        operation_id="clinic_patients_list",
        summary="Your linked patients, sorted by need",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        rows = rows_for(page, now=self.now)
        return self.get_paginated_response(PatientSummaryOut(rows, many=True).data)


class PatientDetail(APIView):
    permission_classes = CLINICIAN

    @extend_schema(
        operation_id="clinic_patient",
        summary="One linked patient's summary",
        responses={200: PatientSummaryOut},
    )
    def get(self, request: Request, patient_id: int) -> Response:
        clinician = _clinician(request)
        patient = patient_for_clinician(clinician=clinician, patient_id=patient_id)
        mark_read(request, patient, "api", actor=clinician)
        now = timezone.now()
        sorted_rows = patients_queryset(clinician=clinician, filters=Filters(), now=now)
        rows = rows_for(sorted_rows.filter(pk=patient.pk), now=now)
        if not rows:
            raise Http404
        return Response(PatientSummaryOut(rows[0]).data)


# --- flags ------------------------------------------------------------------------------------


class FlagOut(serializers.ModelSerializer[Flag]):
    patient_name = serializers.CharField(source="patient.display_name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    dose_due = serializers.DateField(source="dose.due", read_only=True, allow_null=True)
    acted_by = serializers.CharField(
        source="acted_by.display_name", read_only=True, allow_null=True
    )

    class Meta:
        model = Flag
        fields = [
            "id",
            "patient",
            "patient_name",
            "kind",
            "kind_label",
            "summary",
            "status",
            "raised_at",
            "dose_due",
            "note",
            "acted_by",
            "acted_at",
        ]
        read_only_fields = fields


class FlagFilter(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=Flag.Status.choices,
        required=False,
        allow_blank=True,
        help_text="Only flags in this state; open and acknowledged ones when left out or empty.",
    )
    kind = serializers.ChoiceField(choices=Flag.Kind.choices, required=False, allow_blank=True)


class FlagList(generics.ListAPIView[Flag]):
    """Flags of your linked patients, newest first."""

    permission_classes = CLINICIAN
    serializer_class = FlagOut

    def get_queryset(self) -> QuerySet[Flag]:
        query = FlagFilter(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return flags_for_clinician(
            clinician=_clinician(self.request),
            status=query.validated_data.get("status", ""),
            kind=query.validated_data.get("kind", ""),
        )

    @extend_schema(
        operation_id="clinic_flags_list",
        summary="Flags of your patients (unresolved unless asked)",
        parameters=[FlagFilter],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# The note rules are the actions' own; the fields repeat them so that the schema says them.
_TOO_LONG = f"Keep the note under {actions.NOTE_MAX} characters."
_NEEDED = "Write a note: say what was decided or done."


class AcknowledgeIn(serializers.Serializer[Any]):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=actions.NOTE_MAX,
        error_messages={"max_length": _TOO_LONG},
        help_text="Optional.",
    )


class ResolveIn(serializers.Serializer[Any]):
    note = serializers.CharField(
        max_length=actions.NOTE_MAX,
        error_messages={"required": _NEEDED, "blank": _NEEDED, "max_length": _TOO_LONG},
        help_text="What was decided or done.",
    )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The flag has moved on since you read it."
    default_code = "conflict"


FlagAction = Callable[..., Flag]


def _flag_of(clinician: User, flag_id: int) -> Flag:
    """A flag of one of the clinician's linked patients, whatever its state; 404 otherwise."""
    flag = (
        Flag.objects.filter(pk=flag_id, patient__in=linked_patients(clinician=clinician))
        .select_related("patient")
        .first()
    )
    if flag is None:
        raise Http404
    return flag


def _act(
    request: Request, flag_id: int, body: type[serializers.Serializer[Any]], act: FlagAction
) -> Response:
    clinician = _clinician(request)
    flag = _flag_of(clinician, flag_id)
    data = body(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        flag = act(
            flag=flag,
            actor=clinician,
            note=data.validated_data["note"],
            request=request._request,
        )
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise  # a field's mistake: 400 with the field's message
        raise Conflict(" ".join(error.messages)) from None
    return Response(FlagOut(flag).data)


class FlagAcknowledge(APIView):
    permission_classes = CLINICIAN

    @extend_schema(
        operation_id="clinic_flag_acknowledge",
        summary="Acknowledge an open flag, with an optional note",
        request=AcknowledgeIn,
        responses={200: FlagOut},
    )
    def post(self, request: Request, flag_id: int) -> Response:
        return _act(request, flag_id, AcknowledgeIn, actions.flag_acknowledge)


class FlagResolve(APIView):
    permission_classes = CLINICIAN

    @extend_schema(
        operation_id="clinic_flag_resolve",
        summary="Resolve a flag with a note saying what was done",
        request=ResolveIn,
        responses={200: FlagOut},
    )
    def post(self, request: Request, flag_id: int) -> Response:
        return _act(request, flag_id, ResolveIn, actions.flag_resolve)
