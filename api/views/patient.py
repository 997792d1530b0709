"""Patient endpoints under /api/v1/me/: the caller's own record, through the same selectors
and services as the patient pages. This module has the prescription and its doses; the
patient_* modules beside it have the injection log, monitoring and stock."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api.permissions import IsPatient, TokenScope
from api.serializers.patient import DoseFilter
from core.clock import local_today
from schedules import states
from schedules.models import Dose, Phase, Prescription
from schedules.selectors import active_prescription

PATIENT = [TokenScope, IsPatient]


class PhaseOut(serializers.ModelSerializer[Phase]):
    class Meta:
        model = Phase
        fields = [
            "order",
            "kind",
            "unit",
            "every",
            "every_max",
            "weekdays",
            "bound",
            "count",
            "duration_days",
            "dose_mcg",
            "closed_on",
        ]


class PrescriptionOut(serializers.ModelSerializer[Prescription]):
    phases = PhaseOut(many=True, read_only=True)

    class Meta:
        model = Prescription
        fields = [
            "id",
            "version",
            "regimen_slug",
            "regimen_name",
            "product",
            "brand",
            "strength_mcg_per_ml",
            "dose_mcg",
            "route",
            "cause",
            "neuro",
            "lifelong",
            "start_date",
            "status",
            "given_by",
            "monitoring_plan",
            "adjustment_triggers",
            "notes",
            "phases",
        ]


class DoseOut(serializers.ModelSerializer[Dose]):
    phase = serializers.IntegerField(source="phase.order", read_only=True)
    injection = serializers.IntegerField(source="injection_id", read_only=True, allow_null=True)
    status = serializers.ChoiceField(
        source="state",
        choices=Dose.Status.choices,
        read_only=True,
        help_text="On your today, as the schedule page shows it.",
    )

    class Meta:
        model = Dose
        fields = [
            "id",
            "phase",
            "sequence",
            "due",
            "earliest",
            "latest",
            "dose_mcg",
            "status",
            "injection",
        ]


def patient_of(request: Request) -> User:
    """The caller, a patient (IsPatient has let only patients through)."""
    user = request.user
    assert isinstance(user, User)
    return user


def with_state(doses: QuerySet[Dose], today: date) -> QuerySet[Dose]:
    """Each dose with `state`, its status on `today` as the schedule page shows it."""
    return doses.annotate(state=states.status_today(today))


def query_values(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    """A list's query parameters, checked (400 naming the parameter when one is wrong)."""
    # A plain dict, not the QueryDict: DRF reads a blank form value as left out, and a
    # blank parameter is a mistake to name rather than to ignore.
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data


class PrescriptionView(APIView):
    permission_classes = PATIENT

    @extend_schema(
        operation_id="me_prescription",
        summary="Your current prescription, with its phases",
        responses={200: PrescriptionOut},
    )
    def get(self, request: Request) -> Response:
        prescription = active_prescription(patient=patient_of(request))
        if prescription is None:
            raise Http404
        prescription = Prescription.objects.prefetch_related("phases").get(pk=prescription.pk)
        return Response(PrescriptionOut(prescription).data)


class DoseList(generics.ListAPIView[Dose]):
    """The planned doses of your current prescription, in date order: those of the plan
    (cancelled ones only with `status=cancelled`), due from `from` to `to` when given."""

    permission_classes = PATIENT
    serializer_class = DoseOut

    def get_queryset(self) -> QuerySet[Dose]:
        patient = patient_of(self.request)
        query = query_values(DoseFilter, self.request)
        prescription = active_prescription(patient=patient)
        if prescription is None:
            return Dose.objects.none()
        doses = with_state(
            Dose.objects.filter(prescription=prescription), local_today(patient)
        ).select_related("phase")
        wanted = query.get("status")
        doses = doses.filter(Q(state=wanted)) if wanted else doses.filter(states.live())
        if (start := query.get("from")) is not None:
            doses = doses.filter(due__gte=start)
        if (end := query.get("to")) is not None:
            doses = doses.filter(due__lte=end)
        return doses.order_by("due", "id")

    @extend_schema(
        operation_id="me_doses_list",
        summary="Your planned doses",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="Due on or after this day."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Due on or before this day."),
            OpenApiParameter(
                "status",
                str,
                enum=Dose.Status.values,
                description="Only doses in this status today (cancelled ones only so).",
            ),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
