"""The patient's check-ins and lab results through the API: lists, newest first, and the
check-in and lab entry services the symptoms and labs pages use."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from api.serializers.patient import CheckInIn, CheckInOut, LabIn, LabOut
from core.clock import local_today
from monitoring import checkins
from monitoring.labs.selectors import with_injection_dates
from monitoring.labs.services import LabEntry, lab_result_record
from monitoring.models import CheckIn, LabResult, LabTest

from .patient import PATIENT, patient_of, query_values


def _checkins(patient: User) -> QuerySet[CheckIn]:
    # As the symptoms page lists them: newest day first, with how often each was changed.
    return (
        CheckIn.objects.filter(patient=patient).annotate(edits=Count("revisions")).order_by("-on")
    )


class CheckInList(generics.ListAPIView[CheckIn]):
    """Your check-ins, the latest day first (one a day: a second one that day changes it)."""

    permission_classes = PATIENT
    serializer_class = CheckInOut

    def get_queryset(self) -> QuerySet[CheckIn]:
        return _checkins(patient_of(self.request))

    @extend_schema(operation_id="me_checkins_list", summary="Your symptom check-ins")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="me_checkins_save",
        summary="Check in: how you feel on a day",
        description=(
            "Today's check-in, or a past day's up to 90 days back. A day already checked in is "
            "changed (200), the earlier answers kept; a new day is 201."
        ),
        request=CheckInIn,
        responses={200: CheckInOut, 201: CheckInOut},
    )
    def post(self, request: Request) -> Response:
        patient = patient_of(request)
        body = CheckInIn(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        today = local_today(patient)
        on = values.pop("on", today)
        saved = checkins.checkin_save(
            patient=patient,
            actor=patient,
            on=on,
            values=values,
            today=today,
            request=request._request,
        )
        checkin = _checkins(patient).get(pk=saved.checkin.pk)
        code = status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK
        return Response(CheckInOut(checkin).data, status=code)


class LabFilter(serializers.Serializer[dict[str, Any]]):
    test = serializers.ChoiceField(choices=LabTest.choices, required=False)


class LabList(generics.ListAPIView[LabResult]):
    """Your lab results, the latest sample first, each with its band and timing warnings as
    the labs pages show them."""

    permission_classes = PATIENT
    serializer_class = LabOut

    def get_queryset(self) -> QuerySet[LabResult]:
        query = query_values(LabFilter, self.request)
        results = LabResult.objects.filter(patient=patient_of(self.request))
        if test := query.get("test"):
            results = results.filter(test=test)
        return with_injection_dates(results.order_by("-taken_on", "-id"))

    @extend_schema(
        operation_id="me_labs_list",
        summary="Your lab results",
        parameters=[
            OpenApiParameter("test", str, enum=LabTest.values, description="Only this test."),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="me_labs_add",
        summary="Add a lab result",
        description="The value and unit as printed on the report; the unit must be one of the "
        "test's.",
        request=LabIn,
        responses={201: LabOut},
    )
    def post(self, request: Request) -> Response:
        patient = patient_of(request)
        body = LabIn(data=request.data)
        body.is_valid(raise_exception=True)
        result = lab_result_record(
            patient=patient,
            actor=patient,
            entry=LabEntry(**body.validated_data),
            today=local_today(patient),
            request=request._request,
        )
        row = with_injection_dates(LabResult.objects.filter(pk=result.pk)).get()
        return Response(LabOut(row).data, status=status.HTTP_201_CREATED)
