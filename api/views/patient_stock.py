"""The patient's ampoule stock through the API: what the stock page shows (the forecast and
the batches) and adding a batch as the page does."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.patient import BatchIn, BatchOut, StockOut
from reminders.stock.selectors import stock_page
from reminders.stock.services import batch_add

from .patient import PATIENT, patient_of


class StockView(APIView):
    permission_classes = PATIENT

    @extend_schema(
        operation_id="me_stock",
        summary="Your ampoule stock and how far it lasts",
        description="The forecast of the stock page, and the batches not thrown away, the "
        "first to expire first.",
        responses={200: StockOut},
    )
    def get(self, request: Request) -> Response:
        page = stock_page(patient=patient_of(request))
        forecast = page.forecast
        body = {
            "needed": forecast.needed,
            "tracked": forecast.tracked,
            "on_hand": forecast.on_hand,
            "doses_planned": forecast.doses_planned,
            "covered": forecast.covered,
            "doses_left": forecast.doses_left,
            "last_covered": forecast.last_covered,
            "runs_out": forecast.runs_out,
            "wasted": forecast.wasted,
            "expiring": forecast.expiring,
            "batches": page.batches,
        }
        return Response(StockOut(body).data)


class BatchAdd(APIView):
    permission_classes = PATIENT

    @extend_schema(
        operation_id="me_stock_batches_add",
        summary="Add a batch of ampoules you received",
        request=BatchIn,
        responses={201: BatchOut},
    )
    def post(self, request: Request) -> Response:
        body = BatchIn(data=request.data)
        body.is_valid(raise_exception=True)
        batch = batch_add(
            patient=patient_of(request), request=request._request, **body.validated_data
        )
        return Response(BatchOut(batch).data, status=status.HTTP_201_CREATED)
