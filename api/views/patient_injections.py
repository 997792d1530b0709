"""The patient's injection log through the API: the history, one entry, logging an injection
(with the log page's too-soon confirmation and double-send guard), and correcting or voiding
an entry, each through the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api.serializers.patient import CorrectionIn, InjectionIn, InjectionOut, VoidIn
from schedules import selectors, services
from schedules.forms.injections import CHECKED
from schedules.models import Injection, Prescription
from schedules.services.injections import CORRECTABLE, injection_problems

from .patient import PATIENT, patient_of

TOKEN_LENGTH = Injection._meta.get_field("client_token").max_length or 64
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description=(
        f"Up to {TOKEN_LENGTH} characters of your choosing. Sending the same key again answers "
        "with the injection the first request logged, and logs nothing more."
    ),
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "That is in conflict with the record as it stands."


def _no_prescription() -> Conflict:
    return Conflict("You have no current prescription: add it first, then log injections.")


def _entry(patient: User, injection_id: int) -> Injection:
    """One of the patient's history entries, as the history list shows it."""
    injection = selectors.injection_history(patient=patient).filter(pk=injection_id).first()
    if injection is None:
        raise Http404
    return injection


def _answer(patient: User, injection: Injection, code: int) -> Response:
    return Response(InjectionOut(_entry(patient, injection.pk)).data, status=code)


def _changeable(injection: Injection) -> Injection:
    """The patient's entry if it may still change, as on the history page; else 409 saying
    why (another change came first, or its prescription was stopped)."""
    if injection.prescription.status != Prescription.Status.ACTIVE:
        raise Conflict("That entry belongs to a stopped prescription, so it stays as it is.")
    if injection.status != Injection.Status.RECORDED:
        raise Conflict(f"That entry was already {injection.get_status_display().lower()}.")
    return injection


def _own(request: Request, injection_id: int) -> Injection:
    injection = selectors.injection_for_patient(
        patient=patient_of(request), injection_id=injection_id
    )
    if injection is None:
        raise Http404
    return injection


def _too_soon_is_a_field_error(error: services.TooSoonError) -> exceptions.ValidationError:
    """The log page asks for its confirmation box; here the field to set is confirm_extra."""
    return exceptions.ValidationError({"confirm_extra": error.messages})


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > TOKEN_LENGTH:
        raise exceptions.ValidationError(
            {"Idempotency-Key": [f"Use at most {TOKEN_LENGTH} characters."]}
        )
    return key


def _checked(
    body: serializers.Serializer[dict[str, Any]],
    prescription: Prescription,
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The body's values, or a 400 with every problem in one round: as the log and correct
    forms do, the service's own check runs on the fields that could be read, beside the
    fields' errors, so a second try does not find new ones. `base` is the entry corrected."""
    if body.is_valid():
        return dict(body.validated_data)
    errors: dict[str, Any] = dict(body.errors)
    readable = dict(base or {})
    for name in CHECKED:
        if name in errors or name not in body.initial_data:
            continue
        try:
            readable[name] = body.fields[name].run_validation(body.initial_data[name])
        except exceptions.ValidationError:
            continue
    problems = injection_problems(prescription=prescription, values=readable)
    for name, messages in problems.items():
        errors.setdefault(name, messages)
    raise exceptions.ValidationError(errors)


class InjectionList(generics.ListAPIView[Injection]):
    """Every injection you logged, newest first, voided and corrected ones included (marked),
    as on the history page."""

    permission_classes = PATIENT
    serializer_class = InjectionOut

    def get_queryset(self) -> QuerySet[Injection]:
        return selectors.injection_history(patient=patient_of(self.request))

    @extend_schema(operation_id="me_injections_list", summary="Your injection history")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="me_injections_log",
        summary="Log an injection",
        description=(
            "Logged against your current prescription; your schedule is planned again from it. "
            "An injection too close to another one is refused (400, under `confirm_extra`) "
            "unless `confirm_extra` is true, and is then kept as an extra injection."
        ),
        request=InjectionIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: InjectionOut},
    )
    def post(self, request: Request) -> Response:
        patient = patient_of(request)
        body = InjectionIn(data=request.data)
        prescription = selectors.active_prescription(patient=patient)
        if prescription is None:
            body.is_valid(raise_exception=True)
            raise _no_prescription()
        values = _checked(body, prescription)
        key = _idempotency_key(request)
        confirm = values.pop("confirm_extra")
        values.setdefault("given_by", prescription.given_by)
        try:
            injection = services.injection_log(
                prescription=prescription,
                actor=patient,
                confirm=confirm,
                client_token=key,
                request=request._request,
                source="api",
                **values,
            )
        except services.TooSoonError as error:
            raise _too_soon_is_a_field_error(error) from error
        return _answer(patient, injection, status.HTTP_201_CREATED)


class InjectionDetail(APIView):
    permission_classes = PATIENT

    @extend_schema(
        operation_id="me_injections_read",
        summary="One entry of your injection history",
        responses={200: InjectionOut},
    )
    def get(self, request: Request, injection_id: int) -> Response:
        return Response(InjectionOut(_entry(patient_of(request), injection_id)).data)


class InjectionCorrect(APIView):
    permission_classes = PATIENT

    @extend_schema(
        operation_id="me_injections_correct",
        summary="Correct an entry of your injection history",
        description=(
            "Send the reason and only the details that change. The original entry stays, "
            "marked as corrected; the answer is the new entry that replaces it."
        ),
        request=CorrectionIn,
        responses={201: InjectionOut},
    )
    def post(self, request: Request, injection_id: int) -> Response:
        patient = patient_of(request)
        injection = _changeable(_own(request, injection_id))
        body = CorrectionIn(data=request.data)
        base = {name: getattr(injection, name) for name in CORRECTABLE}
        values = _checked(body, injection.prescription, base)
        confirm = values.pop("confirm_extra")
        try:
            replacement = services.injection_correct(
                injection=injection,
                actor=patient,
                confirm=confirm,
                request=request._request,
                **values,
            )
        except services.TooSoonError as error:
            raise _too_soon_is_a_field_error(error) from error
        except DjangoValidationError as error:
            _already_changed(injection, error)
            raise
        return _answer(patient, replacement, status.HTTP_201_CREATED)


class InjectionVoid(APIView):
    permission_classes = PATIENT

    @extend_schema(
        operation_id="me_injections_void",
        summary="Void an entry of your injection history",
        description="The entry stays in your history, marked as void, with your reason.",
        request=VoidIn,
        responses={200: InjectionOut},
    )
    def post(self, request: Request, injection_id: int) -> Response:
        patient = patient_of(request)
        injection = _changeable(_own(request, injection_id))
        body = VoidIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            voided = services.injection_void(
                injection=injection,
                actor=patient,
                reason=body.validated_data["reason"],
                request=request._request,
            )
        except DjangoValidationError as error:
            _already_changed(injection, error)
            raise
        return _answer(patient, voided, status.HTTP_200_OK)


def _already_changed(injection: Injection, error: DjangoValidationError) -> None:
    """A change that lost a race with another one is a conflict, not a mistake in the body."""
    current = Injection.objects.filter(pk=injection.pk).values_list("status", flat=True).first()
    if current != Injection.Status.RECORDED:
        raise Conflict(" ".join(error.messages)) from error
