"""Patient endpoints under /api/v1/me/: the caller's own record, through the same selectors
and services as the patient pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api.permissions import IsPatient, TokenScope
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


def _patient(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class PrescriptionView(APIView):
    permission_classes = PATIENT

    @extend_schema(
        operation_id="me_prescription",
        summary="Your current prescription, with its phases",
        responses={200: PrescriptionOut},
    )
    def get(self, request: Request) -> Response:
        prescription = active_prescription(patient=_patient(request))
        if prescription is None:
            raise Http404
        prescription = Prescription.objects.prefetch_related("phases").get(pk=prescription.pk)
        return Response(PrescriptionOut(prescription).data)


class DoseList(generics.ListAPIView[Dose]):
    """Every planned dose of your current prescription, in date order."""

    permission_classes = PATIENT
    serializer_class = DoseOut

    def get_queryset(self) -> QuerySet[Dose]:
        prescription = active_prescription(patient=_patient(self.request))
        if prescription is None:
            return Dose.objects.none()
        return (
            Dose.objects.filter(prescription=prescription)
            .select_related("phase")
            .order_by("due", "id")
        )

    @extend_schema(operation_id="me_doses_list", summary="Your planned doses")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
